"""`make production` brings up web, worker and beat under supervisord; /healthz/ sees them,
and a stopped worker shows as down.

The stack runs with production settings against its own PostgreSQL database and its own
Redis database, so that it never takes tasks from the suite's own Celery worker. The
heartbeat interval and staleness limit are shortened (2 s and 10 s instead of 20 s and
90 s) to keep the test short; with the defaults a stopped worker shows as down after at
most 90 s, inside the two minutes monitoring allows.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

from tests.services_fixtures import _database_url, free_port, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
SUPERVISORCTL = [str(ROOT / ".venv" / "bin" / "supervisorctl"), "-c", "deploy/supervisord.conf"]
# A Redis database no other test uses: the stack's worker must not take the suite's tasks.
STACK_REDIS_DB = 14
HEARTBEAT_SECONDS = 2
STALE_SECONDS = 10


def _admin_sql(url, sql: str) -> None:
    import psycopg

    with psycopg.connect(urlunsplit(url._replace(path="/postgres")), autocommit=True) as admin:
        admin.execute(sql)


@pytest.fixture
def stack_database():
    """An empty PostgreSQL database next to the configured one, dropped afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    name = f"{connection.settings_dict['NAME']}_stack"[:60]
    url = urlsplit(_database_url())
    _admin_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _admin_sql(url, f'CREATE DATABASE "{name}"')
    yield urlunsplit(url._replace(path=f"/{name}"))
    _admin_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _stack_env(database_url: str, port: int) -> dict[str, str]:
    redis = urlsplit(settings.REDIS_URL)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SENTRY_", "AWS_", "STORAGE_", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        REDIS_URL=urlunsplit(redis._replace(path=f"/{STACK_REDIS_DB}")),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        CELERY_CONCURRENCY="1",
        HEALTH_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
        HEALTH_STALE_SECONDS=str(STALE_SECONDS),
        SECURE_SSL_REDIRECT="False",
    )
    return env


def _health(port: int) -> dict:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=5) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        return json.load(error)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return {}


def _pid(env: dict, program: str) -> int | None:
    status = subprocess.run(
        [*SUPERVISORCTL, "pid", program], cwd=ROOT, env=env, capture_output=True, text=True
    )
    value = status.stdout.strip()
    return int(value) if value.isdigit() and value != "0" else None


@pytest.fixture
def production_stack(stack_database):
    if shutil.which("make") is None:
        pytest.fail("make is needed to run the production command")
    import redis

    port = free_port()
    env = _stack_env(stack_database, port)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    log = (ROOT / "var" / "stack-test.log").resolve()
    log.parent.mkdir(exist_ok=True)
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["make", "-s", "production"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield port, env, process, log
    finally:
        subprocess.run([*SUPERVISORCTL, "shutdown"], cwd=ROOT, env=env, capture_output=True)
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        redis.Redis.from_url(env["REDIS_URL"]).flushdb()


def test_production_command_serves_and_reports_a_stopped_worker_down(production_stack):
    port, env, process, log = production_stack

    def all_up():
        assert process.poll() is None, log.read_text()[-4000:]
        health = _health(port)
        up = health.get("worker") == "ok" and health.get("beat") == "ok"
        return health if up and health.get("database") == "ok" else None

    health = wait_until(all_up, timeout=180, interval=1)
    assert health["broker"] == "ok"

    # A worker that dies is started again by the process manager.
    worker_pid = _pid(env, "worker")
    assert worker_pid
    os.kill(worker_pid, signal.SIGKILL)
    wait_until(lambda: (_pid(env, "worker") or worker_pid) != worker_pid, timeout=30, interval=0.5)

    # A worker that is stopped (not restarted) shows as down, while the site still serves.
    stopped = subprocess.run(
        [*SUPERVISORCTL, "stop", "worker"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert "stopped" in stopped.stdout, stopped.stdout + stopped.stderr
    started = time.monotonic()
    health = wait_until(
        lambda: (h := _health(port)).get("worker") == "down" and h,
        timeout=STALE_SECONDS + 3 * HEARTBEAT_SECONDS + 30,
        interval=1,
    )
    assert time.monotonic() - started <= 120
    assert health["status"] == "degraded"
    assert health["database"] == "ok" and health["beat"] == "ok"
