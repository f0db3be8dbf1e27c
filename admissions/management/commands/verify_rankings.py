"""python manage.py verify_rankings [--cycle CODE] [--offering ID]

Checks the hash chain of the published rankings (admissions/scholarships/ranking_integrity.py):
every snapshot's content still hashes to the SHA-256 recorded when it was published, and
names the hash of the snapshot of the same list published before it. Exits with status 1
and lists each break when any snapshot was changed after publication; 0 otherwise.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from admissions.models import RankingSnapshot
from admissions.scholarships.ranking_integrity import ranking_chain_verify

PROBLEMS = {
    "content": "its content no longer matches the SHA-256 recorded at publication",
    "link": "it does not name the SHA-256 of the list published before it",
}


class Command(BaseCommand):
    help = (
        "Verify the SHA-256 hash chain of the published rankings; exit status 1 when a "
        "published list was changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", help="Only the lists of this cycle (code, e.g. 2025).")
        parser.add_argument("--offering", type=int, help="Only the list of this offering (id).")

    def handle(self, *args, cycle=None, offering=None, **options):
        snapshots = RankingSnapshot.objects.order_by("offering_id", "published_at", "pk")
        if cycle:
            snapshots = snapshots.filter(offering__cycle__code=cycle)
        if offering:
            snapshots = snapshots.filter(offering_id=offering)
        checked, problems = ranking_chain_verify(snapshots=snapshots.iterator(chunk_size=200))
        for problem in problems:
            self.stderr.write(
                f"Snapshot {problem.snapshot_id} (offering {problem.offering_id}): "
                f"{PROBLEMS[problem.problem]}."
            )
        if problems:
            raise CommandError(
                f"{len(problems)} problem(s) in {checked} published ranking(s): "
                "a published list was changed after publication."
            )
        self.stdout.write(f"{checked} published ranking(s) verified: every hash chain is intact.")
