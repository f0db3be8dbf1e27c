"""The admin site: shared admin helpers and the staff dashboard; each context's `admin.py`
registers its models."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

# Each bounded context registers its own models.
from admissions.applicants import admin as applicants_admin  # noqa: F401
from admissions.applications import admin as applications_admin  # noqa: F401
from admissions.documents import admin as documents_admin  # noqa: F401
from admissions.notifications import admin as notifications_admin  # noqa: F401
from admissions.reviews import admin as reviews_admin  # noqa: F401
from admissions.scholarships import admin as scholarships_admin  # noqa: F401

# The office's contacts and next steps; the user pages (language of e-mail, password form).
from . import office, users  # noqa: F401

admin.site.site_header = _("KazNU Omsk admissions")
admin.site.site_title = _("KazNU Omsk admissions")
admin.site.index_title = _("Administration")
