"""Export of the applications changelist with django-import-export (tablib formats).

`ApplicationExportResource(user=...)` drops the columns the staff member's role may not see
(the rules are the staff selectors); its headers are lazy translations, so they come out in
the language active for the request. `application_export_response` turns a filtered queryset
into a CSV or XLSX download that opens right in a spreadsheet:

* CSV: UTF-8 with a byte order mark, every field quoted, and the list separator and decimal
  mark a spreadsheet expects in the staff member's language (`CSV_CONVENTIONS`: Excel with
  Russian or Kazakh regional settings splits on ";" and reads "85,5");
* XLSX: dates and times as date cells (Asia/Omsk local time), scores as numbers;
* one column per program choice, the exam results and score, the review mean, the document
  status and the ranking score (`admissions.scholarships.scoring`, the cycle's weights);
* formula-like text (a leading "=", "+", "-", "@", tab or carriage return) is neutralised in
  every column (`neutralise_formula`): an apostrophe in front in CSV, a text cell with
  Excel's quote prefix in XLSX. A phone number ("+77011234567") or a plain number is left
  as it is (a quoted string in CSV, a text cell in XLSX): digits, spaces, brackets, dots and
  hyphens cannot call a function. OWASP "CSV Injection" is the source of the rule.

Speed: the rows are read with `QuerySet.iterator()` (no model cache, no prefetch), and the
program choices and exam scores of each chunk of rows come in one query each: 20,000 rows
export in seconds, in a number of queries independent of the rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import tablib
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.formats import base_formats
from openpyxl import Workbook
from tablib import formats as tablib_formats

from admissions.documents.requirements import documents_complete_condition
from admissions.enums import ApplicationStatus, ExamKind
from admissions.models import ApplicationChoice, ExamResult
from admissions.permissions import staff_may_see
from admissions.scholarships.scoring import SCORE_INPUTS, quantise, ranking_score_of_row
from admissions.selectors import documents_pending_condition
from programs.models import Program

__all__ = [
    "CSV_CONVENTIONS",
    "EXPORT_FORMATS",
    "ApplicationExportResource",
    "applicant_profile",
    "application_export_response",
    "neutralise_formula",
]

# The `_format` values of the export links, and the library's format for each.
EXPORT_FORMATS = {"csv": base_formats.CSV, "xlsx": base_formats.XLSX}

# The personal fields (`permissions.PERSONAL_FIELDS`) each column reveals: a column is left
# out for whom may not see one of them. A new column that shows personal data names it here.
COLUMN_REVEALS = {
    "last_name": ("applicantprofile.last_name_native",),
    "first_name": ("applicantprofile.first_name_native",),
    "patronymic": ("applicantprofile.patronymic_native",),
    "name_latin": ("applicantprofile.first_name_latin", "applicantprofile.last_name_latin"),
    "birth_date": ("applicantprofile.birth_date",),
    "identifier_kind": ("applicantprofile.identifier_kind",),
    "identifier": ("applicantprofile.identifier",),
    "email": ("user.email",),
    "phone": ("applicantprofile.phone",),
}

# Per language of the staff member: (list separator, decimal mark) of their spreadsheets.
CSV_CONVENTIONS = {"ru": (";", ","), "kk": (";", ","), "en": (",", ".")}

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Data that starts like a formula but cannot be one: phone numbers, signed numbers.
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d ().-]*")


def neutralise_formula(value: str) -> str:
    """`value` with an apostrophe in front when a spreadsheet would read it as a formula
    (see the module docstring); phone numbers and plain numbers unchanged."""
    if value.startswith(FORMULA_TRIGGERS) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


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


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """Asia/Omsk wall time without a time zone (spreadsheets have none), to the minute."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, second=0, microsecond=0)


class ApplicationExportResource(resources.Resource):
    """One row per application; the columns depend on the role of `user`. Values are
    Python values (dates, numbers, text); `application_export_response` writes them."""

    reference = _column(_("Reference"), lambda a: a.reference or "")
    last_name = _column(_("Last name"), _profile_text("last_name_native"))
    first_name = _column(_("First name"), _profile_text("first_name_native"))
    patronymic = _column(_("Patronymic"), _profile_text("patronymic_native"))
    name_latin = _column(_("Name (Latin letters)"), _profile_text("full_name_latin"))
    birth_date = _column(_("Date of birth"), "dehydrate_birth_date")
    identifier_kind = _column(_("Identifier"), "dehydrate_identifier_kind")
    identifier = _column(_("Identifier number"), _profile_text("identifier"))
    email = _column(_("E-mail"), lambda a: a.applicant.email)
    phone = _column(_("Phone"), _profile_text("phone"))
    citizenship = _column(_("Citizenship"), "dehydrate_citizenship")
    cycle = _column(_("Cycle"), lambda a: str(a.cycle))
    status = _column(_("Status"), "dehydrate_status")
    choice_1 = _column(_("Program, priority 1"), lambda a: a.export_choices.get(1, ""))
    choice_2 = _column(_("Program, priority 2"), lambda a: a.export_choices.get(2, ""))
    choice_3 = _column(_("Program, priority 3"), lambda a: a.export_choices.get(3, ""))
    graduation_year = _column(_("Year of graduation"), lambda a: a.graduation_year)
    graduation_expected = _column(_("Graduation expected"), "dehydrate_graduation_expected")
    exams = _column(_("Exam results"), lambda a: a.export_exams)
    exam_score = _column(_("Exam score"), "dehydrate_exam_score")
    score = _column(_("Review mean"), "dehydrate_score")
    ranking_score = _column(_("Ranking score"), "dehydrate_ranking_score")
    documents = _column(_("Documents"), "dehydrate_documents")
    scholarship_requested = _column(_("Scholarship requested"), "dehydrate_scholarship")
    submitted = _column(_("Submitted"), lambda a: _local(a.submitted_at))

    class Meta:
        # Rows are read by `iter_queryset` below, in chunks of this many.
        chunk_size = 2000

    def __init__(self, *, user, **kwargs):
        super().__init__(**kwargs)
        for name, reveals in COLUMN_REVEALS.items():
            if not staff_may_see(user, *reveals):
                del self.fields[name]
        # Computed once per export, in the request language.
        self._status_labels = {value: str(label) for value, label in ApplicationStatus.choices}
        self._exam_labels = {value: str(label) for value, label in ExamKind.choices}
        self._yes, self._no = gettext("yes"), gettext("no")
        self._documents = {
            "complete": gettext("Verified"),
            "pending": gettext("Awaiting verification"),
            "incomplete": gettext("Incomplete"),
        }

    # --- Values -------------------------------------------------------------------------

    def dehydrate_birth_date(self, application) -> dt.date | None:
        profile = applicant_profile(application)
        return profile.birth_date if profile else None

    def dehydrate_identifier_kind(self, application) -> str:
        profile = applicant_profile(application)
        return profile.get_identifier_kind_display() if profile else ""

    def dehydrate_citizenship(self, application) -> str:
        profile = applicant_profile(application)
        return profile.citizenship.name if profile and profile.citizenship else ""

    def dehydrate_status(self, application) -> str:
        return self._status_labels.get(application.status, application.status)

    def dehydrate_exam_score(self, application) -> Decimal | None:
        exam = getattr(application, SCORE_INPUTS[0].annotation(), None)
        return None if exam is None else quantise(exam)

    def dehydrate_score(self, application) -> Decimal | None:
        score = getattr(application, "mean_score", None)
        return None if score is None else quantise(score)

    def dehydrate_ranking_score(self, application) -> Decimal | None:
        # The ranking's formula (scholarships.scoring) over the annotated inputs.
        if not hasattr(application, SCORE_INPUTS[0].annotation()):
            return None
        return ranking_score_of_row(application)

    def dehydrate_documents(self, application) -> str:
        if getattr(application, "documents_complete", False):
            return self._documents["complete"]
        if getattr(application, "documents_pending", False):
            return self._documents["pending"]
        return self._documents["incomplete"]

    def dehydrate_graduation_expected(self, application) -> str:
        return self._yes if application.graduation_expected else self._no

    def dehydrate_scholarship(self, application) -> str:
        return self._yes if application.scholarship_requested else self._no

    # --- Rows ---------------------------------------------------------------------------

    def iter_queryset(self, queryset):
        """The rows without a model cache or prefetching; the choices and exams of each
        chunk read in one query each (the score inputs are annotations of the admin's
        queryset)."""
        queryset = queryset.prefetch_related(None).annotate(
            documents_complete=documents_complete_condition(),
            documents_pending=documents_pending_condition(),
        )
        program_names = {program.pk: str(program) for program in Program.objects.all()}
        chunk_size = self.get_chunk_size()
        chunk = []

        def flush():
            ids = [a.pk for a in chunk]
            choices: dict[int, dict[int, str]] = {}
            for application_id, priority, program_id, language in (
                ApplicationChoice.objects.filter(application_id__in=ids)
                .order_by("application_id", "priority")
                .values_list(
                    "application_id", "priority", "offering__program_id", "language__code"
                )
            ):
                choices.setdefault(application_id, {})[priority] = (
                    f"{program_names[program_id]} ({language})"
                )
            exams: dict[int, list[str]] = {}
            for application_id, exam, subject, score, max_score in (
                ExamResult.objects.filter(application_id__in=ids)
                .order_by("application_id", "pk")
                .values_list("application_id", "exam", "subject", "score", "max_score")
            ):
                label = self._exam_labels.get(exam, exam)
                exams.setdefault(application_id, []).append(
                    f"{label} {subject}: {score.normalize():f}/{max_score.normalize():f}"
                )
            for application in chunk:
                application.export_choices = choices.get(application.pk, {})
                application.export_exams = "; ".join(exams.get(application.pk, []))
            yield from chunk
            chunk.clear()

        for application in queryset.iterator(chunk_size=chunk_size):
            chunk.append(application)
            if len(chunk) == chunk_size:
                yield from flush()
        if chunk:
            yield from flush()


# --- Writing the files ----------------------------------------------------------------------


def _csv_text(value, decimal_mark: str) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        return str(value).replace(".", decimal_mark)
    return neutralise_formula(str(value))


def _csv_content(dataset, language: str) -> str:
    delimiter, decimal_mark = CSV_CONVENTIONS.get(language, CSV_CONVENTIONS["en"])
    safe = tablib.Dataset(headers=dataset.headers, title=dataset.title)
    for row in dataset:
        safe.append([_csv_text(value, decimal_mark) for value in row])
    # A byte order mark, so spreadsheets read the file as UTF-8.
    return "\ufeff" + base_formats.CSV().export_data(
        safe, delimiter=delimiter, quoting=csv.QUOTE_ALL
    )


def _xlsx_content(dataset) -> bytes:
    """The workbook tablib writes, with each cell typed: dates as dates, formula-like text
    as text with Excel's quote prefix (shown as typed, never evaluated, even when edited)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = dataset.title
    tablib_formats.registry.get_format("xlsx").dset_sheet(dataset, sheet, freeze_panes=True)
    widths: dict[str, int] = {}
    for row in sheet.iter_rows():
        for cell in row:
            value = cell.value
            if isinstance(value, str):
                if cell.row > 1 and value.startswith(FORMULA_TRIGGERS):
                    cell.data_type = "s"
                    cell.quotePrefix = True
                width = len(value)
            elif isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
                width = 16
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
                width = 10
            else:
                width = len(str(value or ""))
            widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), width)
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = min(width + 2, 60)
    stream = io.BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def application_export_response(*, queryset, user, export_format: str) -> HttpResponse:
    """`queryset` (already filtered to what `user` may see) as a CSV or XLSX download, in
    the active language's conventions (see the module docstring)."""
    file_format = EXPORT_FORMATS[export_format]()
    queryset = queryset.select_related("cycle", "applicant__applicant_profile")
    dataset = ApplicationExportResource(user=user).export(queryset)
    dataset.title = gettext("Applications")[:31]  # the XLSX sheet name (31 characters at most)
    if export_format == "csv":
        content = _csv_content(dataset, translation.get_language() or "en")
        content_type = f"{file_format.get_content_type()}; charset=utf-8"
    else:
        content = _xlsx_content(dataset)
        content_type = file_format.get_content_type()
    response = HttpResponse(content, content_type=content_type)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = (
        f'attachment; filename="applications-{stamp}.{file_format.get_extension()}"'
    )
    return response
