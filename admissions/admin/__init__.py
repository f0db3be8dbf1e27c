"""Admin registrations, one module per area."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import applications, awards, mail, reviews  # noqa: F401

admin.site.site_header = _("KazNU Omsk admissions")
admin.site.site_title = _("KazNU Omsk admissions")
admin.site.index_title = _("Administration")
