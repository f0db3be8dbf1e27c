"""python manage.py allocate_scholarships --cycle 2025 [--dry-run]"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from admissions.errors import DomainError
from admissions.scholarships.allocation import allocation_run
from programs.models import AdmissionCycle


class Command(BaseCommand):
    help = (
        "Allocate the scholarships of a cycle by rank and priority "
        "(see admissions.scholarships.deferred_acceptance)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", required=True, help="Cycle code, e.g. 2025")
        parser.add_argument(
            "--dry-run", action="store_true", help="Explain what would be offered; change nothing."
        )
        parser.add_argument(
            "--early-reason",
            default="",
            help=(
                "Required before the cycle closes for applications: the committee's reason "
                "for allocating early (kept with the run)."
            ),
        )

    def handle(self, *args, cycle, dry_run, early_reason="", **options):
        try:
            cycle_obj = AdmissionCycle.objects.get(code=cycle)
        except AdmissionCycle.DoesNotExist as exc:
            raise CommandError(f"No cycle with code {cycle!r}.") from exc
        try:
            report = allocation_run(cycle=cycle_obj, dry_run=dry_run, early_reason=early_reason)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        plan = report.plan
        verbosity = options.get("verbosity", 1)
        if verbosity >= 1:
            self.stdout.write(
                f"Cycle {cycle_obj.code}: {plan.total_left} scholarships left before this run; "
                f"{len(plan.order)} applications considered."
            )
            for row in plan.rows():
                line = f"{row['rank']:>5}. {row['reference'] or '#' + str(row['application_id'])}"
                line += f"  score {row['score']}  "
                if row["offered"]:
                    line += (
                        f"OFFER {row['offering'].program.title} (priority {row['priority']}), "
                        f"fund {row['fund'].name}"
                    )
                else:
                    line += f"no offer: {row['explanation']}"
                for offering, why in row["skipped"]:
                    line += f"; {offering.program.title if offering else '?'}: {why}"
                self.stdout.write(line)
        for reference, error in report.failures:
            self.stderr.write(f"{reference}: {error}")
        self.stdout.write(self.style.SUCCESS(str(report.message)))
