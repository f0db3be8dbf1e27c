"""django.contrib.admin with the portal's site class (`config.admin_site`), both kept out
of the admissions.admin package, which registers models when imported."""

from django.contrib.admin.apps import AdminConfig


class AdmissionsAdminConfig(AdminConfig):
    default_site = "config.admin_site.AdmissionsAdminSite"
