"""The "Database owners" group and the shipped values of the Source list."""
from django.db import migrations

SOURCES = ["Advertisement", "E-mail marketing", "Event", "Partner", "Web", "Word of mouth", "Other"]


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    ListValue = apps.get_model("crm", "ListValue")
    Group.objects.get_or_create(name="Database owners")
    for position, name in enumerate(SOURCES, start=1):
        ListValue.objects.get_or_create(kind="source", name=name, defaults={"position": position})


def backwards(apps, schema_editor):
    apps.get_model("crm", "ListValue").objects.filter(kind="source", name__in=SOURCES).delete()


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forwards, backwards)]
