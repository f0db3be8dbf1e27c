"""Public rankings tell a bachelor's program from the master's one of the same title."""

import pytest
from django.urls import reverse
from django.utils import translation

from admissions.models import RankingSnapshot
from tests.admissions.scholarship_data import closed_cycle, make_offering

pytestmark = pytest.mark.django_db


def test_ranking_pages_name_the_level_of_the_program(client):
    cycle = closed_cycle()
    bachelor = make_offering(cycle, slug="law", scholarship_seats=1)
    master = make_offering(cycle, slug="law-master", scholarship_seats=1)
    master.program.title = bachelor.program.title
    master.program.level = "master"
    master.program.save()
    snapshots = [RankingSnapshot.objects.create(offering=o, rows=[]) for o in (bachelor, master)]

    with translation.override("ru"):
        listing = client.get(reverse("rankings:list")).content.decode()
        detail = client.get(reverse("rankings:detail", args=[snapshots[1].pk])).content.decode()

    assert f"{bachelor.program.title} (Бакалавриат)" in listing
    assert f"{bachelor.program.title} (Магистратура)" in listing
    assert f"{bachelor.program.title} (Магистратура)" in detail
