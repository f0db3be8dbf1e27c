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
* One current file per kind, except "other" (up to `MAX_OTHER_DOCUMENTS`): uploading a kind
  that already has a file replaces it; the old file is deleted once the transaction commits.
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
from admissions.documents.requirements import required_kinds
from admissions.documents.validation import EXTENSIONS, document_file_inspect
from admissions.enums import DocumentKind, DocumentStatus
from admissions.errors import DomainError
from admissions.models import Application, Document, DocumentPurge, StatusEvent

__all__ = [
    "ACCEPTED_CONTENT_TYPES",
    "DocumentRequirement",
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


def _upload_rate_check(actor) -> None:
    """At most ``DOCUMENT_UPLOADS_PER_HOUR`` uploads per account in a sliding hour (counted
    in the cache; when the cache is unavailable the count is per process)."""
    limit = settings.DOCUMENT_UPLOADS_PER_HOUR
    now = timezone.now().timestamp()
    key = f"document-uploads:{actor.pk}"
    recent = [stamp for stamp in cache.get(key, []) if stamp > now - 3600]
    if len(recent) >= limit:
        raise DomainError(
            _(
                "You have uploaded many files in the last hour. Please wait a while before "
                "uploading more."
            )
        )
    cache.set(key, [*recent, now], 3600)


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
@transaction.atomic
def document_upload(*, application: Application, kind: str, uploaded_file, actor) -> Document:
    """Store `uploaded_file` as the applicant's document of `kind` (replacing the current one
    of that kind, except for "other"). Raises DomainError with a user-facing message."""
    if kind not in DocumentKind.values:
        raise DomainError(_("Choose what kind of document this is."))
    if uploaded_file is None or not uploaded_file.size:
        raise DomainError(_("The file is empty."))
    limit = settings.DOCUMENT_MAX_BYTES
    if uploaded_file.size > limit:
        raise DomainError(
            _("The file is too large: at most %(limit)s MB are accepted.")
            % {"limit": f"{limit / (1024 * 1024):.1f}".rstrip("0").rstrip(".")}
        )
    application = _lock_application(application)
    current = None
    if kind != DocumentKind.OTHER:
        current = application.documents.filter(kind=kind).order_by("-uploaded_at").first()
    elif application.documents.filter(kind=kind).count() >= MAX_OTHER_DOCUMENTS:
        raise DomainError(
            _("You can upload at most %(count)s other documents.") % {"count": MAX_OTHER_DOCUMENTS}
        )
    _check_may_change(application, actor, kind=kind, document=current)

    _upload_rate_check(actor)
    inspected = document_file_inspect(uploaded_file)
    content = inspected.content
    if len(content) > limit:
        raise DomainError(_("The file is too large."))

    document = Document(
        application=application,
        kind=kind,
        original_name=with_extension(
            sanitise_file_name(getattr(uploaded_file, "name", "")), inspected.extension
        ),
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type=inspected.content_type,
    )
    # The storage name comes from `document_upload_to` (random); the given name is ignored.
    # What is stored is what the inspection returned (images re-encoded without metadata).
    document.file.save("upload", ContentFile(content), save=False)
    try:
        document.save()
        if current is not None:
            _delete_file_on_commit(current.file.name)
            current.delete()
    except Exception:
        document.file.storage.delete(document.file.name)
        raise
    transaction.on_commit(
        lambda: logger.info(
            "Document %s (%s) uploaded to application %s", document.pk, kind, application.pk
        )
    )
    return document


@transaction.atomic
def document_remove(*, document: Document, actor) -> None:
    """Remove an applicant's document (rules in the module docstring)."""
    application = _lock_application(document.application)
    document = Document.objects.filter(pk=document.pk, application=application).first()
    if document is None:
        return  # already removed (a double click)
    _check_may_change(application, actor, kind=document.kind, document=document, removing=True)
    _delete_file_on_commit(document.file.name)
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

    @property
    def document(self) -> Document | None:
        return self.documents[0] if self.documents else None

    @property
    def status(self) -> str:
        """ "missing" (required, none), "optional" (not required, none), or the verdict of
        the current document ("pending", "verified", "rejected")."""
        if self.document is None:
            return "missing" if self.required else "optional"
        return self.document.status

    @property
    def required_label(self) -> str:
        """ "required" or "optional", agreeing with the document kind in the active language."""
        return document_kind_word(self.kind, "required" if self.required else "optional")

    @property
    def status_label(self) -> str:
        """The status as a word agreeing with the document kind (see `status`)."""
        status = self.status
        if status == "missing":
            return str(_("Missing"))
        if status == "pending":
            return str(_("Awaiting verification"))
        word = {"optional": "optional_missing"}.get(status, status)
        return document_kind_word(self.kind, word)


def document_requirements(*, application: Application) -> list[DocumentRequirement]:
    """The checklist for `application`. Uses the prefetched `choices` and `documents` if the
    caller prefetched them (the documents page and dashboard do, see views/documents.py)."""
    choices = list(application.choices.all())
    required = required_kinds(
        levels={choice.offering.program.level for choice in choices},
        languages={choice.language.code for choice in choices},
    )
    by_kind: dict[str, list[Document]] = {}
    for document in sorted(application.documents.all(), key=lambda d: d.uploaded_at, reverse=True):
        by_kind.setdefault(document.kind, []).append(document)
    return [
        DocumentRequirement(
            kind=kind.value,
            label=str(kind.label),
            required=kind.value in required,
            documents=tuple(by_kind.get(kind.value, ())),
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
                Document.objects.select_for_update().filter(application_id__in=applications)
            )
            by_application: dict[int, list[Document]] = {}
            for document in documents:
                by_application.setdefault(document.application_id, []).append(document)
                _delete_file_on_commit(document.file.name)
            DocumentPurge.objects.bulk_create(
                DocumentPurge(
                    application_id=application_id,
                    reference=applications[application_id].reference or "",
                    status=applications[application_id].status,
                    documents=len(removed),
                    kinds=sorted({d.kind for d in removed}),
                    bytes_removed=sum(d.size for d in removed),
                    retention_days=retention,
                )
                for application_id, removed in by_application.items()
            )
            Document.objects.filter(pk__in=[d.pk for d in documents]).delete()
            deleted += len(documents)
    if deleted:
        logger.info("Purged %s documents of %s applications", deleted, len(application_ids))
    return deleted
