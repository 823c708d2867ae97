"""``manage.py purge_deleted``: remove for good what was deleted more than
CRM_DELETED_ITEMS_DAYS ago (its tombstone and its files). Run it daily from
cron; see the README."""
from django.core.management.base import BaseCommand

from crm.generic import services


class Command(BaseCommand):
    help = "Remove deleted records and history items older than CRM_DELETED_ITEMS_DAYS, and their files."

    def handle(self, *args, **options):
        count = services.deleted_items_purge()
        if options["verbosity"]:
            self.stdout.write(f"{count} deleted item(s) removed for good.")
