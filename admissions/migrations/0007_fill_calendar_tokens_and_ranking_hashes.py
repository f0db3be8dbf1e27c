"""Give every existing applicant a calendar secret and every published ranking its hashes,
chaining each offering's snapshots in publication order."""

import secrets

from django.db import migrations

from admissions.scholarships.ranking_integrity import snapshot_sha256


def fill(apps, schema_editor):
    ApplicantProfile = apps.get_model("admissions", "ApplicantProfile")
    RankingSnapshot = apps.get_model("admissions", "RankingSnapshot")
    for profile in ApplicantProfile.objects.filter(calendar_token__isnull=True).only("pk"):
        profile.calendar_token = secrets.token_urlsafe(32)
        profile.save(update_fields=["calendar_token"])
    previous = None
    for snapshot in RankingSnapshot.objects.order_by("offering_id", "published_at", "pk"):
        if previous is not None and previous.offering_id != snapshot.offering_id:
            previous = None
        snapshot.previous_sha256 = previous.content_sha256 if previous is not None else ""
        snapshot.content_sha256 = snapshot_sha256(snapshot)
        snapshot.save(update_fields=["previous_sha256", "content_sha256"])
        previous = snapshot


class Migration(migrations.Migration):
    dependencies = [
        ("admissions", "0006_papers_calendar_and_ranking_hashes"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
