"""Scheduled purge of the documents of rejected and withdrawn applications."""

from __future__ import annotations

from celery import shared_task

from admissions.documents.services import documents_purge_expired

__all__ = ["purge_documents"]


@shared_task(name="admissions.purge_documents")
def purge_documents() -> int:
    """Delete documents past the retention period (idempotent: a second run finds none)."""
    return documents_purge_expired()
