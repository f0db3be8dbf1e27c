"""Verification tokens printed on the applicant's papers.

A token names one paper (the application of a reference number, or one scholarship award)
and the time it was issued, signed with the site's secret key by `django.core.signing` under
a salt of its own, so a token made for another purpose (a password reset, a calendar link)
never verifies here. A token cannot be forged without the secret key. It does not expire,
because a printed paper must stay verifiable; the page it opens shows the paper's *current*
decision, so a paper printed before the decision changed cannot mislead its reader.

Token shape (URL-safe, no slash): ``<kind>.<key>:<timestamp>:<signature>``, for example
``A.KZO-2025-000123:1tXyz0:2x...``; `kind` is ``A`` (application) or ``O`` (offer letter).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core import signing
from django.db.models import TextChoices
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

__all__ = [
    "PaperKind",
    "PaperReference",
    "paper_token_issue",
    "paper_token_read",
    "paper_verify_path",
]

SALT = "admissions.papers.verification"
_FORBIDDEN_IN_KEY = frozenset(":/.")


class PaperKind(TextChoices):
    APPLICATION = "A", _("Submitted application")
    OFFER_LETTER = "O", _("Scholarship offer letter")


@dataclass(frozen=True)
class PaperReference:
    """What a genuine token names: the kind of paper, its key (the application's reference
    number or the award's id, as text) and when the paper was issued (aware, UTC)."""

    kind: PaperKind
    key: str
    issued_at: datetime.datetime


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def paper_token_issue(*, kind: PaperKind, key: str | int) -> str:
    """A new signed token for the paper `kind` with `key` (reference number or award id),
    stamped with the current time. Raises ValueError for an empty key or one holding
    ``:``, ``/`` or ``.``, which the token's shape cannot carry."""
    key = str(key)
    if not key or _FORBIDDEN_IN_KEY & set(key):
        raise ValueError(f"Unusable paper key: {key!r}")
    return _signer().sign(f"{PaperKind(kind).value}.{key}")


def paper_token_read(token: str) -> PaperReference | None:
    """The paper `token` names, or None when it is forged, altered or malformed (the caller
    answers 404, so a bad token reveals nothing)."""
    signer = _signer()
    try:
        # The plain Signer check covers value and timestamp; then split the timestamp off.
        stamped = signing.Signer.unsign(signer, token)
        value, stamp = stamped.rsplit(signer.sep, 1)
        issued = datetime.datetime.fromtimestamp(signing.b62_decode(stamp), tz=datetime.UTC)
        kind_code, key = value.split(".", 1)
        kind = PaperKind(kind_code)
    except (signing.BadSignature, ValueError, OverflowError, OSError):
        return None
    if not key or _FORBIDDEN_IN_KEY & set(key):
        return None
    return PaperReference(kind=kind, key=key, issued_at=issued)


def paper_verify_path(*, kind: PaperKind, key: str | int) -> str:
    """The path of the public verification page for a new token of this paper, in the
    active language (the caller prefixes the site's address)."""
    return reverse("papers:verify", kwargs={"token": paper_token_issue(kind=kind, key=key)})
