"""Rewrite the stored search keys of all applicant profiles (after the folding rules of
`admissions.applicants.search` changed). Safe to run at any time and twice."""

from django.core.management.base import BaseCommand

from admissions.applicants.services import profiles_rebuild_search_keys


class Command(BaseCommand):
    help = "Rewrite the stored search keys of all applicant profiles."

    def handle(self, *args, **options):
        changed = profiles_rebuild_search_keys()
        self.stdout.write(f"Search keys rewritten: {changed}.")
