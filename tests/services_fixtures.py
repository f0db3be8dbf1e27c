"""Real services for the tests: an SMTP server on loopback and a Celery worker process.

Registered from tests/conftest.py (`pytest_plugins`). Use:
- `smtp_server`: a real SMTP server (aiosmtpd) on a free loopback port, and Django's SMTP
  backend pointed at it for the test. `smtp_server.messages` are the parsed messages it
  received; `.stop()` / `.start()` simulate an outage, `.reply = "451 ..."` makes it answer
  every message with that reply.
- `celery_worker`: a real `celery -A config worker` process consuming from REDIS_URL and
  writing to the pytest-django test database (PostgreSQL), delivering to `smtp_server`.
  The test process is switched to non-eager while the fixture is active. Tests using it
  need `transactional_db` (the worker must see committed rows) and the `redis` and
  `postgres` markers.
"""

from __future__ import annotations

import email
import email.policy
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

# What the worker runs with: short retries so the retry tests take seconds.
WORKER_RETRY_BASE_SECONDS = 0.5
WORKER_RETRY_MAX_SECONDS = 4
WORKER_MAX_ATTEMPTS = 4


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float = 20.0, interval: float = 0.1):
    """Poll `predicate` until it returns something truthy; return it, or fail."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {predicate}")
        time.sleep(interval)


class _Handler:
    def __init__(self, server: SMTPServer):
        self.server = server

    async def handle_DATA(self, smtp, session, envelope):
        if self.server.reply:
            return self.server.reply
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.server.lock:
            self.server.messages.append(message)
            self.server.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class SMTPServer:
    """aiosmtpd on 127.0.0.1:<port>; the port stays the same across stop()/start()."""

    def __init__(self):
        self.host = "127.0.0.1"
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.reply: str | None = None
        self.lock = threading.Lock()
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        if self._controller is None:
            # A Controller cannot be restarted (its event loop is closed): make a new one.
            self._controller = Controller(
                _Handler(self), hostname=self.host, port=self.port, ready_timeout=10
            )
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()
            self.envelopes.clear()
        self.reply = None

    def wait_for(self, count: int, timeout: float = 20.0) -> list[EmailMessage]:
        wait_until(lambda: len(self.messages) >= count, timeout)
        return list(self.messages)


@pytest.fixture(scope="session")
def smtp_server_session():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_server(smtp_server_session, settings):
    """A running, empty SMTP server, and Django's SMTP backend pointed at it."""
    server = smtp_server_session
    server.start()
    server.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.start()  # a test that simulated an outage leaves it running for the next
    server.clear()


def _database_url() -> str:
    """The URL of the pytest-django test database, for the worker process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{credentials}@{host}:{port}/{quote(db['NAME'])}"


def purge_broker() -> None:
    """Drop queued tasks and tasks a stopped worker left unacknowledged."""
    import redis

    from config.celery_app import app

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge(app.conf.task_default_queue)
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete("unacked", "unacked_index", "unacked_mutex")


@contextmanager
def broker_at(url: str):
    """Point this process's Celery producer at `url` (e.g. a dead port), not eager."""
    from config.celery_app import app

    previous = (app.conf.broker_url, app.conf.task_always_eager)

    def reset_pools():
        # Forget (never close) the cached pools: kombu keeps one pool per broker URL, and
        # even eager tasks take a producer from it.
        app._pool = None
        app.amqp._producer_pool = None

    reset_pools()
    app.conf.broker_url, app.conf.task_always_eager = url, False
    try:
        yield
    finally:
        reset_pools()
        app.conf.broker_url, app.conf.task_always_eager = previous


def dead_broker_url() -> str:
    """A Redis URL nobody listens on: connections are refused at once."""
    return f"redis://127.0.0.1:{free_port()}/0"


class WorkerProcess:
    def __init__(self, process: subprocess.Popen, log_path: Path):
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


@pytest.fixture(scope="session")
def celery_worker_session(
    django_db_setup, django_db_blocker, smtp_server_session, tmp_path_factory
):
    from tests.conftest import _unavailable, redis_reachable

    if not redis_reachable():
        _unavailable("Redis is not reachable (set REDIS_URL=redis://...)")
    if connection.vendor != "postgresql":
        _unavailable("the worker tests need PostgreSQL (set DATABASE_URL=postgres://...)")
    with django_db_blocker.unblock():
        database_url = _database_url()
    purge_broker()
    log_path = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_EAGER": "false",
        "TEST_REAL_SMTP": "true",
        "EMAIL_URL": f"smtp://{smtp_server_session.host}:{smtp_server_session.port}",
        "EMAIL_TIMEOUT": "5",
        "OUTBOX_RETRY_BASE_SECONDS": str(WORKER_RETRY_BASE_SECONDS),
        "OUTBOX_RETRY_MAX_SECONDS": str(WORKER_RETRY_MAX_SECONDS),
        "OUTBOX_MAX_ATTEMPTS": str(WORKER_MAX_ATTEMPTS),
        # As in production: a worker keeps its database connection from task to task.
        "CONN_MAX_AGE": "60",
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "--pool=threads",
        "--concurrency=2",
        "--prefetch-multiplier=1",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        f"--hostname=outbox-tests-{os.getpid()}@%h",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    worker = WorkerProcess(process, log_path)
    try:
        wait_until(lambda: process.poll() is not None or " ready." in worker.log(), 60, 0.2)
        if process.poll() is not None:
            pytest.fail(f"the Celery worker exited:\n{worker.log()}", pytrace=False)
        yield worker
    finally:
        worker.stop()
        purge_broker()


@pytest.fixture
def celery_worker(celery_worker_session, smtp_server):
    """The real worker, an empty queue and an empty SMTP server; this test process
    enqueues to the real broker instead of running tasks eagerly."""
    from config.celery_app import app

    purge_broker()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield celery_worker_session
    finally:
        app.conf.task_always_eager = previous
        purge_broker()
