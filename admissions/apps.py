from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class AdmissionsConfig(AppConfig):
    name = "admissions"
    verbose_name = _("Admissions")

    def ready(self) -> None:
        from admissions.models import AdmissionsOffice, NextStep, RankingSnapshot, ScholarshipAward
        from admissions.selectors import office_forget
        from programs.page_cache import public_pages_invalidate

        # Published rankings and the "scholarships left" figure are on the public pages;
        # the cycles' next steps are read through the catalogue's look-ups.
        for model in (RankingSnapshot, ScholarshipAward, NextStep):
            post_save.connect(public_pages_invalidate, sender=model, dispatch_uid=f"pages-{model}")
            post_delete.connect(
                public_pages_invalidate, sender=model, dispatch_uid=f"pages-del-{model}"
            )

        # The office's contacts are in the footer of every page, cached pages included.
        for signal in (post_save, post_delete):
            signal.connect(office_forget, sender=AdmissionsOffice, dispatch_uid=f"office-{signal}")
            signal.connect(
                public_pages_invalidate, sender=AdmissionsOffice, dispatch_uid=f"pages-o-{signal}"
            )

        from admissions.scholarships.standing import standing_invalidate, standing_receivers

        # What the ranking and the allocation read: the applicants' computed standing.
        for model in standing_receivers():
            post_save.connect(standing_invalidate, sender=model, dispatch_uid=f"standing-{model}")
            post_delete.connect(
                standing_invalidate, sender=model, dispatch_uid=f"standing-del-{model}"
            )

        from admissions.private_pages import watch_all_connections

        # Any write to the database makes the cached signed-in pages stale.
        watch_all_connections()

        from config.i18n import through_model_names_made_lazy

        through_model_names_made_lazy()
