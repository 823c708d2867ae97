"""The data version that list-page counts are cached under (crm.generic.counts):
one row the database bumps on every write to the tables list filters read."""
from django.conf import settings
from django.db import migrations

from crm.generic import counts

TRACKED = ("crm_businesscontact", "crm_businesscontact_categories", "crm_account", "crm_account_categories",
           "crm_category", "crm_listvalue", "auth_user")


def setup(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in counts.SQLITE_SETUP if vendor == "sqlite" else counts.PG_SETUP if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def teardown(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in counts.SQLITE_TEARDOWN if vendor == "sqlite" else counts.PG_TEARDOWN if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("crm", "0006_list_kinds_for_sales"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        migrations.RunPython(setup, teardown),
        counts.track_tables(*TRACKED),
    ]
