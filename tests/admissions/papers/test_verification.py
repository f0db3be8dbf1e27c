"""The public verification page: a genuine token shows the reference and the current
decision, nothing personal; a forged, altered or foreign token is a 404."""

from __future__ import annotations

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from admissions.enums import ApplicationStatus
from admissions.papers.verification import (
    SALT,
    PaperKind,
    paper_token_issue,
    paper_token_read,
)
from tests.factories import ApplicantProfileFactory, ApplicationFactory, AwardFactory

pytestmark = pytest.mark.django_db


def submitted(**fields):
    profile = ApplicantProfileFactory(last_name_native="Сейтқали", identifier="N-SECRET-1")
    return ApplicationFactory(
        applicant=profile.user,
        status=ApplicationStatus.ACCEPTED,
        reference="KZO-2099-000123",
        submitted_at=timezone.now(),
        **fields,
    )


def verify(client, token):
    return client.get(reverse("papers:verify", args=[token]))


def test_genuine_application_token_shows_reference_and_decision_only(client):
    application = submitted()
    token = paper_token_issue(kind=PaperKind.APPLICATION, key=application.reference)
    response = verify(client, token)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This paper is genuine" in page
    assert "KZO-2099-000123" in page
    assert "Accepted" in page
    for personal in ("Сейтқали", "Aigerim", "N-SECRET-1", application.applicant.email):
        assert personal not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_genuine_offer_letter_token_shows_the_awards_current_state(client):
    award = AwardFactory(application__reference="KZO-2099-000124", state="accepted")
    response = verify(client, paper_token_issue(kind=PaperKind.OFFER_LETTER, key=award.pk))
    assert response.status_code == 200
    page = response.content.decode()
    assert "KZO-2099-000124" in page and "Scholarship offer letter" in page
    assert "Accepted" in page


def test_the_page_shows_the_current_decision_not_the_printed_one(client):
    application = submitted()
    token = paper_token_issue(kind=PaperKind.APPLICATION, key=application.reference)
    application.status = ApplicationStatus.WITHDRAWN
    application.save(update_fields=["status"])
    assert "Withdrawn" in verify(client, token).content.decode()


def test_forged_tokens_are_404(client):
    application = submitted()
    genuine = paper_token_issue(kind=PaperKind.APPLICATION, key=application.reference)
    value, stamp, signature = genuine.rsplit(":", 2)
    forged = [
        # Another reference under the genuine signature.
        f"A.KZO-2099-000999:{stamp}:{signature}",
        # A signature changed by one character.
        f"{value}:{stamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",
        # Signed by the same key for another purpose (another salt).
        signing.TimestampSigner(salt="another.purpose").sign(f"A.{application.reference}"),
        # Signed with another key.
        signing.TimestampSigner(key="not-the-site-key", salt=SALT).sign(
            f"A.{application.reference}"
        ),
        "garbage",
        "A.KZO-2099-000123",
    ]
    for token in forged:
        assert paper_token_read(token) is None, token
        assert verify(client, token).status_code == 404, token


def test_genuine_token_of_an_unknown_paper_is_404(client):
    assert (
        verify(client, paper_token_issue(kind=PaperKind.APPLICATION, key="KZO-1-1")).status_code
        == 404
    )
    assert (
        verify(client, paper_token_issue(kind=PaperKind.OFFER_LETTER, key=999999)).status_code
        == 404
    )


def test_token_round_trip_and_keys_the_shape_cannot_carry():
    token = paper_token_issue(kind=PaperKind.OFFER_LETTER, key=42)
    paper = paper_token_read(token)
    assert paper.kind == PaperKind.OFFER_LETTER and paper.key == "42"
    assert abs((timezone.now() - paper.issued_at).total_seconds()) < 5
    for bad in ("", "a:b", "a/b", "a.b"):
        with pytest.raises(ValueError):
            paper_token_issue(kind=PaperKind.APPLICATION, key=bad)
