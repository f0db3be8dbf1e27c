"""Published rankings form a SHA-256 hash chain per list: the public page shows and checks
it, the JSON download hashes to it, and `verify_rankings` fails when a list was changed."""

from __future__ import annotations

import hashlib
import importlib
import io
import json

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from admissions.models import RankingSnapshot
from admissions.scholarships.ranking import ranking_publish
from admissions.scholarships.ranking_integrity import snapshot_canonical_json, snapshot_sha256
from tests.admissions.scholarship_data import closed_cycle, make_offering
from tests.admissions.scholarships.test_ranking import _ranked_application

pytestmark = pytest.mark.django_db


def published_list(*, slug="law", times=3, cycle=None):
    """An offering with two ranked applicants and `times` published snapshots."""
    offering = make_offering(cycle or closed_cycle(), slug=slug, scholarship_seats=2)
    _ranked_application(offering, exams=[(90, 100)], reference=f"KZO-2025-{slug}1")
    _ranked_application(offering, exams=[(70, 100)], reference=f"KZO-2025-{slug}2")
    return offering, [ranking_publish(offering=offering) for _ in range(times)]


def verify(**options) -> str:
    out = io.StringIO()
    call_command("verify_rankings", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def tamper(snapshot: RankingSnapshot, **changes) -> None:
    """Change a stored snapshot behind the services' back, as a database edit would."""
    RankingSnapshot.objects.filter(pk=snapshot.pk).update(**changes)


def test_each_snapshot_is_chained_to_the_previous_one_of_the_same_list():
    offering, (first, second, third) = published_list()
    _other, (other_first,) = published_list(slug="customs", times=1, cycle=offering.cycle)
    assert first.previous_sha256 == "" and other_first.previous_sha256 == ""
    assert second.previous_sha256 == first.content_sha256
    assert third.previous_sha256 == second.content_sha256
    for snapshot in (first, second, third, other_first):
        snapshot.refresh_from_db()
        assert len(snapshot.content_sha256) == 64
        assert snapshot_sha256(snapshot) == snapshot.content_sha256
    # The same rows published at another time hash differently.
    assert first.rows == second.rows and first.content_sha256 != second.content_sha256


def test_verify_rankings_passes_on_an_untouched_chain():
    published_list()
    assert "3 published ranking(s) verified" in verify()


def test_changing_a_published_row_fails_the_command_and_the_page(client):
    _offering, (_first, second, third) = published_list()
    rows = [dict(row) for row in second.rows]
    rows[0]["score"], rows[1]["score"] = rows[1]["score"], rows[0]["score"]
    tamper(second, rows=rows)
    with pytest.raises(CommandError) as failure:
        verify()
    assert failure.value.returncode == 1
    assert "a published list was changed" in str(failure.value)
    page = client.get(reverse("rankings:detail", args=[second.pk])).content.decode()
    assert 'id="ranking-integrity-alert"' in page
    assert "Check failed" in page
    untouched = client.get(reverse("rankings:detail", args=[third.pk])).content.decode()
    assert "ranking-integrity-alert" not in untouched and "Verified" in untouched


def test_rehashing_a_changed_list_still_breaks_the_chain():
    _offering, (_first, second, third) = published_list()
    second.rows = second.rows[:1]
    second.content_sha256 = snapshot_sha256(second)
    tamper(second, rows=second.rows, content_sha256=second.content_sha256)
    stderr = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_rankings", stdout=io.StringIO(), stderr=stderr)
    assert f"Snapshot {third.pk}" in stderr.getvalue()
    assert "does not name the SHA-256" in stderr.getvalue()


def test_changing_the_publication_date_fails_the_check():
    from datetime import timedelta

    _offering, (first, *_rest) = published_list()
    tamper(first, published_at=first.published_at - timedelta(days=1))
    with pytest.raises(CommandError):
        verify()


def test_verify_rankings_can_be_limited_to_a_cycle_or_an_offering():
    offering, (first, *_rest) = published_list()
    other, _snapshots = published_list(slug="customs", times=2, cycle=closed_cycle("2024"))
    tamper(first, rows=[])
    assert "2 published ranking(s) verified" in verify(offering=other.pk)
    with pytest.raises(CommandError):
        verify(offering=offering.pk)
    with pytest.raises(CommandError):
        verify(cycle=offering.cycle.code)


def test_json_download_is_the_canonical_content_and_hashes_to_the_shown_hash(client):
    _offering, (first, second, _third) = published_list()
    second.refresh_from_db()
    response = client.get(reverse("rankings:json", args=[second.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert hashlib.sha256(response.content).hexdigest() == second.content_sha256
    content = json.loads(response.content)
    assert content["previous_sha256"] == first.content_sha256
    assert content["rows"] == second.rows
    page = client.get(reverse("rankings:detail", args=[second.pk])).content.decode()
    assert second.content_sha256 in page and first.content_sha256 in page
    assert reverse("rankings:json", args=[second.pk]) in page


def test_canonical_json_is_stable_whatever_the_key_order():
    _offering, (snapshot,) = published_list(times=1)
    reordered = [dict(reversed(list(row.items()))) for row in snapshot.rows]
    assert snapshot_canonical_json(
        offering_id=snapshot.offering_id,
        published_at=snapshot.published_at,
        rows=reordered,
        previous_sha256="",
    ) == snapshot_canonical_json(
        offering_id=snapshot.offering_id,
        published_at=snapshot.published_at,
        rows=snapshot.rows,
        previous_sha256="",
    )


def test_the_migration_hashes_snapshots_published_before_the_chain_existed():
    _offering, snapshots = published_list()
    recorded = [s.content_sha256 for s in snapshots]
    RankingSnapshot.objects.update(content_sha256="", previous_sha256="")
    migration = importlib.import_module(
        "admissions.migrations.0007_fill_calendar_tokens_and_ranking_hashes"
    )
    migration.fill(django_apps, None)
    assert [
        s.content_sha256 for s in RankingSnapshot.objects.order_by("published_at", "pk")
    ] == recorded
    assert "3 published ranking(s) verified" in verify()


def test_unknown_snapshot_json_is_404(client):
    assert client.get(reverse("rankings:json", args=[999])).status_code == 404
