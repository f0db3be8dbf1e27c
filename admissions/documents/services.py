"""Applicants' documents: upload, replace, remove, the checklist, staff verdicts, purging.

Rules (decided here, tested in tests/admissions/test_documents.py):

* What a file may be is decided by one function, `validation.document_file_inspect` (PDF,
  the JPEG family, PNG; limits, active content, polyglots; images re-encoded without
  metadata). Every kind accepts all three; the detected type is recorded in `content_type`
  and what is stored is what the inspection returned.
* Empty files and files over ``settings.DOCUMENT_MAX_BYTES`` are refused, and an account
  uploads at most ``settings.DOCUMENT_UPLOADS_PER_HOUR`` files an hour.
* The applicant's file name is sanitised, given the extension of the detected type and kept
  in `original_name` only; the file is stored under a random name in the private storage
  (see `models.document_upload_to`).
* One current document per kind, except "other" (up to `MAX_OTHER_DOCUMENTS`): uploading a
  kind that already has one replaces it, all its pages; the old files are deleted once the
  transaction commits.
* A document may have several files (its pages: `Document.file` is page 1, `DocumentPage`
  rows the others), at most ``DOCUMENT_MAX_FILES``, together at most
  ``DOCUMENT_MAX_TOTAL_BYTES``; every file is inspected, and one bad file refuses the whole
  upload. Pages can be added (`document_add_pages`) until the document is verified. Staff
  verify or reject the document as a whole.
* Who may change documents: the owner, while the application's status is in the lifecycle
  group "documents may change" (`documents_may_change`): a draft anything; when staff asked
  for documents, the kinds the request names, verified ones included
  (`documents.requests.document_change_refusal`). Anything else is refused with a
  `DomainError`.
* Checklist (`document_requirements`): which kinds are required is declared once, in
  `admissions.documents.requirements` (`DOCUMENT_RULES`).
* Purge (`documents_purge_expired`): documents of rejected and withdrawn applications whose
  last status change is older than ``settings.DOCUMENT_RETENTION_DAYS`` are deleted, rows
  and files (files after commit). Running it again finds nothing: idempotent.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications.lifecycle import Group, statuses_in
from admissions.documents.labels import document_kind_word
from admissions.documents.requests import document_change_refusal
from admissions.documents.requirements import later_kinds, required_kinds
from admissions.documents.validation import EXTENSIONS, document_file_inspect
from admissions.enums import DocumentKind, DocumentStatus
from admissions.errors import DomainError
from admissions.models import Application, Document, DocumentPage, DocumentPurge, StatusEvent

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "DocumentRequirement",
    "document_add_pages",
    "document_download_name",
    "document_reject",
    "document_remove",
    "document_requirements",
    "document_upload",
    "document_verify",
    "documents_may_change",
    "documents_purge_expired",
    "sanitise_file_name",
    "with_extension",
]

logger = logging.getLogger(__name__)

ACCEPTED_CONTENT_TYPES = EXTENSIONS
MAX_OTHER_DOCUMENTS = 10
MAX_NAME_LENGTH = 120


# --- Content checks: see `admissions.documents.validation` ------------------------------
def document_download_name(document: Document) -> str:
    """The name a download gets: the applicant's name with the extension of the detected type
    (a PDF uploaded as ``passport.html`` is downloaded as ``passport.pdf``), so that the
    receiving computer opens it with the right program."""
    return with_extension(document.original_name, EXTENSIONS.get(document.content_type, "bin"))


def with_extension(name: str, extension: str) -> str:
    """`name` with its extension (if any, up to 10 characters) replaced by `extension`."""
    stem, dot, current = name.rpartition(".")
    if dot and stem and 0 < len(current) <= 10 and " " not in current:
        name = stem
    return f"{name}.{extension}"


def _upload_rate_check(actor, *, files: int = 1) -> None:
    """At most ``DOCUMENT_UPLOADS_PER_HOUR`` files uploaded per account in a sliding hour
    (counted in the cache; when the cache is unavailable the count is per process)."""
    limit = settings.DOCUMENT_UPLOADS_PER_HOUR
    now = timezone.now().timestamp()
    key = f"document-uploads:{actor.pk}"
    recent = [stamp for stamp in cache.get(key, []) if stamp > now - 3600]
    if len(recent) + files > limit:
        raise DomainError(
            _(
                "You have uploaded many files in the last hour. Please wait a while before "
                "uploading more."
            )
        )
    cache.set(key, [*recent, *[now] * files], 3600)


def sanitise_file_name(name: str | None, *, fallback_extension: str = "") -> str:
    """A harmless display name: no directories, control or format characters, bounded length.

    Only ever shown (escaped) and used in Content-Disposition; never used on disk.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")  # Cc, Cf, Cs, Co, Cn
    name = re.sub(r"\s+", " ", name).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(" .")
    if not name:
        name = "document" + (f".{fallback_extension}" if fallback_extension else "")
    return name


# --- Who may change what ----------------------------------------------------------------
def _lock_application(application: Application) -> Application:
    return Application.objects.select_for_update().get(pk=application.pk)


def documents_may_change(application: Application) -> bool:
    """Whether the applicant may upload, replace or remove some documents now (lifecycle
    group "documents may change"). Which ones: `documents.requests.document_change_refusal`."""
    return application.status in statuses_in(Group.DOCUMENTS_MAY_CHANGE)


def _check_may_change(
    application: Application,
    actor,
    *,
    kind: str,
    document: Document | None = None,
    removing: bool = False,
) -> None:
    if actor is None or actor.pk != application.applicant_id:
        raise DomainError(_("Only the applicant can change the documents of an application."))
    refusal = document_change_refusal(application, kind=kind, document=document, removing=removing)
    if refusal:
        raise DomainError(refusal)


def _delete_file_on_commit(name: str) -> None:
    if not name:
        return
    storage = Document._meta.get_field("file").storage

    def delete() -> None:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("Could not delete document file %s", name)

    transaction.on_commit(delete)


# --- Services ---------------------------------------------------------------------------
def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _inspect_files(files: list, *, existing_pages: int = 0, existing_bytes: int = 0) -> list:
    """Check every file (count, sizes, total, content: `document_file_inspect`) before
    anything is stored; returns [(file, InspectedFile)] or raises DomainError naming the
    file that failed (its number and name when there are several)."""
    files = [uploaded for uploaded in files if uploaded is not None]
    if not files:
        raise DomainError(_("The file is empty."))
    max_files = settings.DOCUMENT_MAX_FILES
    if existing_pages + len(files) > max_files:
        raise DomainError(
            _("A document can have at most %(count)s files (pages).") % {"count": max_files}
        )
    limit = settings.DOCUMENT_MAX_BYTES
    total_limit = settings.DOCUMENT_MAX_TOTAL_BYTES
    if existing_bytes + sum(uploaded.size or 0 for uploaded in files) > total_limit:
        raise DomainError(
            _("The files of one document may take at most %(limit)s MB together.")
            % {"limit": _megabytes(total_limit)}
        )
    inspected = []
    for number, uploaded in enumerate(files, start=1):
        try:
            if not uploaded.size:
                raise DomainError(_("The file is empty."))
            if uploaded.size > limit:
                raise DomainError(
                    _("The file is too large: at most %(limit)s MB are accepted.")
                    % {"limit": _megabytes(limit)}
                )
            result = document_file_inspect(uploaded)
            if len(result.content) > limit:
                raise DomainError(_("The file is too large."))
        except DomainError as error:
            if len(files) == 1:
                raise
            raise DomainError(
                _("File %(number)s (%(name)s): %(problem)s Nothing was uploaded.")
                % {
                    "number": number,
                    "name": sanitise_file_name(getattr(uploaded, "name", "")),
                    "problem": error.message,
                }
            ) from error
        inspected.append((uploaded, result))
    if existing_bytes + sum(len(result.content) for _file, result in inspected) > total_limit:
        raise DomainError(
            _("The files of one document may take at most %(limit)s MB together.")
            % {"limit": _megabytes(total_limit)}
        )
    return inspected


def _file_fields(uploaded, inspected) -> dict:
    content = inspected.content
    return {
        "original_name": with_extension(
            sanitise_file_name(getattr(uploaded, "name", "")), inspected.extension
        ),
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "content_type": inspected.content_type,
    }


def _store_pages(document: Document, inspected: list, *, first_number: int) -> list[str]:
    """Save further pages of `document`; returns the storage names written (to delete if
    the transaction fails)."""
    written = []
    for number, (uploaded, result) in enumerate(inspected, start=first_number):
        page = DocumentPage(document=document, number=number, **_file_fields(uploaded, result))
        page.file.save("upload", ContentFile(result.content), save=False)
        written.append(page.file.name)
        page.save()
    return written


def _delete_document_files_on_commit(document: Document) -> None:
    _delete_file_on_commit(document.file.name)
    for page in document.extra_pages.all():
        _delete_file_on_commit(page.file.name)


@transaction.atomic
def document_upload(
    *,
    application: Application,
    kind: str,
    uploaded_file=None,
    actor,
    uploaded_files: list | None = None,
) -> Document:
    """Store the applicant's document of `kind` (replacing the current one of that kind and
    all its pages, except for "other") from `uploaded_files` (its pages, in order; or one
    `uploaded_file`). Every file is checked before anything is stored: one bad file refuses
    the whole upload. At most ``DOCUMENT_MAX_FILES`` files, each within
    ``DOCUMENT_MAX_BYTES``, together within ``DOCUMENT_MAX_TOTAL_BYTES``. Raises
    DomainError with a user-facing message."""
    if kind not in DocumentKind.values:
        raise DomainError(_("Choose what kind of document this is."))
    files = list(uploaded_files) if uploaded_files is not None else [uploaded_file]
    if not files or any(uploaded is None or not uploaded.size for uploaded in files[:1]):
        raise DomainError(_("The file is empty."))
    application = _lock_application(application)
    current = None
    if kind != DocumentKind.OTHER:
        current = application.documents.filter(kind=kind).order_by("-uploaded_at").first()
    elif application.documents.filter(kind=kind).count() >= MAX_OTHER_DOCUMENTS:
        raise DomainError(
            _("You can upload at most %(count)s other documents.") % {"count": MAX_OTHER_DOCUMENTS}
        )
    _check_may_change(application, actor, kind=kind, document=current)

    _upload_rate_check(actor, files=len(files))
    inspected = _inspect_files(files)
    first_file, first = inspected[0]
    document = Document(application=application, kind=kind, **_file_fields(first_file, first))
    # The storage name comes from `document_upload_to` (random); the given name is ignored.
    # What is stored is what the inspection returned (images re-encoded without metadata).
    document.file.save("upload", ContentFile(first.content), save=False)
    written = [document.file.name]
    try:
        document.save()
        written += _store_pages(document, inspected[1:], first_number=2)
        if current is not None:
            _delete_document_files_on_commit(current)
            current.delete()
    except Exception:
        for name in written:
            document.file.storage.delete(name)
        raise
    transaction.on_commit(
        lambda: logger.info(
            "Document %s (%s, %s files) uploaded to application %s",
            document.pk,
            kind,
            len(inspected),
            application.pk,
        )
    )
    return document


@transaction.atomic
def document_add_pages(*, document: Document, uploaded_files: list, actor) -> Document:
    """Add files (further pages) to the applicant's `document`, until it is verified (a
    verified document is replaced instead). The same checks as an upload, counting the
    pages it has. The document is then awaiting verification again (a rejection is
    cleared) and counts as uploaded now (`uploaded_at`: the documents-requested answer
    sees it). Raises DomainError with a user-facing message."""
    application = _lock_application(document.application)
    document = (
        Document.objects.select_for_update()
        .filter(pk=document.pk, application=application)
        .first()
    )
    if document is None:
        raise DomainError(_("This document has been replaced or removed."))
    _check_may_change(application, actor, kind=document.kind, document=document)
    if document.status == DocumentStatus.VERIFIED:
        raise DomainError(
            _(
                "This document has already been verified by the admissions office; pages "
                "cannot be added. Upload its replacement instead."
            )
        )
    pages = list(document.extra_pages.all())
    _upload_rate_check(actor, files=len(list(uploaded_files)))
    inspected = _inspect_files(
        list(uploaded_files),
        existing_pages=1 + len(pages),
        existing_bytes=document.size + sum(page.size for page in pages),
    )
    written: list[str] = []
    try:
        written = _store_pages(
            document, inspected, first_number=max([1, *(page.number for page in pages)]) + 1
        )
    except Exception:
        for name in written:
            document.file.storage.delete(name)
        raise
    document.status = DocumentStatus.PENDING
    document.rejection_reason = ""
    document.verified_by = None
    document.verified_at = None
    document.uploaded_at = timezone.now()
    document.save(
        update_fields=["status", "rejection_reason", "verified_by", "verified_at", "uploaded_at"]
    )
    return document


@transaction.atomic
def document_remove(*, document: Document, actor) -> None:
    """Remove an applicant's document, all its pages (rules in the module docstring)."""
    application = _lock_application(document.application)
    document = Document.objects.filter(pk=document.pk, application=application).first()
    if document is None:
        return  # already removed (a double click)
    _check_may_change(application, actor, kind=document.kind, document=document, removing=True)
    _delete_document_files_on_commit(document)
    document.delete()


def _check_staff(actor) -> None:
    if actor is None or not actor.is_staff or not actor.has_perm("admissions.change_document"):
        raise DomainError(_("You are not allowed to verify documents."))


def _save_verdict(document: Document, actor, *, status: str, reason: str) -> Document:
    document = Document.objects.select_for_update().get(pk=document.pk)
    document.status = status
    document.rejection_reason = reason
    document.verified_by = actor
    document.verified_at = timezone.now()
    document.save(update_fields=["status", "rejection_reason", "verified_by", "verified_at"])
    return document


@transaction.atomic
def document_verify(*, document: Document, actor) -> Document:
    """Staff verdict: the document is genuine and readable."""
    _check_staff(actor)
    return _save_verdict(document, actor, status=DocumentStatus.VERIFIED, reason="")


@transaction.atomic
def document_reject(*, document: Document, actor, reason: str) -> Document:
    """Staff verdict: the document cannot be accepted; `reason` is shown to the applicant."""
    _check_staff(actor)
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for rejecting the document; the applicant sees it."))
    return _save_verdict(document, actor, status=DocumentStatus.REJECTED, reason=reason)


@dataclass(frozen=True)
class DocumentRequirement:
    """One line of the document checklist."""

    kind: str
    label: str
    required: bool
    documents: tuple[Document, ...] = field(default_factory=tuple)
    # Required, but after submission: the certificate of an applicant not graduated yet.
    later: bool = False

    @property
    def document(self) -> Document | None:
        return self.documents[0] if self.documents else None

    @property
    def status(self) -> str:
        """ "missing" (required, none), "later" (to be provided after submission, none),
        "optional" (not required, none), or the verdict of the current document
        ("pending", "verified", "rejected")."""
        if self.document is None:
            if self.later:
                return "later"
            return "missing" if self.required else "optional"
        return self.document.status

    @property
    def needed_for_decision(self) -> bool:
        """Whether a decision needs it verified (required now or later)."""
        return self.required or self.later

    @property
    def required_label(self) -> str:
        """ "required" or "optional", agreeing with the document kind in the active language
        ("to be provided later" for a deferred one)."""
        if self.later:
            return str(_("to be provided later"))
        return document_kind_word(self.kind, "required" if self.required else "optional")

    @property
    def status_label(self) -> str:
        """The status as a word agreeing with the document kind (see `status`)."""
        status = self.status
        if status == "missing":
            return str(_("Missing"))
        if status == "later":
            return str(_("To be provided later"))
        if status == "pending":
            return str(_("Awaiting verification"))
        word = {"optional": "optional_missing"}.get(status, status)
        return document_kind_word(self.kind, word)


def document_requirements(*, application: Application) -> list[DocumentRequirement]:
    """The checklist for `application`. Uses the prefetched `choices` and `documents` if the
    caller prefetched them (the documents page and dashboard do, see views/documents.py)."""
    choices = list(application.choices.all())
    chosen = {
        "levels": {choice.offering.program.level for choice in choices},
        "languages": {choice.language.code for choice in choices},
        "graduation_expected": application.graduation_expected,
    }
    required = required_kinds(**chosen)
    later = later_kinds(**chosen)
    by_kind: dict[str, list[Document]] = {}
    for document in sorted(application.documents.all(), key=lambda d: d.uploaded_at, reverse=True):
        by_kind.setdefault(document.kind, []).append(document)
    return [
        DocumentRequirement(
            kind=kind.value,
            label=str(kind.label),
            required=kind.value in required,
            documents=tuple(by_kind.get(kind.value, ())),
            later=kind.value in later,
        )
        for kind in DocumentKind
    ]


def documents_purge_expired(*, now=None) -> int:
    """Delete the documents (rows and files) of rejected and withdrawn applications whose last
    status change is older than ``settings.DOCUMENT_RETENTION_DAYS``, and record what was
    removed in a `DocumentPurge` row per application (counts and kinds, no names). Returns how
    many documents were deleted. Idempotent: a second run finds nothing.

    Legal source: 152-FZ art. 5 part 7 and 94-V art. 12 (data are destroyed once the purpose
    of processing is achieved).
    """
    now = now or timezone.now()
    retention = settings.DOCUMENT_RETENTION_DAYS
    cutoff = now - timedelta(days=retention)
    last_change = (
        StatusEvent.objects.filter(application=OuterRef("pk"))
        .values("application")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    expired = (
        Application.objects.filter(
            status__in=statuses_in(Group.PURGEABLE),
            documents__isnull=False,
        )
        .annotate(last_change=Subquery(last_change))
        .distinct()
    )
    application_ids = [
        app.pk
        for app in expired.only("pk", "updated_at")
        if (app.last_change or app.updated_at) < cutoff
    ]
    deleted = 0
    for start in range(0, len(application_ids), 200):
        batch = application_ids[start : start + 200]
        with transaction.atomic():
            applications = {
                a.pk: a
                for a in Application.objects.select_for_update().filter(
                    pk__in=batch,
                    status__in=statuses_in(Group.PURGEABLE),
                )
            }
            documents = list(
                Document.objects.select_for_update()
                .filter(application_id__in=applications)
                .prefetch_related("extra_pages")
            )
            by_application: dict[int, list[Document]] = {}
            for document in documents:
                by_application.setdefault(document.application_id, []).append(document)
                _delete_document_files_on_commit(document)
            DocumentPurge.objects.bulk_create(
                DocumentPurge(
                    application_id=application_id,
                    reference=applications[application_id].reference or "",
                    status=applications[application_id].status,
                    documents=len(removed),
                    kinds=sorted({d.kind for d in removed}),
                    bytes_removed=sum(d.total_size for d in removed),
                    retention_days=retention,
                )
                for application_id, removed in by_application.items()
            )
            Document.objects.filter(pk__in=[d.pk for d in documents]).delete()
            deleted += len(documents)
    if deleted:
        logger.info("Purged %s documents of %s applications", deleted, len(application_ids))
    return deleted
