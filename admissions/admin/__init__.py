"""Admin registrations, one module per area."""

from . import applications, awards, mail  # noqa: F401
