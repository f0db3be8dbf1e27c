"""Documents: verification by staff.

NOTE for the merge: the applicant engineer owns this module (upload, download, purge);
`document_verify` and `document_reject` below are the minimal versions the staff admin relies
on, with the agreed signatures. Keep the applicant engineer's versions at merge.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..enums import DocumentStatus
from ..errors import DomainError
from ..models import Document

__all__ = ["document_reject", "document_verify"]


@transaction.atomic
def document_verify(*, document: Document, actor) -> Document:
    locked = Document.objects.select_for_update().get(pk=document.pk)
    locked.status = DocumentStatus.VERIFIED
    locked.rejection_reason = ""
    locked.verified_by = actor
    locked.verified_at = timezone.now()
    locked.save(update_fields=["status", "rejection_reason", "verified_by", "verified_at"])
    return locked


@transaction.atomic
def document_reject(*, document: Document, actor, reason: str) -> Document:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason why the document is rejected."))
    locked = Document.objects.select_for_update().get(pk=document.pk)
    locked.status = DocumentStatus.REJECTED
    locked.rejection_reason = reason
    locked.verified_by = actor
    locked.verified_at = timezone.now()
    locked.save(update_fields=["status", "rejection_reason", "verified_by", "verified_at"])
    return locked
