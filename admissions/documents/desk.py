"""The document desk's cells, shared by the application page (documents inline), the queue
of documents awaiting verification (`DocumentAdmin`) and the reviewer's page.

Each cell is rendered here once and carries `data-document-cell` and `data-document-id`, so
`static/js/document-desk.js` can replace it in place with the HTML the verdict views send
back (JSON): verifying or rejecting never reloads the page or moves it. Without JavaScript
the buttons post the page's form to the same views (`formaction`), which redirect back to
the row (`#document-<id>`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from admissions.documents.views import PREVIEWABLE_CONTENT_TYPES, document_display_name
from admissions.enums import DocumentStatus
from admissions.models import Document
from admissions.permissions import staff_may_verify_documents

__all__ = [
    "document_anchor",
    "document_cells",
    "document_file_cell",
    "document_status_cell",
    "document_verdict_cell",
]


def document_anchor(document: Document) -> str:
    return f"document-{document.pk}"


def _preview_kind(document: Document) -> str:
    if document.content_type not in PREVIEWABLE_CONTENT_TYPES:
        return ""
    return "pdf" if document.content_type == "application/pdf" else "image"


def _page_link(document: Document, page, user, *, anchor: str, count: int) -> SafeString:
    url = page.download_url
    name = document_display_name(page, user)
    if count > 1:
        name = gettext("p. %(number)s: %(name)s") % {"number": page.number, "name": name}
    kind = _preview_kind(page)
    if not kind:
        return format_html('<a href="{}"{}>{}</a>', url, anchor, name)
    title = f"{document.get_kind_display()} — {name}"
    return format_html(
        '<a href="{}?preview=1"{} target="_blank" rel="noopener" '
        'data-document-preview="{}?preview=1" data-preview-kind="{}" data-preview-title="{}" '
        'aria-haspopup="dialog">{}</a>',
        url,
        anchor,
        url,
        kind,
        title,
        name,
    )


def document_file_cell(document: Document, user) -> SafeString:
    """Every file of the document (its pages, in order; prefetch "extra_pages" for lists),
    each name (hidden from whom it may identify the applicant) a link opening its preview:
    in a dialog on the page (JavaScript), else in a new tab. One document: one verdict."""
    pages = document.pages
    links = [
        _page_link(
            document,
            page,
            user,
            anchor=format_html(' id="{}"', document_anchor(document)) if index == 0 else "",
            count=len(pages),
        )
        for index, page in enumerate(pages)
    ]
    if len(links) == 1:
        return links[0]
    return format_html(
        '<ol class="document-pages">{}</ol>',
        format_html_join("", "<li>{}</li>", ((link,) for link in links)),
    )


def document_status_cell(document: Document) -> SafeString:
    """Verification state, the reason of a rejection, and who decided when."""
    decided = ""
    if document.verified_at is not None:
        decided = format_html(
            '<div class="document-decided">{} · {}</div>',
            document.verified_by or "—",
            f"{timezone.localtime(document.verified_at):%Y-%m-%d %H:%M}",
        )
    reason = ""
    if document.status == DocumentStatus.REJECTED and document.rejection_reason:
        reason = format_html('<div class="document-reason">{}</div>', document.rejection_reason)
    return format_html(
        '<div class="document-status" data-document-cell="status" data-document-id="{}">'
        '<span class="document-badge document-badge--{}">{}</span>{}{}</div>',
        document.pk,
        document.status,
        document.get_status_display(),
        reason,
        decided,
    )


def document_verdict_cell(document: Document, user, *, next_url: str) -> SafeString:
    """Verify and reject-with-a-reason controls (empty for whom may not verify)."""
    if not staff_may_verify_documents(user):
        return ""
    query = urlencode({"next": next_url})
    verify_url = reverse("admin:admissions_document_verify", args=[document.pk])
    reject_url = reverse("admin:admissions_document_reject", args=[document.pk])
    verify = ""
    if document.status != DocumentStatus.VERIFIED:
        verify = format_html(
            '<button type="submit" class="button document-verify" formaction="{}?{}" '
            'formmethod="post" formnovalidate data-document-action="verify" '
            'data-document-id="{}">{}</button>',
            verify_url,
            query,
            document.pk,
            gettext("Verify"),
        )
    pending = ""
    if document.status == DocumentStatus.PENDING:
        # "Verify all shown" verifies the pending documents of the rows on the page.
        pending = format_html(
            '<input type="hidden" name="shown_document" value="{}">', document.pk
        )
    reject = ""
    if document.status != DocumentStatus.REJECTED:
        reject = format_html(
            '<details class="document-reject"><summary>{}</summary>'
            '<label for="reason-{}">{}</label>'
            '<textarea id="reason-{}" name="reason-{}" rows="2" cols="24"></textarea>'
            '<button type="submit" class="button" formaction="{}?{}" formmethod="post" '
            'formnovalidate data-document-action="reject" data-document-id="{}">{}</button>'
            "</details>",
            gettext("Reject…"),
            document.pk,
            gettext("Reason for rejection (the applicant reads it)"),
            document.pk,
            document.pk,
            reject_url,
            query,
            document.pk,
            gettext("Reject the document"),
        )
    return format_html(
        '<div class="document-verdict" data-document-cell="verdict" data-document-id="{}">'
        "{}{}{}</div>",
        document.pk,
        pending,
        verify,
        reject,
    )


def document_cells(document: Document, user, *, next_url: str) -> dict[str, str]:
    """The cells the page replaces after a verdict, as sent back in JSON."""
    return {
        "status": str(document_status_cell(document)),
        "verdict": str(document_verdict_cell(document, user, next_url=next_url)),
    }
