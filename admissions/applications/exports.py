"""Export of the applications changelist with django-import-export (tablib formats).

`ApplicationExportResource(user=...)` drops the columns the staff member's role may not see
(the rules are the staff selectors); its headers are lazy translations, so they come out in
the language active for the request. `application_export_response` turns a filtered queryset
into a CSV or XLSX download.

Speed: the rows are read with `QuerySet.iterator()` (no model cache, no prefetch), and the
program choices of each chunk of rows come in one query of plain tuples, with program names
computed once: 20,000 rows export in seconds, in a number of queries independent of the rows.
"""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.formats import base_formats

from admissions.enums import ApplicationStatus
from admissions.models import ApplicationChoice
from admissions.scholarships.scoring import SCORE_INPUTS, ranking_score_of_row
from admissions.selectors import staff_is_blind, staff_may_see_contact, staff_may_see_national_id
from programs.models import Program

__all__ = [
    "EXPORT_FORMATS",
    "ApplicationExportResource",
    "applicant_profile",
    "application_export_response",
]

# The `_format` values of the export links, and the library's format for each.
EXPORT_FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}

NAME_FIELDS = ("last_name", "first_name", "patronymic", "name_latin")
NATIONAL_ID_FIELDS = ("identifier_kind", "identifier")
CONTACT_FIELDS = ("email", "phone")


def applicant_profile(application):
    """The applicant's profile, or None (also used by the admin list and detail page)."""
    try:
        return application.applicant.applicant_profile
    except ObjectDoesNotExist:  # a draft whose applicant has not written a profile yet
        return None


def _profile_text(attribute):
    def dehydrate(application) -> str:
        profile = applicant_profile(application)
        return str(getattr(profile, attribute)) if profile else ""

    return dehydrate


def _column(header, dehydrate) -> fields.Field:
    return fields.Field(column_name=header, dehydrate_method=dehydrate)


class ApplicationExportResource(resources.Resource):
    """One row per application; the columns depend on the role of `user`."""

    reference = _column(_("Reference"), lambda a: a.reference or "")
    last_name = _column(_("Last name"), _profile_text("last_name_native"))
    first_name = _column(_("First name"), _profile_text("first_name_native"))
    patronymic = _column(_("Patronymic"), _profile_text("patronymic_native"))
    name_latin = _column(_("Name (Latin letters)"), _profile_text("full_name_latin"))
    identifier_kind = _column(_("Identifier"), "dehydrate_identifier_kind")
    identifier = _column(_("Identifier number"), _profile_text("identifier"))
    email = _column(_("E-mail"), lambda a: a.applicant.email)
    phone = _column(_("Phone"), _profile_text("phone"))
    citizenship = _column(_("Citizenship"), _profile_text("citizenship"))
    cycle = _column(_("Cycle"), lambda a: str(a.cycle))
    status = _column(_("Status"), "dehydrate_status")
    programs = _column(_("Programs by priority"), lambda a: a.export_choices)
    score = _column(_("Review mean"), "dehydrate_score")
    ranking_score = _column(_("Ranking score"), "dehydrate_ranking_score")
    scholarship_requested = _column(_("Scholarship requested"), "dehydrate_scholarship")
    submitted = _column(_("Submitted"), "dehydrate_submitted")

    class Meta:
        # Rows are read by `iter_queryset` below, in chunks of this many.
        chunk_size = 2000

    def __init__(self, *, user, **kwargs):
        super().__init__(**kwargs)
        hidden: list[str] = []
        if staff_is_blind(user):
            hidden += NAME_FIELDS
        if not staff_may_see_national_id(user):
            hidden += NATIONAL_ID_FIELDS
        if not staff_may_see_contact(user):
            hidden += CONTACT_FIELDS
        for name in hidden:
            del self.fields[name]
        # Computed once per export, in the request language.
        self._status_labels = {value: str(label) for value, label in ApplicationStatus.choices}
        self._yes, self._no = gettext("yes"), gettext("no")

    # --- Values -------------------------------------------------------------------------

    def dehydrate_identifier_kind(self, application) -> str:
        profile = applicant_profile(application)
        return profile.get_identifier_kind_display() if profile else ""

    def dehydrate_status(self, application) -> str:
        return self._status_labels.get(application.status, application.status)

    def dehydrate_score(self, application):
        score = getattr(application, "mean_score", None)
        return "" if score is None else round(float(score), 2)

    def dehydrate_ranking_score(self, application):
        # The ranking's formula (scholarships.scoring) over the annotated inputs.
        if not hasattr(application, SCORE_INPUTS[0].annotation()):
            return ""
        return float(ranking_score_of_row(application))

    def dehydrate_scholarship(self, application) -> str:
        return self._yes if application.scholarship_requested else self._no

    def dehydrate_submitted(self, application) -> str:
        if application.submitted_at is None:
            return ""
        return timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M")

    # --- Rows ---------------------------------------------------------------------------

    def iter_queryset(self, queryset):
        """The rows without a model cache or prefetching; `export_choices` set per chunk."""
        queryset = queryset.prefetch_related(None)
        program_names = {program.pk: str(program) for program in Program.objects.all()}
        chunk_size = self.get_chunk_size()
        chunk = []

        def flush():
            choices: dict[int, list[str]] = {}
            for application_id, priority, program_id, language in (
                ApplicationChoice.objects.filter(application_id__in=[a.pk for a in chunk])
                .order_by("application_id", "priority")
                .values_list(
                    "application_id", "priority", "offering__program_id", "language__code"
                )
            ):
                choices.setdefault(application_id, []).append(
                    f"{priority}. {program_names[program_id]} ({language})"
                )
            for application in chunk:
                application.export_choices = "; ".join(choices.get(application.pk, []))
            yield from chunk
            chunk.clear()

        for application in queryset.iterator(chunk_size=chunk_size):
            chunk.append(application)
            if len(chunk) == chunk_size:
                yield from flush()
        if chunk:
            yield from flush()


def application_export_response(*, queryset, user, export_format: str) -> HttpResponse:
    """`queryset` (already filtered to what `user` may see) as a CSV or XLSX download."""
    file_format = EXPORT_FORMATS[export_format]()
    dataset = ApplicationExportResource(user=user).export(queryset)
    dataset.title = gettext("Applications")[:31]  # the XLSX sheet name (31 characters at most)
    content = file_format.export_data(dataset)
    if not file_format.is_binary():
        # A byte order mark, so spreadsheets read the file as UTF-8.
        content = "\ufeff" + content
        content_type = f"{file_format.get_content_type()}; charset=utf-8"
    else:
        content_type = file_format.get_content_type()
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="applications-{stamp}.{file_format.get_extension()}"'
    )
    return response
