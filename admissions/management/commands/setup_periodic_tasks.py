from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Placeholder; implemented by its issue."

    def handle(self, *args, **options):
        pass
