from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

# Columns whose change no public page shows: saving only these keeps the page cache.
UNSHOWN_CYCLE_FIELDS = frozenset({"reference_counter"})


def _cycle_saved(sender, instance, update_fields=None, **kwargs) -> None:
    from programs.page_cache import public_pages_invalidate

    if update_fields is not None and set(update_fields) <= UNSHOWN_CYCLE_FIELDS:
        return
    public_pages_invalidate()


class ProgramsConfig(AppConfig):
    name = "programs"
    verbose_name = _("Programs and admission cycles")

    def ready(self) -> None:
        from programs.models import (
            AdmissionCycle,
            Exam,
            Field,
            Language,
            Offering,
            OfferingExam,
            Program,
            ScholarshipFund,
        )
        from programs.page_cache import public_pages_invalidate

        # Everything the public pages show; each change makes the cached pages stale.
        for model in (Language, Field, Program, Offering, OfferingExam, Exam, ScholarshipFund):
            post_save.connect(public_pages_invalidate, sender=model, dispatch_uid=f"pages-{model}")
            post_delete.connect(
                public_pages_invalidate, sender=model, dispatch_uid=f"pages-del-{model}"
            )
        post_save.connect(_cycle_saved, sender=AdmissionCycle, dispatch_uid="pages-cycle")
        post_delete.connect(
            public_pages_invalidate, sender=AdmissionCycle, dispatch_uid="pages-del-cycle"
        )
        m2m_changed.connect(
            public_pages_invalidate,
            sender=Program.languages.through,
            dispatch_uid="pages-program-languages",
        )
