"""Test settings: fast hashing, mail kept in memory unless a test asks for real SMTP.

DATABASE_URL and REDIS_URL are honoured so that CI runs the suite against PostgreSQL and
Redis; without them the suite runs on SQLite with eager tasks.
"""

from .base import *  # noqa: F403
from .base import BASE_DIR, env

DEBUG = False
SECRET_KEY = "test-only-not-secret"  # noqa: S105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail stays in memory, unless a process started by the tests (the Celery worker of the
# outbox tests) is told to use the real SMTP server given in EMAIL_URL.
if not env.bool("TEST_REAL_SMTP", default=False):
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "test-private")
# Documents on disk in tests, whatever the environment says (the object-storage tests
# switch to their own S3 server).
for _name in ("default", "private"):
    STORAGES[_name] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    }
# Tasks run eagerly in the test process; tests that need the real worker start one, with
# CELERY_EAGER=false in its environment (and switch the test process to non-eager).
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_EAGER", default=True)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
OUTBOX_GRACE_SECONDS = 0
# Off by default in tests because the admin tests sign staff in with `force_login`, which
# bypasses every sign-in form; tests/admissions/admin/test_two_factor.py turns it on and signs
# in for real, with codes computed from the TOTP secret.
STAFF_TWO_FACTOR_REQUIRED = False
# Static files are served by the live server's static handler; WhiteNoise would only warn
# that STATIC_ROOT has not been collected.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
# The page cache reads the shared cache on every request in tests (which clear it between
# tests), so no page survives from one test into the next in a process-local copy.
PUBLIC_PAGE_LOCAL_BYTES = 0
PRIVATE_PAGE_LOCAL_BYTES = 0
PUBLIC_PAGE_VERSION_CHECK_SECONDS = 0
