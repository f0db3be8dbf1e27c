"""Admin registrations, one module per area."""

from . import applications, awards, mail, reviews  # noqa: F401
