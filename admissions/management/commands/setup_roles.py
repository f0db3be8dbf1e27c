"""Create (or bring up to date) the three staff roles as groups with their permissions.

Idempotent: each run sets every role's permissions to exactly the list below, so it is safe
on every deploy (`make run` calls it). Object-level limits (a reviewer sees only the programs
assigned to them) are enforced by `admissions.selectors` in the admin, not by permissions.
"""

from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from admissions.selectors import COMMITTEE_GROUP, OFFICER_GROUP, REVIEWER_GROUP

VIEW = ("view",)
EDIT = ("view", "change")
MANAGE = ("view", "add", "change", "delete")

ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    OFFICER_GROUP: {
        # "override": decide despite failed guards, with a written reason (audited).
        "admissions.application": ("view", "change", "override"),
        "admissions.applicantprofile": EDIT,
        "admissions.applicationchoice": VIEW,
        "admissions.examresult": VIEW,
        "admissions.document": EDIT,
        "admissions.review": VIEW,
        "admissions.reviewscore": VIEW,
        "admissions.statusevent": VIEW,
        "admissions.rubriccriterion": MANAGE,
        "admissions.reviewerassignment": MANAGE,
        "admissions.scholarshipaward": VIEW,
        "admissions.rankingsnapshot": VIEW,
        "admissions.outgoingmail": VIEW,
        "programs.language": ("view", "add", "change"),
        "programs.field": ("view", "add", "change"),
        "programs.program": ("view", "add", "change"),
        "programs.admissioncycle": ("view", "add", "change"),
        "programs.offering": ("view", "add", "change"),
        "programs.scholarshipfund": VIEW,
    },
    # Reviewers read the application itself (education, exams, motivation) and score it;
    # they need no documents: officers verify those.
    REVIEWER_GROUP: {
        "admissions.application": VIEW,
        "admissions.applicationchoice": VIEW,
        "admissions.examresult": VIEW,
        "admissions.rubriccriterion": VIEW,
        "admissions.review": ("view", "add", "change"),
        "admissions.reviewscore": VIEW,
    },
    COMMITTEE_GROUP: {
        "admissions.application": VIEW,
        "admissions.applicationchoice": VIEW,
        "admissions.examresult": VIEW,
        "admissions.review": VIEW,
        "admissions.statusevent": VIEW,
        "admissions.scholarshipaward": ("view", "add", "change"),
        "admissions.rankingsnapshot": ("view", "add"),
        "programs.admissioncycle": VIEW,
        "programs.offering": VIEW,
        "programs.program": VIEW,
        "programs.scholarshipfund": ("view", "change"),
    },
}


def role_permissions(spec: dict[str, tuple[str, ...]]) -> list[Permission]:
    wanted = []
    for label, actions in spec.items():
        app_label, model = label.split(".")
        wanted += [(app_label, f"{action}_{model}") for action in actions]
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in=[codename for _app, codename in wanted]
        )
    }
    missing = [f"{app}.{codename}" for app, codename in wanted if (app, codename) not in found]
    if missing:
        raise LookupError(f"Unknown permissions (run migrate first?): {', '.join(missing)}")
    return [found[key] for key in wanted]


class Command(BaseCommand):
    help = "Create or update the staff roles: admissions officer, reviewer, scholarship committee."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, spec in ROLES.items():
            group, created = Group.objects.get_or_create(name=name)
            group.permissions.set(role_permissions(spec))
            self.stdout.write(
                f"{'Created' if created else 'Updated'} role “{name}” "
                f"({group.permissions.count()} permissions)"
            )
