"""Each staff role sees and does only what it may, by URL too."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from admissions.enums import ApplicationStatus, DocumentStatus
from admissions.selectors import (
    COMMITTEE_GROUP,
    OFFICER_GROUP,
    REVIEWER_GROUP,
    applications_visible_to_staff,
)
from tests.admissions.staff_helpers import (
    application_for,
    committee,
    officer,
    reviewer,
    two_programs,
)
from tests.factories import ApplicantProfileFactory, DocumentFactory, StaffFactory

pytestmark = pytest.mark.django_db


def change_url(application):
    return reverse("admin:admissions_application_change", args=[application.pk])


def test_setup_roles_is_idempotent():
    call_command("setup_roles", stdout=io.StringIO())
    first = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }
    group = Group.objects.get(name=REVIEWER_GROUP)
    group.permissions.clear()  # drift is repaired on the next run
    call_command("setup_roles", stdout=io.StringIO())
    second = {
        g.name: set(g.permissions.values_list("codename", flat=True)) for g in Group.objects.all()
    }
    assert first == second
    assert set(first) == {OFFICER_GROUP, REVIEWER_GROUP, COMMITTEE_GROUP}
    assert "change_application" in first[OFFICER_GROUP]
    assert "change_document" in first[OFFICER_GROUP]
    assert "change_rubriccriterion" in first[OFFICER_GROUP]
    assert "add_reviewerassignment" in first[OFFICER_GROUP]
    assert first[REVIEWER_GROUP] >= {"view_application", "add_review", "change_review"}
    # Reviewers read the documents they judge; only officers decide on them.
    assert "view_document" in first[REVIEWER_GROUP]
    assert "change_document" not in first[REVIEWER_GROUP]
    assert "change_application" not in first[REVIEWER_GROUP]
    assert {"change_scholarshipaward", "add_rankingsnapshot"} <= first[COMMITTEE_GROUP]
    assert "change_application" not in first[COMMITTEE_GROUP]


def test_reviewer_sees_only_applications_of_assigned_programs(client):
    mine, other = two_programs()
    visible = application_for(mine)
    hidden = application_for(other)
    user = reviewer(mine.program)
    client.force_login(user)

    response = client.get(reverse("admin:admissions_application_changelist"))
    assert response.status_code == 200
    assert visible.reference in response.text
    assert hidden.reference not in response.text
    assert list(applications_visible_to_staff(user)) == [visible]


def test_reviewer_opening_another_programs_application_by_url_gets_404(client):
    mine, other = two_programs()
    hidden = application_for(other, profile=ApplicantProfileFactory(last_name_native="Скрытова"))
    client.force_login(reviewer(mine.program))

    for url in (
        change_url(hidden),
        reverse("admin:admissions_application_review", args=[hidden.pk]),
        reverse("admin:admissions_application_history", args=[hidden.pk]),
        reverse(
            "admin:admissions_application_decide",
            kwargs={"object_id": hidden.pk, "to_status": "under_review"},
        ),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Скрытова" not in response.text
        assert hidden.reference not in response.text


def test_reviewer_opens_documents_of_own_program_only_and_cannot_verify(client):
    mine, other = two_programs()
    own = DocumentFactory(application=application_for(mine))
    foreign = DocumentFactory(application=application_for(other))
    client.force_login(reviewer(mine.program))
    own_url = reverse("admissions:document_download", kwargs={"pk": own.pk})
    assert client.get(own_url).status_code == 200
    foreign_url = reverse("admissions:document_download", kwargs={"pk": foreign.pk})
    assert client.get(foreign_url).status_code == 404
    # Nor verify one by posting to the admin, nor open the desk.
    verify = reverse("admin:admissions_document_verify", args=[own.pk])
    assert client.post(verify).status_code == 403
    assert client.get(reverse("admin:admissions_document_changelist")).status_code == 403
    own.refresh_from_db()
    assert own.status == DocumentStatus.PENDING


def test_reviewer_sees_no_national_id_or_contact_data(client):
    mine, _other = two_programs()
    profile = ApplicantProfileFactory(identifier="N99887766")
    application = application_for(mine, profile=profile)
    DocumentFactory(application=application, original_name="diploma-scan.pdf")
    client.force_login(reviewer(mine.program))

    page = client.get(change_url(application)).text
    assert "N99887766" not in page
    assert profile.user.email not in page
    assert "diploma-scan.pdf" in page  # not blind: the file name is shown
    assert "Verify" not in page  # officers verify
    assert profile.last_name_native in page  # not blind: the name is shown
    # Searching by national id finds nothing (the field is not searchable for reviewers).
    listing = client.get(
        reverse("admin:admissions_application_changelist"), {"q": "N99887766"}
    ).text
    assert application.reference not in listing


def test_officer_sees_national_id_contact_data_and_documents(client):
    mine, _other = two_programs()
    profile = ApplicantProfileFactory(identifier="N99887766")
    application = application_for(mine, profile=profile)
    document = DocumentFactory(application=application, original_name="passport-scan.pdf")
    client.force_login(officer())

    page = client.get(change_url(application)).text
    assert "N99887766" in page
    assert profile.user.email in page
    assert "passport-scan.pdf" in page
    assert reverse("admissions:document_download", kwargs={"pk": document.pk}) in page
    download = client.get(reverse("admissions:document_download", kwargs={"pk": document.pk}))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_blind_reviewer_sees_no_names_anywhere(client):
    mine, _other = two_programs()
    profile = ApplicantProfileFactory(last_name_native="Жумабекова", last_name_latin="Zhumabekova")
    application = application_for(mine, profile=profile)
    client.force_login(reviewer(mine.program, blind=True))
    changelist = reverse("admin:admissions_application_changelist")

    listing = client.get(changelist).text
    assert application.reference in listing
    assert "Жумабекова" not in listing and "Zhumabekova" not in listing
    detail = client.get(change_url(application)).text
    assert "Жумабекова" not in detail and "Zhumabekova" not in detail
    # Names are not searchable either: a search cannot confirm who applied.
    assert application.reference not in client.get(changelist, {"q": "Zhumabekova"}).text


def test_committee_sees_all_applications_but_decides_nothing(client):
    first, second = two_programs()
    applications = [application_for(first), application_for(second)]
    DocumentFactory(application=applications[0], original_name="diploma-scan.pdf")
    client.force_login(committee())

    listing = client.get(reverse("admin:admissions_application_changelist")).text
    assert all(a.reference in listing for a in applications)
    page = client.get(change_url(applications[0])).text
    assert "diploma-scan.pdf" not in page
    decide = reverse(
        "admin:admissions_application_decide",
        kwargs={"object_id": applications[0].pk, "to_status": "under_review"},
    )
    assert client.post(decide).status_code == 403
    applications[0].refresh_from_db()
    assert applications[0].status == ApplicationStatus.SUBMITTED


def test_staff_without_a_role_sees_no_application(client):
    mine, _other = two_programs()
    application_for(mine)
    client.force_login(StaffFactory())
    response = client.get(reverse("admin:admissions_application_changelist"))
    assert response.status_code == 403


def test_officer_manages_reviewer_assignments_and_rubric(client):
    mine, _other = two_programs()
    target = StaffFactory()
    client.force_login(officer())
    response = client.post(
        reverse("admin:admissions_reviewerassignment_add"),
        {"reviewer": target.pk, "program": mine.program.pk, "blind": "on"},
    )
    assert response.status_code == 302
    assert target.review_assignments.get().blind is True
    response = client.post(
        reverse("admin:admissions_rubriccriterion_add"),
        {
            "cycle": mine.cycle.pk,
            # One tab per language; the Russian (default language) name is required.
            "name_kk": "Мотивация",
            "name_ru": "Мотивация",
            "name_en": "Motivation",
            "description_ru": "",
            "weight": "2",
            "max_score": "10",
            "position": "0",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert mine.cycle.rubric.get().name == "Motivation"
