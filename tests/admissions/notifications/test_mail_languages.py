"""E-mails are wholly in the recipient's language: names of data (funds, programs) too,
whatever language the request or command that queued them was running in."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from admissions.enums import ApplicationStatus
from admissions.models import ApplicantProfile, OutgoingMail
from admissions.notifications.outbox import mail_render
from admissions.scholarships.awards import award_offer
from tests.admissions.scholarship_data import closed_cycle, make_fund, make_offering
from tests.factories import ApplicationFactory, ChoiceFactory, ExamResultFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "fund_name", "program_title"),
    [
        ("kk", "Қазақстан Республикасының Үкіметі", "Халықаралық құқық"),
        ("ru", "Правительство Республики Казахстан", "Международное право"),
    ],
    ids=["kk", "ru"],
)
def test_scholarship_offer_mail_names_fund_and_program_in_the_recipients_language(
    language, fund_name, program_title
):
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=2)
    offering.program.title_en = "International Law"
    offering.program.title_kk = "Халықаралық құқық"
    offering.program.title_ru = "Международное право"
    offering.program.save()
    fund = make_fund(cycle, government="KZ", seats=2, citizenships=["KZ"])
    fund.name_en = "Government of the Republic of Kazakhstan"
    fund.name_kk = "Қазақстан Республикасының Үкіметі"
    fund.name_ru = "Правительство Республики Казахстан"
    fund.save()
    application = ApplicationFactory(
        cycle=cycle,
        status=ApplicationStatus.ACCEPTED,
        scholarship_requested=True,
        submitted_at=timezone.now() - timedelta(days=5),
        reference=f"KZO-{cycle.code}-000001",
    )
    ApplicantProfile.objects.filter(user=application.applicant).update(preferred_language=language)
    ChoiceFactory(application=application, offering=offering, priority=1)
    ExamResultFactory(application=application, score=Decimal(90), max_score=Decimal(100))

    # The officer works in English; the applicant reads their own language.
    with translation.override("en"):
        award = award_offer(application=application, fund=fund, offering=offering)

    mail = OutgoingMail.objects.get(idempotency_key=f"award-{award.pk}-offered")
    assert mail.language == language
    assert (mail.context["fund"], mail.context["program"]) == (fund_name, program_title)
    _subject, text, html = mail_render(mail)
    for body in (text, html):
        assert fund_name in body
        assert program_title in body
        assert "Government of" not in body
        assert "International Law" not in body


def test_kazakh_pages_write_dates_day_first_with_the_24_hour_clock():
    # Django has no kk formats; without config/formats/kk this was "Сәу. 15, 2025, 2:05 Т.Ж.".
    # Month names are lower case inside a Kazakh date.
    moment = timezone.make_aware(datetime(2025, 9, 15, 14, 5))  # Omsk time
    with translation.override("kk"):
        assert date_format(moment, "DATETIME_FORMAT") == "15 қыркүйек 2025 ж., 14:05"
        assert date_format(moment, "SHORT_DATETIME_FORMAT") == "15.09.2025 14:05"
        assert date_format(moment.date(), "DATE_FORMAT") == "15 қыркүйек 2025 ж."
    with translation.override("ru"):
        assert date_format(moment, "DATETIME_FORMAT") == "15 сентября 2025 г., 14:05"
    with translation.override("en"):
        assert date_format(moment, "DATETIME_FORMAT") == "15 September 2025, 14:05"
