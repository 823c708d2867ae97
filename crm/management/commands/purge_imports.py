"""Remove what abandoned imports left in MEDIA_ROOT/imports/ (uploads never
confirmed or cancelled, their previews' plans, progress files). Run it from
cron, e.g. every ten minutes (README ▸ Security ▸ Uploads and imports)."""
from django.core.management.base import BaseCommand

from crm.generic import importjobs


class Command(BaseCommand):
    help = "Remove import uploads, plans and progress files older than an hour (abandoned imports)."

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=importjobs.KEEP_SECONDS // 60,
                            help="remove files last written more than this many minutes ago (default: %(default)s)")

    def handle(self, *args, minutes: int, **options):
        removed = importjobs.purge(older_than=minutes * 60)
        if options["verbosity"]:
            self.stdout.write(f"{removed} file(s) removed from the imports folder.")
