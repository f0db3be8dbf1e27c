"""Every write and state change of the admissions app.

Split by entity; import from here (`from admissions.services import application_transition`).
"""

from .applications import *  # noqa: F403
from .awards import *  # noqa: F403
from .digest import *  # noqa: F403
from .documents import *  # noqa: F403
from .notifications import *  # noqa: F403
from .profiles import *  # noqa: F403
from .ranking import *  # noqa: F403
from .reviews import *  # noqa: F403
