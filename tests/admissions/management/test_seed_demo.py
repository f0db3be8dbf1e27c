"""seed_demo: realistic, valid, deterministic demo data in every state, quickly."""

import hashlib
import itertools
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from admissions.applicants.validators import validate_iin, validate_snils
from admissions.demo import transliterate
from admissions.enums import ApplicationStatus
from admissions.models import (
    ApplicantProfile,
    Application,
    Document,
    OutgoingMail,
    StatusEvent,
)
from programs.models import AdmissionCycle
from tests.factories import CycleFactory, OfferingFactory, ProgramFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    cycle = CycleFactory(code="2025")
    for level in ("bachelor", "bachelor", "bachelor", "master", "master"):
        OfferingFactory(cycle=cycle, program=ProgramFactory(level=level, languages=["kk", "ru"]))
    OfferingFactory(cycle=cycle, program=ProgramFactory(level="bachelor", languages=["en"]))
    return cycle


def run(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    return list(
        Application.objects.order_by("applicant__username").values_list(
            "applicant__username",
            "applicant__applicant_profile__last_name_native",
            "status",
            "reference",
        )
    )


def test_seed_demo_makes_every_state_with_consistent_history(catalogue):
    output = run("--applicants", "60", "--seed", "3")
    assert "60/60 applicants" in output
    statuses = set(Application.objects.values_list("status", flat=True))
    assert statuses == set(ApplicationStatus.values)
    assert not OutgoingMail.objects.exists()  # seed data notifies nobody
    for application in Application.objects.prefetch_related("events", "choices__offering"):
        events = list(application.events.order_by("created_at", "pk"))
        if application.status == ApplicationStatus.DRAFT:
            assert not events
            assert application.reference is None
            continue
        assert events[0].from_status == "draft"
        assert events[-1].to_status == application.status
        for before, after in itertools.pairwise(events):
            assert before.to_status == after.from_status
        assert catalogue.opens_at <= application.submitted_at <= catalogue.closes_at
        assert application.reference.startswith("KZO-2025-")
        assert 1 <= application.choices.count() <= 3
        assert application.exam_results.exists()
        for choice in application.choices.all():
            assert choice.offering.cycle_id == catalogue.pk
            assert choice.offering.program.languages.filter(pk=choice.language_id).exists()
        for exam in application.exam_results.all():
            assert exam.score <= exam.max_score
    references = list(Application.objects.exclude(reference=None).values_list("reference"))
    assert len(references) == len(set(references))
    counter = AdmissionCycle.objects.get(pk=catalogue.pk).reference_counter
    assert counter == len(references)


def test_identifiers_are_valid_and_names_transliterated(catalogue):
    run("--applicants", "80", "--seed", "5")
    kinds = set()
    for profile in ApplicantProfile.objects.all():
        kinds.add(profile.identifier_kind)
        if profile.identifier_kind == "iin":
            validate_iin(profile.identifier)
            assert profile.citizenship == "KZ"
        elif profile.identifier_kind == "snils":
            validate_snils(profile.identifier)
            assert profile.citizenship == "RU"
        assert profile.last_name_latin == transliterate(profile.last_name_native)
        assert profile.last_name_latin.replace("-", "").replace(" ", "").isascii()
    assert {"iin", "snils"} <= kinds


def test_seed_demo_is_deterministic_for_a_seed(catalogue):
    run("--applicants", "25", "--seed", "7")
    first = snapshot()
    Document.objects.all().delete()
    StatusEvent.objects.all().delete()
    Application.objects.all().delete()
    from django.contrib.auth import get_user_model

    get_user_model().objects.all().delete()
    AdmissionCycle.objects.filter(pk=catalogue.pk).update(reference_counter=0)
    run("--applicants", "25", "--seed", "7")
    assert snapshot() == first


def test_running_twice_with_the_same_seed_is_refused_another_seed_appends(catalogue):
    run("--applicants", "10", "--seed", "1")
    with pytest.raises(CommandError, match="already exist"):
        run("--applicants", "10", "--seed", "1")
    run("--applicants", "10", "--seed", "2")
    assert Application.objects.count() == 20
    references = list(Application.objects.exclude(reference=None).values_list("reference"))
    assert len(references) == len(set(references))


def test_documents_are_small_valid_files_in_private_storage(catalogue):
    from django.core.files.storage import storages

    from admissions.documents.validation import document_file_inspect

    run("--applicants", "30", "--seed", "9")
    documents = Document.objects.all()
    assert documents.exists()
    for document in documents[:40]:
        assert storages["private"].exists(document.file.name)
        assert document.size < 4096
        with document.file.open("rb") as handle:
            content = handle.read()
        assert hashlib.sha256(content).hexdigest() == document.sha256
        inspected = document_file_inspect(SimpleUploadedFile("x", content))
        assert inspected.content_type == document.content_type


def test_missing_cycle_is_a_clear_error():
    with pytest.raises(CommandError, match=r"run `python manage\.py seed` first"):
        run("--applicants", "5", "--cycle", "1999")


def test_iin_generator_refuses_nothing_valid():
    import random
    from datetime import date

    from admissions.demo import iin_generate, snils_generate

    rng = random.Random(0)
    for index in range(300):
        validate_iin(iin_generate(rng, birth_date=date(2007, 1, 31), female=bool(index % 2)))
        validate_snils(snils_generate(rng))
    with pytest.raises(ValidationError):
        validate_iin("070131500001")
