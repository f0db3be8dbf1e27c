"""What staff see in the admin, found by walking it as each role in kk/ru/en: no links to pages
that answer 403, no ambiguous labels, no crash on a stale export address, data in the right
language, and query budgets on the changelists that had none."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from admissions.applications.admin import ApplicationAdmin
from admissions.enums import ApplicationStatus, DocumentStatus
from admissions.models import (
    ExamResult,
    OutgoingMail,
    RankingSnapshot,
    StatusEvent,
)
from admissions.scholarships.awards import award_offer
from programs.models import AdmissionCycle, Program
from tests.admissions.scholarship_data import closed_cycle, make_fund, make_offering
from tests.admissions.staff_helpers import application_for, committee, officer, reviewer
from tests.factories import (
    ApplicantProfileFactory,
    ApplicationFactory,
    AwardFactory,
    ChoiceFactory,
    DocumentFactory,
    ExamResultFactory,
    ReviewerAssignmentFactory,
    ReviewFactory,
    RubricCriterionFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

CHANGE = "admin:admissions_application_change"


def _admin_links(html: str, language: str) -> set[str]:
    links = set(re.findall(rf'href="(/{language}/admin/[^"#?]*)"', html))
    return {link for link in links if not link.endswith(("/logout/", "/password_change/"))}


@pytest.fixture
def busy_application():
    """An application with every related object the change page links to."""
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=1)
    staff = officer()
    application = application_for(offering, status=ApplicationStatus.UNDER_REVIEW)
    StatusEvent.objects.create(
        application=application,
        from_status=ApplicationStatus.DRAFT,
        to_status=ApplicationStatus.SUBMITTED,
        actor=application.applicant,
    )
    DocumentFactory(
        application=application,
        status=DocumentStatus.VERIFIED,
        verified_by=staff,
        verified_at=timezone.now(),
    )
    ReviewFactory(application=application, reviewer=staff, score=Decimal("70"))
    return application, offering, staff


@pytest.mark.parametrize("role", ["officer", "committee", "reviewer", "blind"])
@pytest.mark.parametrize("language", ["ru", "kk"])
def test_change_page_links_only_to_pages_the_user_may_open(
    client, busy_application, role, language
):
    application, offering, staff = busy_application
    users = {
        "officer": lambda: staff,
        "committee": committee,
        "reviewer": lambda: reviewer(offering.program),
        "blind": lambda: reviewer(offering.program, blind=True),
    }
    client.force_login(users[role]())
    with translation.override(language):
        url = reverse(CHANGE, args=[application.pk])
    response = client.get(url)
    assert response.status_code == 200
    links = _admin_links(response.content.decode(), language)
    assert links  # breadcrumbs at least
    refused = {link: client.get(link).status_code for link in links}
    assert not {link: code for link, code in refused.items() if code == 403}


def test_related_objects_stay_links_for_those_who_may_open_them(admin_client, busy_application):
    application, offering, _staff = busy_application
    html = admin_client.get(reverse(CHANGE, args=[application.pk])).content.decode()
    assert reverse("admin:programs_admissioncycle_change", args=[application.cycle_id]) in html
    assert reverse("admin:programs_offering_change", args=[offering.pk]) in html


def test_reviewer_sees_the_cycle_and_program_as_text(client, busy_application):
    application, offering, _staff = busy_application
    client.force_login(reviewer(offering.program))
    response = client.get(reverse(CHANGE, args=[application.pk]))
    html = response.content.decode()
    assert escape(str(application.cycle)) in html
    assert escape(str(offering.program)) in html
    assert "/admin/programs/" not in html
    assert "/admin/auth/user/" not in html


def test_change_page_is_titled_application_not_change_application(client, busy_application):
    application, _offering, staff = busy_application
    client.force_login(staff)
    with translation.override("ru"):
        url = reverse(CHANGE, args=[application.pk])
    html = client.get(url).content.decode()
    assert "Изменить заявка" not in html
    assert re.search(r"<h1>\s*Заявка\s*</h1>", html)


def test_person_name_and_mail_subject_do_not_share_a_word_with_objects():
    # "name" of a program is «название», of a person «ФИО»; the "subject" of an exam is
    # «предмет», of an e-mail «тема»: each has its own message context for the translators.
    column = ApplicationAdmin.applicant_name.short_description
    mail_subject = OutgoingMail._meta.get_field("subject").verbose_name
    exam_subject = ExamResult._meta.get_field("subject").verbose_name
    assert column._args == ("person", "name")
    assert mail_subject._args == ("e-mail", "subject")
    assert exam_subject._args == ("subject",)


def test_document_buttons_column_is_not_titled_like_the_status_column(client, busy_application):
    application, _offering, staff = busy_application
    client.force_login(staff)
    with translation.override("kk"):
        url = reverse(CHANGE, args=[application.pk])
    html = client.get(url).content.decode()
    headers = re.findall(r'<th class="column-[^"]*[^>]*>\s*([^<]+?)\s*<', html)
    headers = [h.strip().lower() for h in headers]
    assert len(headers) == len(set(headers)), headers


def test_export_with_a_stale_filter_goes_back_to_the_list(client):
    client.force_login(officer())
    url = reverse("admin:admissions_application_export")
    response = client.get(url, {"_format": "csv", "no_such_field": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("admin:admissions_application_changelist") + "?e=1"
    )


def test_award_mail_names_the_fund_in_the_applicant_language(
    django_capture_on_commit_callbacks,
):
    cycle = closed_cycle(total=2)
    offering = make_offering(cycle, slug="law", scholarship_seats=1)
    fund = make_fund(cycle, government="KZ", seats=1, citizenships=["KZ"])
    fund.name_ru, fund.name_kk, fund.name_en = "Фонд РК", "ҚР қоры", "Fund of Kazakhstan"
    fund.save()
    profile = ApplicantProfileFactory(preferred_language="en", citizenship="KZ")
    application = ApplicationFactory(
        applicant=profile.user,
        cycle=cycle,
        status=ApplicationStatus.ACCEPTED,
        scholarship_requested=True,
        reference="KZO-2025-000777",
        submitted_at=timezone.now() - timedelta(days=3),
    )
    ChoiceFactory(application=application, offering=offering, priority=1)
    ExamResultFactory(application=application, score=Decimal(90), max_score=Decimal(100))
    # The committee member works in Kazakh; the applicant reads English.
    with translation.override("kk"), django_capture_on_commit_callbacks(execute=True):
        award = award_offer(
            application=application, fund=fund, offering=offering, actor=StaffFactory()
        )
    mail = OutgoingMail.objects.get(idempotency_key=f"award-{award.pk}-offered")
    assert mail.context["fund"] == "Fund of Kazakhstan"


def test_awards_list_and_ranking_tell_bachelor_from_master(admin_client):
    cycle = closed_cycle(total=4)
    bachelor = make_offering(cycle, slug="law", scholarship_seats=1)
    master = make_offering(cycle, slug="law-m", scholarship_seats=1)
    master.program.title, master.program.level = bachelor.program.title, "master"
    master.program.save()
    fund = make_fund(cycle, government="KZ", seats=2)
    AwardFactory(application__cycle=cycle, fund=fund, offering=master)
    with translation.override("en"):
        awards = admin_client.get(reverse("admin:admissions_scholarshipaward_changelist"))
        ranking = admin_client.get(reverse("admin:awards_ranking", args=[master.pk]))
        overview = admin_client.get(reverse("admin:awards_overview"))
    assert str(master.program) != str(bachelor.program)
    assert escape(str(master.program)) in awards.content.decode()
    assert str(master.program) in ranking.context["title"]
    assert escape(str(master.program)) in overview.content.decode()
    assert escape(str(bachelor.program)) in overview.content.decode()


# --- Query budgets on the changelists that had none ---------------------------------------


def _awards(n, cycle, offering, fund):
    for _ in range(n):
        AwardFactory(application__cycle=cycle, fund=fund, offering=offering)


def _snapshots(n, cycle, offering, fund):
    staff = StaffFactory()
    RankingSnapshot.objects.bulk_create(
        RankingSnapshot(offering=offering, published_by=staff, rows=[]) for _ in range(n)
    )


def _reviews(n, cycle, offering, fund):
    for _ in range(n):
        ReviewFactory(application=application_for(offering), reviewer=StaffFactory())


def _assignments(n, cycle, offering, fund):
    for _ in range(n):
        ReviewerAssignmentFactory(program=offering.program)


def _criteria(n, cycle, offering, fund):
    for _ in range(n):
        RubricCriterionFactory(cycle=cycle)


def _programs(n, cycle, offering, fund):
    for _ in range(n):
        make_offering(cycle, slug=f"p{Program.objects.count()}", scholarship_seats=1)


def _cycles(n, cycle, offering, fund):
    for _ in range(n):
        code = str(3000 + AdmissionCycle.objects.count())
        make_fund(closed_cycle(code=code), government="KZ", seats=1)


def _funds(n, cycle, offering, fund):
    for index in range(n):
        other = closed_cycle(code=str(4000 + AdmissionCycle.objects.count()))
        make_fund(other, government="RU", seats=1, citizenships=["RU", "BY"], position=index)


@pytest.mark.parametrize(
    "changelist, build",
    [
        ("admin:programs_program_changelist", _programs),
        ("admin:programs_admissioncycle_changelist", _cycles),
        ("admin:programs_scholarshipfund_changelist", _funds),
        ("admin:admissions_scholarshipaward_changelist", _awards),
        ("admin:admissions_rankingsnapshot_changelist", _snapshots),
        ("admin:admissions_review_changelist", _reviews),
        ("admin:admissions_reviewerassignment_changelist", _assignments),
        ("admin:admissions_rubriccriterion_changelist", _criteria),
    ],
)
def test_changelist_query_budget_does_not_grow_with_rows(
    admin_client, django_assert_max_num_queries, changelist, build
):
    cycle = closed_cycle(total=50)
    offering = make_offering(cycle, slug="law", scholarship_seats=30)
    fund = make_fund(cycle, government="KZ", seats=30)
    build(2, cycle, offering, fund)
    url = reverse(changelist)
    with django_assert_max_num_queries(15) as few:
        assert admin_client.get(url).status_code == 200
    build(10, cycle, offering, fund)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= 12


@override_settings(AXES_FAILURE_LIMIT=3)
def test_locked_admin_login_answers_with_a_page_in_the_staff_language(client):
    StaffFactory(username="officer-locked")
    with translation.override("kk"):
        login = reverse("admin:login")
    for _attempt in range(3):
        client.post(login, {"username": "officer-locked", "password": "wrong-password"})
    response = client.post(login, {"username": "officer-locked", "password": "wrong-password"})
    assert response.status_code == 429
    assert "account/lockout.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert '<html lang="kk"' in html
    assert re.search(r"<p>[^<]*\b3\b[^<]*</p>", html)  # names the limit, in any language
    assert "_auth_user_id" not in client.session


def test_applications_list_leaves_out_the_navigation_sidebar(client):
    client.force_login(officer())
    response = client.get(reverse("admin:admissions_application_changelist"))
    assert response.status_code == 200
    assert 'id="nav-sidebar"' not in response.content.decode()


def test_applications_list_is_titled_applications(client):
    client.force_login(officer())
    with translation.override("ru"):
        url = reverse("admin:admissions_application_changelist")
    html = client.get(url).content.decode()
    assert "Выберите заявка" not in html
    assert re.search(r"<h1>\s*Заявки\s*</h1>", html)


# --- Dashboard chart ------------------------------------------------------------------------


def test_dashboard_chart_coordinates_are_not_localised(client):
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=1)
    application_for(offering, submitted_at=cycle.closes_at - timedelta(days=1))
    client.force_login(officer())
    with translation.override("ru"):
        url = reverse("admin:admissions_application_dashboard")
    html = client.get(url).content.decode()
    start = html.index('<svg role="img"')
    svg = html[start : html.index("</svg>", start)]
    coordinates = re.findall(r'\b(?:x|y|width|height)="([^"]*)"', svg)
    assert coordinates
    assert not [value for value in coordinates if "," in value]  # "24,0" is no SVG number


def test_dashboard_chart_of_a_closed_cycle_ends_on_its_closing_day(client):
    cycle = closed_cycle()  # closed 30 days ago
    offering = make_offering(cycle, slug="law", scholarship_seats=1)
    application = application_for(offering)
    application.submitted_at = cycle.closes_at - timedelta(days=2)
    application.save()
    client.force_login(officer())
    response = client.get(reverse("admin:admissions_application_dashboard"))
    chart = response.context["chart"]
    assert chart["last"] == timezone.localdate(cycle.closes_at)
    assert chart["total"] == 1


# --- Detail pages of the other admin models -------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "committee", "reviewer"])
def test_detail_pages_link_only_to_pages_the_user_may_open(client, busy_application, role):
    application, offering, staff = busy_application
    user = {"officer": lambda: staff, "committee": committee, "reviewer": None}[role]
    user = user() if user else reviewer(offering.program)
    review = application.reviews.filter(reviewer=user).first() or ReviewFactory(
        application=application, reviewer=user, score=Decimal("60")
    )
    fund = make_fund(offering.cycle, government="KZ", seats=1)
    award = AwardFactory(application=application, fund=fund, offering=offering, offered_by=staff)
    snapshot = RankingSnapshot.objects.create(offering=offering, published_by=staff, rows=[])
    mail = OutgoingMail.objects.create(
        recipient="a@example.kz", user=application.applicant, template="t", idempotency_key="k"
    )
    client.force_login(user)
    pages = [
        reverse("admin:admissions_review_change", args=[review.pk]),
        reverse("admin:admissions_scholarshipaward_change", args=[award.pk]),
        reverse("admin:admissions_rankingsnapshot_change", args=[snapshot.pk]),
        reverse("admin:admissions_outgoingmail_change", args=[mail.pk]),
    ]
    opened = 0
    for page in pages:
        response = client.get(page)
        if response.status_code != 200:
            continue  # not this role's page at all
        opened += 1
        html = response.content.decode()
        refused = [
            link for link in _admin_links(html, "en") if client.get(link).status_code == 403
        ]
        assert not refused, (page, refused)
    assert opened


def test_history_shows_a_blind_reviewer_no_name_and_others_no_page(client):
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=1)
    other = make_offering(cycle, slug="other", scholarship_seats=1)
    profile = ApplicantProfileFactory(
        last_name_native="Жақсылықова", last_name_latin="Zhaksylykova"
    )
    application = application_for(offering, profile=profile)
    client.force_login(officer())
    decide = reverse(
        "admin:admissions_application_decide",
        args=[application.pk, ApplicationStatus.UNDER_REVIEW],
    )
    assert client.post(decide, {"note": ""}).status_code == 302
    history = reverse("admin:admissions_application_history", args=[application.pk])
    client.force_login(reviewer(offering.program, blind=True))
    response = client.get(history)
    html = response.content.decode()
    assert len(response.context["action_list"]) == 1  # the officer's decision is listed
    assert "Zhaksylykova" not in html and "Жақсылықова" not in html
    client.force_login(reviewer(other.program))
    assert client.get(history).status_code == 404


def test_rubric_page_links_a_reviewer_nowhere_and_stays_editable_for_officers(client):
    cycle = closed_cycle()
    program = make_offering(cycle, slug="law", scholarship_seats=1).program
    criterion = RubricCriterionFactory(cycle=cycle)
    url = reverse("admin:admissions_rubriccriterion_change", args=[criterion.pk])
    client.force_login(reviewer(program))
    html = client.get(url).content.decode()
    assert escape(str(cycle)) in html
    assert not [link for link in _admin_links(html, "en") if client.get(link).status_code == 403]
    client.force_login(officer())
    response = client.get(url)
    assert "cycle" in response.context["adminform"].form.fields  # still a select to change


def test_every_field_staff_see_has_a_translatable_label():
    from django.apps import apps
    from django.utils.functional import Promise

    internal = {("Application", "completed_steps"), ("AdmissionCycle", "reference_counter")}
    untranslated = [
        (model.__name__, field.name)
        for app in ("admissions", "programs")
        for model in apps.get_app_config(app).get_models()
        for field in model._meta.get_fields()
        if hasattr(field, "verbose_name") and not field.auto_created
        if not isinstance(field.verbose_name, Promise)
    ]
    assert sorted(set(untranslated) - internal) == []


def test_award_page_shows_each_field_once_and_saving_keeps_who_offered(client):
    cycle = closed_cycle()
    offering = make_offering(cycle, slug="law", scholarship_seats=1)
    staff = officer()
    award = AwardFactory(
        application__cycle=cycle,
        fund=make_fund(cycle, government="KZ", seats=1),
        offering=offering,
        offered_by=staff,
    )
    member = committee()
    client.force_login(member)
    url = reverse("admin:admissions_scholarshipaward_change", args=[award.pk])
    response = client.get(url)
    names = [
        field.field["name"]
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line
    ]
    assert len(names) == len(set(names)), names
    assert not response.context["adminform"].form.fields  # nothing editable here
    client.post(url, {"_save": "1"})
    award.refresh_from_db()
    assert award.offered_by == staff
