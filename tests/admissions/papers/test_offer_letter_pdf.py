"""The scholarship offer letter as a PDF: in the applicant's language, for live awards, to
their owner and the staff who handle awards only."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.admissions.papers.test_application_pdf import link_targets, pdf_of, text_of
from tests.admissions.staff_helpers import committee, reviewer
from tests.factories import (
    ApplicantProfileFactory,
    AwardFactory,
    ChoiceFactory,
    LanguageFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OMSK = datetime.timezone(datetime.timedelta(hours=6))


def award_for(*, language="ru", state="offered"):
    profile = ApplicantProfileFactory(
        preferred_language=language, last_name_native="Иванова", first_name_native="Мария"
    )
    respond_by = datetime.datetime(2099, 3, 12, 17, 59, tzinfo=datetime.UTC)
    award = AwardFactory(
        application__applicant=profile.user,
        application__reference="KZO-2099-000077",
        application__submitted_at=timezone.now(),
        state=state,
        respond_by=respond_by,
        offered_at=respond_by - datetime.timedelta(days=7),
        offering__program__title="Таможенное дело",
    )
    ChoiceFactory(
        application=award.application, offering=award.offering, language=LanguageFactory(code="kk")
    )
    return award


def download(client, award):
    return client.get(reverse("papers:offer_letter_pdf", args=[award.pk]))


def test_russian_offer_letter_names_program_fund_and_answer_by_in_omsk_time(client):
    award = award_for(language="ru")
    client.force_login(award.application.applicant)
    response = download(client, award)
    text = text_of(pdf_of(response))
    assert "KZO-2099-000077" in text
    assert "Иванова Мария" in text
    assert "Таможенное дело" in text
    assert award.fund.name in text
    # 17:59 UTC is 23:59 in Omsk.
    assert "12 марта 2099 г., 23:59" in text
    assert 'filename="KZO-2099-000077-scholarship-offer.pdf"' in response["Content-Disposition"]


def test_kazakh_offer_letter_is_in_kazakh(client):
    award = award_for(language="kk", state="accepted")
    client.force_login(award.application.applicant)
    reader = pdf_of(download(client, award))
    text = text_of(reader)
    assert "KZO-2099-000077" in text
    assert "Стипендия ұсынысы туралы хат" in text
    assert "қ" in text and "ұ" in text
    assert any("/kk/verify/O." in link for link in link_targets(reader))


@pytest.mark.parametrize("state", ["declined", "expired", "revoked"])
def test_no_letter_for_an_award_that_is_no_longer_live(client, state):
    award = award_for(state=state)
    client.force_login(award.application.applicant)
    assert download(client, award).status_code == 404


def test_other_users_and_staff_without_the_role_get_404(client):
    award = award_for()
    for user in (UserFactory(), reviewer(award.offering.program), UserFactory(is_staff=True)):
        client.force_login(user)
        assert download(client, award).status_code == 404


def test_the_scholarship_committee_downloads_the_letter(client):
    award = award_for(language="kk")
    client.force_login(committee())
    assert "KZO-2099-000077" in text_of(pdf_of(download(client, award)))


def test_offer_page_and_dashboard_link_to_the_letter(client):
    award = award_for()
    client.force_login(award.application.applicant)
    url = reverse("papers:offer_letter_pdf", args=[award.pk])
    assert url in client.get(reverse("admissions:award_detail", args=[award.pk])).content.decode()
    assert url in client.get(reverse("admissions:dashboard")).content.decode()
