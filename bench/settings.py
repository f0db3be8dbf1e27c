"""Production settings plus the bare view of the benchmark (its own URLconf).

The bare view exists only here, never in the production URLs.
"""

from config.settings.production import *  # noqa: F403
from config.settings.production import ALLOWED_HOSTS

ROOT_URLCONF = "bench.urls"
# The in-process test client (query counts) calls itself "testserver".
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# Plain http on loopback.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# The staff session of the benchmark is made with force_login, which passes no second
# factor; checking a verified session is a look-up in the already loaded session.
STAFF_TWO_FACTOR_REQUIRED = False
