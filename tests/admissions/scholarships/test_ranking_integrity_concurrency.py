"""On PostgreSQL: publications of the same list at the same moment still form one chain
(each names the one before it), because `ranking_publish` locks the offering's row."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection

from admissions.models import RankingSnapshot
from admissions.scholarships.ranking import ranking_publish
from programs.models import Offering
from tests.admissions.scholarship_data import closed_cycle, make_offering
from tests.admissions.scholarships.test_ranking import _ranked_application

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PUBLICATIONS = 8


def _publish(offering_id: int) -> int:
    try:
        return ranking_publish(offering=Offering.objects.get(pk=offering_id)).pk
    finally:
        connection.close()


def test_simultaneous_publications_of_one_list_form_a_single_chain():
    offering = make_offering(closed_cycle(), slug="law", scholarship_seats=1)
    _ranked_application(offering, exams=[(90, 100)], reference="KZO-2025-000001")
    with ThreadPoolExecutor(max_workers=PUBLICATIONS) as pool:
        list(pool.map(_publish, [offering.pk] * PUBLICATIONS))
    snapshots = list(RankingSnapshot.objects.filter(offering=offering).order_by("published_at"))
    assert len(snapshots) == PUBLICATIONS
    links = [s.previous_sha256 for s in snapshots]
    assert links == ["", *(s.content_sha256 for s in snapshots[:-1])]
    call_command("verify_rankings")  # raises CommandError on any break
