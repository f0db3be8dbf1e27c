"""Celery tasks, one module per area. Celery's autodiscovery imports this package."""

from .awards import *  # noqa: F403
from .digest import *  # noqa: F403
from .documents import *  # noqa: F403
from .drafts import *  # noqa: F403
from .mail import *  # noqa: F403
