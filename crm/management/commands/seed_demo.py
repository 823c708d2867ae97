"""Load the demo data and print the demo sign-in (``make run`` calls this
every time).

The demo is seeded in parts — users, categories, accounts with their
contacts and history, leads, the product catalogue, opportunities — each by
its app's ``demo.py`` (``crm.generic.demo``), and a part already in the
database is skipped, so a second run adds nothing and an older demo database
gains only the parts it lacks. A database with other users and no demo owner
is left alone unless ``--force`` is given.

Every record is written through the services (record, lead, sales and
history services), so versions, scores, totals and change logs are what the
pages would have written.
"""
from __future__ import annotations

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from crm.demo import DEMO_USERS
from crm.generic import demo

DEFAULT_ADDRPORT = "127.0.0.1:8000"


class Command(BaseCommand):
    help = "Load the demo users and records (each part once) and print the demo sign-in."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Seed the missing demo parts even if the database has other users.")
        parser.add_argument("--addrport", default=DEFAULT_ADDRPORT,
                            help="Where the server listens, as runserver takes it (printed in the sign-in banner; "
                                 "default: %(default)s).")

    def handle(self, *args, force=False, addrport=DEFAULT_ADDRPORT, **options):
        url = self.sign_in_url(addrport)
        is_demo = not User.objects.exists() or User.objects.filter(username=DEMO_USERS[0][0]).exists()
        if force or is_demo:
            added = demo.seed()
            self.stdout.write("Demo data loaded: " + ", ".join(added) + "." if added else "Demo data already loaded.")
        else:
            self.stdout.write("The database has other users: no demo data loaded (--force loads it).")
        self.stdout.write(self.style.SUCCESS(f"\nSign in at {url} with one of:"))
        for username, password, first, last, owner in DEMO_USERS:
            role = "database owner" if owner else "sales staff"
            self.stdout.write(f"  {username:6} / {password:18} ({first} {last}, {role})")
        self.stdout.write("")

    @staticmethod
    def sign_in_url(addrport: str) -> str:
        """The address a browser opens, from runserver's ``[addr:]port``."""
        host, sep, port = addrport.rpartition(":")
        if not sep:
            host, port = "127.0.0.1", addrport
        if not port.isdigit():
            raise CommandError(f"--addrport: “{addrport}” is not [address:]port.")
        if host in ("", "0", "0.0.0.0", "::", "[::]"):
            host = "127.0.0.1"
        return f"http://{host}:{port}/"
