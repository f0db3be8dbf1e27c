"""The applications list: search as staff type (phones in any format, partial references,
identifiers with spaces, folded Kazakh letters, Latin transliteration), the current cycle by
default, and saved filters per staff member."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from admissions.models import SavedFilter
from tests.admissions.staff_helpers import (
    application_for,
    bulk_applications,
    officer,
    reviewer,
    two_programs,
)
from tests.factories import ApplicantProfileFactory, CycleFactory, OfferingFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:admissions_application_changelist"


@pytest.fixture
def offering():
    offering, _other = two_programs(CycleFactory(code="2026"))
    return offering


def person(offering, reference, **profile):
    return application_for(
        offering, reference=reference, profile=ApplicantProfileFactory(**profile)
    )


def found(client, term, **params):
    response = client.get(reverse(CHANGELIST), {"q": term, "cycle": "all", **params})
    assert response.status_code == 200
    return {a.reference for a in response.context["cl"].result_list}


@pytest.fixture
def officer_client(client):
    client.force_login(officer())
    return client


@pytest.mark.parametrize(
    "typed", ["8 701 123-45-67", "+7 (701) 1234567", "87011234567", "7011234567", "+77011234567"]
)
def test_search_by_phone_in_any_format(officer_client, offering, typed):
    person(offering, "KZO-2026-000001", phone="+77011234567")
    person(offering, "KZO-2026-000002", phone="+79131234567")
    assert found(officer_client, typed) == {"KZO-2026-000001"}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kzo-2026-1", {"KZO-2026-000001", "KZO-2026-000012", "KZO-2026-000123"}),
        ("KZO-2026-12", {"KZO-2026-000012", "KZO-2026-000123"}),
        ("kzo-2026-000123", {"KZO-2026-000123"}),
        ("KZO-2026-0001", {"KZO-2026-000123"}),  # leading zeros typed: read as they stand
        ("2026-2", {"KZO-2026-000200"}),
        ("kzo-2026-9", set()),
    ],
)
def test_search_by_partial_reference(officer_client, offering, typed, expected):
    for reference in ("KZO-2026-000001", "KZO-2026-000012", "KZO-2026-000123", "KZO-2026-000200"):
        person(offering, reference)
    assert found(officer_client, typed) == expected


@pytest.mark.parametrize(
    ("kind", "stored", "typed"),
    [
        ("iin", "070309650129", "070309650129"),
        ("iin", "070309650129", "070309 650129"),
        ("iin", "070309650129", "0703-0965-0129"),
        ("snils", "14725836988", "147-258-369 88"),
        ("snils", "14725836988", "147 258 369 88"),
        ("snils", "14725836988", "14725836988"),
        ("passport", "N12345678", "n 1234 5678"),
    ],
)
def test_search_by_national_id_with_or_without_spaces(
    officer_client, offering, kind, stored, typed
):
    person(offering, "KZO-2026-000001", identifier_kind=kind, identifier=stored)
    person(offering, "KZO-2026-000002", identifier_kind=kind, identifier="999999999999")
    assert found(officer_client, typed) == {"KZO-2026-000001"}


@pytest.mark.parametrize(
    ("stored", "latin", "typed"),
    [
        ("Сейтқали", "Seitkali", "Сейткали"),  # қ typed on a Russian keyboard
        ("Сейтқали", "Seitkali", "сейтқали"),
        ("Ерғали", "Yergali", "Ергали"),  # ғ
        ("Жаңабаев", "Zhanabayev", "Жанабаев"),  # ң
        ("Төлеген", "Tolegen", "Толеген"),  # ө
        ("Құдайберген", "Kudaibergen", "Кудайберген"),  # ұ
        ("Үсенов", "Usenov", "Усенов"),  # ү
        ("Шаһмар", "Shakhmar", "Шахмар"),  # һ
        ("Әлімжан", "Alimzhan", "Алимжан"),  # ә and і
        ("Сейтқали", "Seitkali", "Seitkali"),  # the stored Latin name
        ("Сейтқали", "Seitkali", "Seytkali"),  # another transliteration
        ("Сейтқали", "Seitkali", "seitqali"),  # the Kazakh Latin alphabet
        ("Жаңабаев", "Zhanabaev", "Janabayev"),  # transliterated from the native name
        ("Құдайберген", "Kudaibergen", "Qudaibergen"),
        ("Ёлкина", "Yolkina", "Елкина"),
    ],
)
def test_search_by_name_folded_and_transliterated(officer_client, offering, stored, latin, typed):
    person(offering, "KZO-2026-000001", last_name_native=stored, last_name_latin=latin)
    person(offering, "KZO-2026-000002", last_name_native="Иванова", last_name_latin="Ivanova")
    assert found(officer_client, typed) == {"KZO-2026-000001"}


def test_search_by_several_words_needs_all_of_them(officer_client, offering):
    person(
        offering,
        "KZO-2026-000001",
        last_name_native="Сейтқали",
        first_name_native="Айгерім",
        first_name_latin="Aigerim",
    )
    person(
        offering,
        "KZO-2026-000002",
        last_name_native="Сейтқали",
        first_name_native="Дана",
        first_name_latin="Dana",
    )
    assert found(officer_client, "сейткали айгерим") == {"KZO-2026-000001"}
    assert found(officer_client, "Aigerim Seitkali") == {"KZO-2026-000001"}


def test_the_profile_service_keeps_the_search_key(officer_client, offering):
    from admissions.applicants.services import profile_save

    application = person(offering, "KZO-2026-000001", last_name_native="Иванова")
    profile = application.applicant.applicant_profile
    profile.search_key = ""
    profile.save()
    assert found(officer_client, "Иванова") == set()
    # Contact fields stay editable while the application is considered; saving rewrites
    # the key from the names.
    profile_save(user=application.applicant, data={"phone": "+77019998877"})
    assert found(officer_client, "иванова") == {"KZO-2026-000001"}


def test_nothing_matches_gibberish(officer_client, offering):
    person(offering, "KZO-2026-000001")
    assert found(officer_client, "!!!") == set()


def test_reviewers_search_only_by_what_they_may_see(client, offering):
    person(
        offering,
        "KZO-2026-000001",
        last_name_native="Сейтқали",
        phone="+77011234567",
        identifier_kind="iin",
        identifier="070309650129",
    )
    client.force_login(reviewer(offering.program))
    assert found(client, "Сейткали") == {"KZO-2026-000001"}
    assert found(client, "8 701 123-45-67") == set()  # no contact data for reviewers
    assert found(client, "070309 650129") == set()  # nor national ids
    client.force_login(reviewer(offering.program, blind=True))
    assert found(client, "Сейткали") == set()  # nor names, in blind review
    assert found(client, "kzo-2026-1") == {"KZO-2026-000001"}


# --- The current cycle by default -------------------------------------------------------------


def test_the_list_opens_on_the_current_cycle(officer_client):
    now = timezone.now()
    old = CycleFactory(
        code="2025",
        opens_at=now - timedelta(days=400),
        closes_at=now - timedelta(days=300),
        results_at=now - timedelta(days=290),
    )
    current = CycleFactory(code="2026")
    future = CycleFactory(
        code="2027",
        opens_at=now + timedelta(days=300),
        closes_at=now + timedelta(days=400),
        results_at=now + timedelta(days=410),
    )
    old_one = application_for(OfferingFactory(cycle=old), reference="KZO-2025-000001")
    current_one = application_for(OfferingFactory(cycle=current), reference="KZO-2026-000001")
    application_for(OfferingFactory(cycle=future), reference="KZO-2027-000001")

    def listed(**params):
        response = officer_client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return {a.reference for a in response.context["cl"].result_list}, response

    references, response = listed()
    assert references == {current_one.reference}
    assert "All cycles" in response.text
    assert listed(cycle="all")[0] == {"KZO-2025-000001", "KZO-2026-000001", "KZO-2027-000001"}
    assert listed(cycle=str(old.pk))[0] == {old_one.reference}
    assert officer_client.get(reverse(CHANGELIST), {"cycle": "x"}).status_code == 302


# --- Saved filters ----------------------------------------------------------------------------


def test_a_staff_member_saves_opens_and_deletes_a_filter(client, offering):
    user = officer()
    client.force_login(user)
    save_url = reverse("admin:admissions_application_saved_filter")
    response = client.post(
        save_url,
        {"name": "  Kazakh   speakers ", "query": "language=kk&status__exact=submitted&p=3"},
    )
    saved = SavedFilter.objects.get(user=user)
    assert saved.name == "Kazakh speakers"
    assert saved.query == "language=kk&status__exact=submitted"  # the page number dropped
    assert response.status_code == 302 and response["Location"].endswith(f"?{saved.query}")
    page = client.get(reverse(CHANGELIST)).text
    assert "Kazakh speakers" in page and f'href="?{saved.query.replace("&", "&amp;")}"' in page
    # Saving the same name replaces the filter.
    client.post(save_url, {"name": "Kazakh speakers", "query": "language=kk"})
    assert SavedFilter.objects.get(user=user).query == "language=kk"
    # Another staff member neither sees nor deletes it.
    other = officer()
    client.force_login(other)
    assert client.get(reverse(CHANGELIST)).context["saved_filters"] == []
    client.post(save_url, {"delete": saved.pk})
    assert SavedFilter.objects.filter(pk=saved.pk).exists()
    client.force_login(user)
    client.post(save_url, {"delete": saved.pk})
    assert not SavedFilter.objects.filter(pk=saved.pk).exists()


def test_a_filter_needs_a_name_and_the_page_refuses_get_and_bad_ids(client):
    user = officer()
    client.force_login(user)
    save_url = reverse("admin:admissions_application_saved_filter")
    response = client.post(save_url, {"name": "  ", "query": "language=kk"}, follow=True)
    assert "Give the filter a name." in response.text
    assert not SavedFilter.objects.exists()
    assert client.get(save_url).status_code == 404
    assert client.post(save_url, {"delete": "x"}).status_code == 404


def test_saved_filters_need_a_role(client):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory())
    save_url = reverse("admin:admissions_application_saved_filter")
    assert client.post(save_url, {"name": "x", "query": ""}).status_code == 403


# --- Query budget of the searches and the list with saved filters ------------------------------


@pytest.mark.parametrize(
    "term", ["8 701 123-45-67", "kzo-few-1", "Омарова", "Aigerim", "FEW 0000 0001", "Омарова Ай"]
)
def test_search_query_budget_is_the_same_for_5_and_400_rows(
    client, django_assert_max_num_queries, term
):
    offering = OfferingFactory()
    user = officer()
    client.force_login(user)
    SavedFilter.objects.create(user=user, name="mine", query="language=kk")
    bulk_applications(5, offering, prefix="FEW")
    url = reverse(CHANGELIST)
    with django_assert_max_num_queries(16) as few:
        assert client.get(url, {"q": term}).status_code == 200
    bulk_applications(395, offering, prefix="MANY")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, {"q": term})
    assert response.status_code == 200


def test_rebuild_search_keys_rewrites_stale_keys_once():
    import io

    from django.core.management import call_command

    from admissions.models import ApplicantProfile

    stale = ApplicantProfileFactory(last_name_native="Сейтқали")
    ApplicantProfileFactory(last_name_native="Иванова")
    ApplicantProfile.objects.filter(pk=stale.pk).update(search_key=" old ")
    out = io.StringIO()
    call_command("rebuild_search_keys", stdout=out)
    assert "Search keys rewritten: 1." in out.getvalue()
    stale.refresh_from_db()
    assert " сеиткали " in stale.search_key
    out = io.StringIO()
    call_command("rebuild_search_keys", stdout=out)
    assert "Search keys rewritten: 0." in out.getvalue()
