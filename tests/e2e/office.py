"""Helpers of the office browser tests: a logged-in browser and applications with content."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from admissions.enums import ApplicationStatus
from tests import files
from tests.admissions.staff_helpers import application_for
from tests.factories import ApplicantProfileFactory, DocumentFactory, ExamResultFactory


def login(context, live_server, user) -> None:
    """Give the browser `context` a session of `user` (no login form: not under test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def person(number: int) -> dict:
    """Distinctive identifying data of applicant `number`: none of it may reach a blind
    reviewer."""
    return {
        "last_name_native": f"Уникальнова{number}",
        "first_name_native": f"Зарина{number}",
        "last_name_latin": f"Unikalnova{number}",
        "first_name_latin": f"Zarina{number}",
        "birth_date": date(2007, 3, 10 + number),
        "identifier": f"PX{number}554433",
        "phone": f"+7701555443{number}",
    }


def identifying_texts(number: int, application) -> list[str]:
    data = person(number)
    born = data["birth_date"]
    return [
        data["last_name_native"],
        data["first_name_native"],
        data["last_name_latin"],
        data["first_name_latin"],
        born.isoformat(),
        born.strftime("%d.%m.%Y"),
        f"{born:%B} {born.day}, {born.year}",
        data["identifier"],
        data["phone"],
        application.applicant.email,
        application.applicant.username,
        application.education_institution,
        application.education_document_number,
        f"passport-{data['last_name_latin']}.pdf",
        f"attestat-{data['last_name_latin']}.pdf",
    ]


def full_application(offering, number: int, *, status=ApplicationStatus.UNDER_REVIEW, **kwargs):
    """A submitted application with a profile, education, an exam, a motivation statement
    and an identity, an education and a photo document (a real PDF and PNG)."""
    profile = ApplicantProfileFactory(
        **person(number), user__username=f"zarina{number}", user__email=f"z{number}@mail.kz"
    )
    application = application_for(
        offering,
        profile=profile,
        status=status,
        submitted_at=timezone.now() - timedelta(days=10 - number),
        education_institution=f"Лицей имени Абая №{number} (Павлодар)",
        education_country="KZ",
        education_document_kind="school_certificate",
        education_document_number=f"ЖОБ-{number}0071234",
        graduation_year=2025,
        grade_average=Decimal("4.70"),
        grade_scale_max=Decimal("5.00"),
        motivation=f"Мотивация номер {number}. " + "Я хочу изучать международное право. " * 12,
        **kwargs,
    )
    ExamResultFactory(application=application, subject="История Казахстана")
    last = person(number)["last_name_latin"]
    DocumentFactory(application=application, kind="identity", original_name=f"passport-{last}.pdf")
    DocumentFactory(
        application=application, kind="education", original_name=f"attestat-{last}.pdf"
    )
    DocumentFactory(
        application=application,
        kind="photo",
        original_name=f"photo-{last}.png",
        file=ContentFile(files.png_bytes(size=(60, 80)), name="photo.png"),
        content_type="image/png",
    )
    return application
