"""The applications changelist and change page: filters, search, decisions, documents."""

import zoneinfo
from datetime import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from admissions.enums import ApplicationStatus as S
from admissions.enums import DocumentStatus
from admissions.models import Application, OutgoingMail, StatusEvent
from programs.enums import Level
from tests.admissions.staff_helpers import (
    application_for,
    bulk_applications,
    officer,
    reviewer,
    two_programs,
)
from tests.factories import (
    ApplicantProfileFactory,
    ChoiceFactory,
    CycleFactory,
    DocumentFactory,
    OfferingFactory,
    ProgramFactory,
    ready_for_decision,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:admissions_application_changelist"


@pytest.fixture
def officer_client(client):
    user = officer()
    client.force_login(user)
    client.user = user
    return client


def decide_url(application, to_status):
    return reverse(
        "admin:admissions_application_decide",
        kwargs={"object_id": application.pk, "to_status": to_status},
    )


def listed(client, **params):
    response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return {a.reference for a in response.context["cl"].result_list}


# --- Filters and search -------------------------------------------------------------------


def test_filters_narrow_the_list(officer_client):
    bachelor, _unused = two_programs()
    master = OfferingFactory(cycle=bachelor.cycle, program=ProgramFactory(level=Level.MASTER))
    kazakh = application_for(bachelor, language="kk", scholarship_requested=True)
    russian = application_for(
        master, language="ru", profile=ApplicantProfileFactory(citizenship="RU")
    )
    DocumentFactory(application=kazakh, kind="identity", status=DocumentStatus.VERIFIED)
    DocumentFactory(application=kazakh, kind="education", status=DocumentStatus.VERIFIED)
    DocumentFactory(application=kazakh, kind="photo", status=DocumentStatus.VERIFIED)
    DocumentFactory(application=russian, kind="identity", status=DocumentStatus.PENDING)

    assert listed(officer_client, program=bachelor.program.pk) == {kazakh.reference}
    assert listed(officer_client, level="master") == {russian.reference}
    assert listed(officer_client, language="kk") == {kazakh.reference}
    assert listed(officer_client, citizenship="RU") == {russian.reference}
    assert listed(officer_client, scholarship_requested__exact=1) == {kazakh.reference}
    assert listed(officer_client, documents="complete") == {kazakh.reference}
    assert listed(officer_client, documents="incomplete") == {russian.reference}
    assert listed(officer_client, documents="pending") == {russian.reference}
    assert listed(officer_client, status__exact="submitted") == {
        kazakh.reference,
        russian.reference,
    }
    assert listed(officer_client, cycle__id__exact=bachelor.cycle.pk) == {
        kazakh.reference,
        russian.reference,
    }


def test_export_links_keep_the_current_filters(officer_client):
    offering, _other = two_programs()
    application_for(offering)
    page = officer_client.get(reverse(CHANGELIST), {"status__exact": "submitted", "q": "KZO"})
    export = reverse("admin:admissions_application_export")
    assert f"{export}?status__exact=submitted&amp;q=KZO&amp;_format=csv" in page.text
    assert f"{export}?status__exact=submitted&amp;q=KZO&amp;_format=xlsx" in page.text


def test_search_by_reference_names_email_and_national_id(officer_client):
    offering, _other = two_programs()
    profile = ApplicantProfileFactory(
        last_name_native="Нурланова", last_name_latin="Nurlanova", identifier="990101300123"
    )
    target = application_for(offering, profile=profile)
    application_for(offering)
    for term in (
        target.reference,
        f"  {target.reference.lower()} ",
        "Нурланова",
        "nurlanova",
        profile.user.email,
        "990101300123",
    ):
        assert listed(officer_client, q=term) == {target.reference}, term


def test_list_shows_programs_by_priority_and_mean_score(officer_client):
    first, second = two_programs()
    application = application_for(first)
    ChoiceFactory(application=application, offering=second, priority=2)
    from admissions.models import Review
    from tests.factories import StaffFactory

    Review.objects.create(application=application, reviewer=StaffFactory(), score=80)
    Review.objects.create(application=application, reviewer=StaffFactory(), score=90)
    page = officer_client.get(reverse(CHANGELIST)).text
    assert f"1. {escape(first.program)}" in page and f"2. {escape(second.program)}" in page
    assert "85.0" in page


# --- Query budget ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "reviewer"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status__exact": "submitted", "level": "bachelor", "language": "kk"},
        {"q": "Omarova"},
        {"documents": "pending", "citizenship": "KZ"},
        {"o": "5"},
    ],
)
def test_changelist_query_budget_is_the_same_for_few_and_many_rows(
    client, django_assert_max_num_queries, params, role
):
    offering, _other = two_programs()
    user = officer() if role == "officer" else reviewer(offering.program)
    client.force_login(user)
    bulk_applications(5, offering, prefix="FEW")
    url = reverse(CHANGELIST)
    with django_assert_max_num_queries(15) as few:
        assert client.get(url, params).status_code == 200
    bulk_applications(400, offering, prefix="MANY")
    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(url, params)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) > 5  # the many rows are really listed
    # No full-table count: every COUNT is capped by a LIMITed subquery.
    counts = [q["sql"] for q in many.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts


def test_paginator_count_is_capped(officer_client, monkeypatch):
    from admissions.applications.admin import CappedCountPaginator

    offering, _other = two_programs()
    bulk_applications(5, offering)
    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    response = officer_client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 3


def test_the_pages_rows_and_count_are_read_in_one_query(officer_client):
    offering, _other = two_programs()
    bulk_applications(60, offering)
    url = reverse(CHANGELIST)
    with CaptureQueriesContext(connection) as queries:
        second = officer_client.get(url, {"p": 2})
    applications = [
        q["sql"] for q in queries.captured_queries if 'FROM "admissions_application"' in q["sql"]
    ]
    assert len(applications) == 1 and "COUNT(*)" in applications[0]
    cl = second.context["cl"]
    assert (cl.result_count, len(cl.result_list), cl.multi_page) == (60, 10, True)
    assert "60 applications" in second.text
    first = officer_client.get(url).context["cl"]
    assert not {a.pk for a in first.result_list} & {a.pk for a in cl.result_list}


def test_a_page_beyond_the_last_goes_back_to_the_list_as_djangos(officer_client):
    offering, _other = two_programs()
    bulk_applications(3, offering)
    url = reverse(CHANGELIST)
    for page in ("2", "0", "-1"):
        response = officer_client.get(url, {"p": page})
        assert response.status_code == 302 and response.url.endswith("?e=1")
    empty = officer_client.get(url, {"cycle": "all", "q": "nobody-at-all"})
    assert empty.status_code == 200 and empty.context["cl"].result_count == 0


def test_show_all_lists_every_row_of_a_short_list(officer_client):
    offering, _other = two_programs()
    bulk_applications(60, offering)
    cl = officer_client.get(reverse(CHANGELIST), {"all": ""}).context["cl"]
    assert (cl.result_count, len(cl.result_list)) == (60, 60)
    assert all(a.choice_labels for a in cl.result_list)


# --- Decisions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_status", "to_status", "note"),
    [
        (S.SUBMITTED, S.UNDER_REVIEW, ""),
        (S.UNDER_REVIEW, S.DOCUMENTS_REQUESTED, "Please upload your diploma."),
        (S.UNDER_REVIEW, S.ACCEPTED, ""),
        (S.UNDER_REVIEW, S.WAITLISTED, ""),
        (S.UNDER_REVIEW, S.REJECTED, "The pass mark was not reached."),
        (S.WAITLISTED, S.ACCEPTED, ""),
        (S.WAITLISTED, S.REJECTED, "No seat left."),
        (S.ACCEPTED, S.ENROLLED, ""),
        (S.DOCUMENTS_REQUESTED, S.UNDER_REVIEW, ""),
    ],
)
def test_legal_decision_from_the_change_page_is_audited_logged_and_mailed(
    officer_client, django_capture_on_commit_callbacks, from_status, to_status, note
):
    # A cycle that releases decisions at once (held decisions: test_decision_release.py).
    offering, _other = two_programs(CycleFactory(release_decisions_immediately=True))
    application = ready_for_decision(
        application_for(
            offering, status=from_status, profile=ApplicantProfileFactory(preferred_language="kk")
        )
    )
    page = officer_client.get(
        reverse("admin:admissions_application_change", args=[application.pk])
    )
    assert decide_url(application, to_status) in page.text  # the button is offered
    assert officer_client.get(decide_url(application, to_status)).status_code == 200
    data = {"note": note}
    if to_status == S.DOCUMENTS_REQUESTED:
        data["kinds"] = ["education"]
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(decide_url(application, to_status), data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == to_status
    event = StatusEvent.objects.get(application=application)
    assert (event.from_status, event.to_status, event.actor) == (
        from_status,
        to_status,
        officer_client.user,
    )
    assert event.note == note
    mail = OutgoingMail.objects.get(user=application.applicant)
    assert mail.language == "kk"
    log = LogEntry.objects.get(object_id=str(application.pk))
    assert log.user == officer_client.user and log.is_change()


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [
        (S.SUBMITTED, S.ACCEPTED),
        (S.DRAFT, S.UNDER_REVIEW),
        (S.REJECTED, S.ACCEPTED),
        (S.ENROLLED, S.REJECTED),
        (S.WITHDRAWN, S.UNDER_REVIEW),
        (S.WITHDRAWN, S.ACCEPTED),
    ],
)
def test_illegal_decision_is_refused_with_a_message_naming_the_state(
    officer_client, from_status, to_status
):
    offering, _other = two_programs()
    application = application_for(offering, status=from_status)
    page = officer_client.get(
        reverse("admin:admissions_application_change", args=[application.pk])
    )
    assert decide_url(application, to_status) not in page.text  # no button for it
    response = officer_client.post(
        decide_url(application, to_status), {"note": "some reason"}, follow=True
    )
    assert response.status_code == 200
    text = " ".join(str(m) for m in response.context["messages"])
    assert "refused" in text
    assert f"“{S(from_status).label}”" in text
    application.refresh_from_db()
    assert application.status == from_status
    assert not StatusEvent.objects.exists()
    assert not OutgoingMail.objects.exists()
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize("to_status", [S.REJECTED, S.DOCUMENTS_REQUESTED])
def test_rejecting_or_requesting_documents_without_a_message_is_refused(officer_client, to_status):
    offering, _other = two_programs()
    application = application_for(offering, status=S.UNDER_REVIEW)
    response = officer_client.post(decide_url(application, to_status), {"note": "   "})
    assert response.status_code == 200  # the form again, with the error
    assert response.context["form"].errors["note"]
    application.refresh_from_db()
    assert application.status == S.UNDER_REVIEW
    assert not StatusEvent.objects.exists()


def test_unknown_decision_is_404(officer_client):
    offering, _other = two_programs()
    application = application_for(offering)
    assert officer_client.get(decide_url(application, "withdrawn")).status_code == 404


def test_bulk_action_reports_each_success_and_refusal(officer_client):
    offering, _other = two_programs()
    ready = ready_for_decision(application_for(offering, status=S.UNDER_REVIEW))
    also_ready = application_for(offering, status=S.WAITLISTED)
    withdrawn = application_for(offering, status=S.WITHDRAWN)
    submitted = application_for(offering, status=S.SUBMITTED)
    data = {
        "action": "decide_accepted",
        "_selected_action": [a.pk for a in (ready, also_ready, withdrawn, submitted)],
    }
    confirmation = officer_client.post(reverse(CHANGELIST), data)
    assert confirmation.status_code == 200  # nothing changes before the confirmation
    assert not StatusEvent.objects.exists()
    response = officer_client.post(reverse(CHANGELIST), {**data, "apply": "1"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert any(ready.reference in m and "Accepted" in m for m in messages)
    assert any(also_ready.reference in m and "Accepted" in m for m in messages)
    assert any(withdrawn.reference in m and "refused" in m and "Withdrawn" in m for m in messages)
    assert any(submitted.reference in m and "refused" in m and "Submitted" in m for m in messages)
    statuses = dict(Application.objects.values_list("reference", "status"))
    assert statuses[ready.reference] == statuses[also_ready.reference] == S.ACCEPTED
    assert statuses[withdrawn.reference] == S.WITHDRAWN
    assert statuses[submitted.reference] == S.SUBMITTED
    assert StatusEvent.objects.count() == 2
    assert LogEntry.objects.count() == 2


def test_bulk_reject_asks_for_a_reason_first(officer_client):
    offering, _other = two_programs()
    applications = [application_for(offering, status=S.UNDER_REVIEW) for _ in range(2)]
    data = {"action": "decide_rejected", "_selected_action": [a.pk for a in applications]}
    form_page = officer_client.post(reverse(CHANGELIST), data)
    assert form_page.status_code == 200
    assert "note" in form_page.context["form"].fields
    empty = officer_client.post(reverse(CHANGELIST), {**data, "apply": "1", "note": ""})
    assert empty.context["form"].errors["note"]
    assert not StatusEvent.objects.exists()
    done = officer_client.post(
        reverse(CHANGELIST), {**data, "apply": "1", "note": "Below the pass mark."}, follow=True
    )
    assert done.status_code == 200
    assert set(Application.objects.values_list("status", flat=True)) == {S.REJECTED}
    assert set(StatusEvent.objects.values_list("note", flat=True)) == {"Below the pass mark."}


def test_bulk_action_cannot_reach_applications_the_user_cannot_see(client):
    mine, other = two_programs()
    hidden = application_for(other, status=S.UNDER_REVIEW)
    client.force_login(reviewer(mine.program))
    response = client.post(
        reverse(CHANGELIST),
        {"action": "decide_accepted", "_selected_action": [hidden.pk], "apply": "1"},
    )
    # Reviewers have no decision actions at all.
    assert response.status_code in (200, 302)
    hidden.refresh_from_db()
    assert hidden.status == S.UNDER_REVIEW


# --- Documents ------------------------------------------------------------------------------


def test_officer_verifies_and_rejects_documents_with_a_reason(officer_client):
    offering, _other = two_programs()
    application = application_for(offering)
    passport = DocumentFactory(application=application, kind="identity")
    diploma = DocumentFactory(application=application, kind="education")
    page = reverse("admin:admissions_application_change", args=[application.pk])
    verify = reverse("admin:admissions_document_verify", args=[passport.pk])
    response = officer_client.post(f"{verify}?next={page}")
    # Without JavaScript the post returns to the row it came from.
    assert response.status_code == 302
    assert response["Location"] == f"{page}#document-{passport.pk}"
    passport.refresh_from_db()
    assert passport.status == DocumentStatus.VERIFIED
    assert passport.verified_by == officer_client.user

    reject = reverse("admin:admissions_document_reject", args=[diploma.pk])
    refused = officer_client.post(reject, {"reason": "  "})
    assert refused.status_code == 200 and refused.context["form"].errors["reason"]
    diploma.refresh_from_db()
    assert diploma.status == DocumentStatus.PENDING
    # The desk's rows name the reason field after the document.
    rejected = officer_client.post(reject, {f"reason-{diploma.pk}": "Unreadable scan"})
    assert rejected.status_code == 302
    diploma.refresh_from_db()
    assert (diploma.status, diploma.rejection_reason) == (
        DocumentStatus.REJECTED,
        "Unreadable scan",
    )
    assert LogEntry.objects.filter(object_id__in=[str(passport.pk), str(diploma.pk)]).count() == 2


def test_verdict_redirect_never_leaves_the_site(officer_client):
    offering, _other = two_programs()
    document = DocumentFactory(application=application_for(offering))
    verify = reverse("admin:admissions_document_verify", args=[document.pk])
    response = officer_client.post(f"{verify}?next=https://evil.example.org/")
    assert response["Location"].startswith(reverse("admin:admissions_document_changelist"))


def test_document_of_an_unsubmitted_or_unknown_application_cannot_be_verified(officer_client):
    draft = DocumentFactory()  # its application is a draft: still visible to officers
    assert draft.application.status == S.DRAFT
    url = reverse("admin:admissions_document_verify", args=[999_999])
    assert officer_client.post(url).status_code == 404


def test_change_page_shows_profile_choices_exams_documents_reviews_and_timeline(officer_client):
    from admissions.applications.services import application_transition
    from tests.factories import ExamResultFactory

    offering, _other = two_programs()
    application = application_for(offering, motivation="I love <b>law</b>")
    ExamResultFactory(application=application, subject="World history")
    DocumentFactory(application=application, original_name="my-diploma.pdf")
    application_transition(
        application=application, to_status=S.UNDER_REVIEW, actor=officer_client.user
    )
    page = officer_client.get(
        reverse("admin:admissions_application_change", args=[application.pk])
    )
    text = page.text
    assert escape(str(offering.program)) in text
    assert "World history" in text
    assert "my-diploma.pdf" in text
    assert "Under review" in text
    assert "I love &lt;b&gt;law&lt;/b&gt;" in text  # free text is escaped
    assert 'name="_save"' not in text  # decisions, not a free edit form


def test_submitted_time_is_shown_in_local_time(officer_client):
    offering, _other = two_programs()
    omsk = zoneinfo.ZoneInfo("Asia/Omsk")
    application_for(offering, submitted_at=datetime(2025, 9, 15, 14, 37, tzinfo=omsk))
    page = officer_client.get(reverse(CHANGELIST)).text
    assert "2025-09-15 14:37" in page  # 08:37 UTC shown as Omsk time


@pytest.mark.parametrize("role", ["officer", "reviewer"])
def test_changelist_of_many_rows_keeps_ten_queries_once_the_catalogue_is_read(
    client, django_assert_max_num_queries, role, settings
):
    # The render itself is measured: the cache of whole signed-in pages is off.
    settings.PRIVATE_PAGE_CACHE_SECONDS = 0
    offering, _other = two_programs()
    user = officer() if role == "officer" else reviewer(offering.program)
    client.force_login(user)
    url = reverse(CHANGELIST)
    bulk_applications(5, offering, prefix="FEW")
    client.get(url)  # reads the filters' options: cycles, programs, languages, citizenships
    with django_assert_max_num_queries(10) as few:
        assert client.get(url).status_code == 200
    bulk_applications(400, offering, prefix="MANY")
    with django_assert_max_num_queries(10) as many:
        response = client.get(url)
    assert len(response.context["cl"].result_list) == 50
    # The page's ids are chosen in a subquery of the rows' query: no query more for many.
    assert len(many.captured_queries) == len(few.captured_queries)
