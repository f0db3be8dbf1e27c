"""Production logs are JSON lines; unhandled errors reach Sentry when SENTRY_DSN is set."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_production(code: str, **env) -> subprocess.CompletedProcess:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "x" * 60,
        "ALLOWED_HOSTS": "example.org",
        **env,
    }
    environment.pop("LOG_FORMAT", None)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_logs_one_json_object_per_line():
    result = run_production(
        "import logging; logging.getLogger('admissions.test').warning('sent %s mails', 3)"
    )
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["level"] == "WARNING"
    assert record["logger"] == "admissions.test"
    assert record["message"] == "sent 3 mails"
    assert "time" in record


def test_plain_logs_when_asked():
    result = run_production(
        "import logging; logging.getLogger('admissions.test').warning('plain')",
        LOG_FORMAT="plain",
    )
    line = result.stderr.strip().splitlines()[-1]
    assert line.endswith("WARNING admissions.test plain")


class Collector(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            import brotli

            body = brotli.decompress(body)
        Collector.bodies.append(self.path.encode() + b" " + body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_receiver():
    server = HTTPServer(("127.0.0.1", 0), Collector)
    Collector.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def test_an_unhandled_error_is_reported_to_sentry_when_a_dsn_is_set(sentry_receiver):
    result = run_production(
        "import sentry_sdk\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError:\n    sentry_sdk.capture_exception()\n"
        "sentry_sdk.flush(10)",
        SENTRY_DSN=f"http://publickey@127.0.0.1:{sentry_receiver}/1",
        SENTRY_ENVIRONMENT="test",
    )
    assert result.returncode == 0, result.stderr
    assert any(
        body.startswith(b"/api/1/envelope/") and b"ZeroDivisionError" in body
        for body in Collector.bodies
    ), Collector.bodies


def test_no_dsn_no_reports():
    result = run_production("import sentry_sdk; print(sentry_sdk.get_client().is_active())")
    assert result.stdout.strip() == "False"
