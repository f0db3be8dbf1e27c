"""The migrations of the calendar secret and the ranking hash chain on existing rows: every
applicant gets a secret of their own, every published ranking its chained hashes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from admissions.scholarships.ranking_integrity import snapshot_sha256
from tests.factories import OfferingFactory, UserFactory

BEFORE = [("admissions", "0005_personal_data")]
AFTER = [("admissions", "0008_calendar_token_unique")]


@pytest.fixture
def _latest_migrations_afterwards():
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("_latest_migrations_afterwards")
def test_existing_profiles_and_published_rankings_are_filled_in():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    profile_model = old.get_model("admissions", "ApplicantProfile")
    snapshot_model = old.get_model("admissions", "RankingSnapshot")
    for index in range(3):
        profile_model.objects.create(
            user_id=UserFactory().pk,
            last_name_native="Ким",
            first_name_native="Ли",
            last_name_latin="Kim",
            first_name_latin="Li",
            birth_date=datetime.date(2007, 1, 1),
            citizenship="KZ",
            identifier_kind="passport",
            identifier=f"N{index}",
            phone="+77011234567",
        )
    law, customs = OfferingFactory(), OfferingFactory()
    for offering_id in (law.pk, customs.pk, law.pk):
        snapshot_model.objects.create(
            offering_id=offering_id, rows=[{"rank": 1, "reference": "KZO-1", "score": "80.00"}]
        )

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    tokens = list(
        new.get_model("admissions", "ApplicantProfile").objects.values_list(
            "calendar_token", flat=True
        )
    )
    assert len(tokens) == 3 and len(set(tokens)) == 3 and all(len(t) >= 40 for t in tokens)
    snapshots = list(
        new.get_model("admissions", "RankingSnapshot").objects.order_by("published_at", "pk")
    )
    first_law, first_customs, second_law = snapshots
    assert first_law.previous_sha256 == "" and first_customs.previous_sha256 == ""
    assert second_law.previous_sha256 == first_law.content_sha256
    assert all(snapshot_sha256(s) == s.content_sha256 for s in snapshots)
