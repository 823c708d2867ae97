"""The shipped lead scoring criteria (SPEC 4)."""
from django.db import migrations

CRITERIA = [
    ("Has a budget", 3),
    ("Is a decision maker", 2),
    ("Has a need for our product or service", 3),
    ("Plans to buy within three months", 2),
]


def forwards(apps, schema_editor):
    Criterion = apps.get_model("leads", "ScoringCriterion")
    for position, (description, weight) in enumerate(CRITERIA, start=1):
        Criterion.objects.get_or_create(description=description, defaults={"weight": weight, "position": position})


def backwards(apps, schema_editor):
    apps.get_model("leads", "ScoringCriterion").objects.filter(description__in=[d for d, _w in CRITERIA]).delete()


class Migration(migrations.Migration):
    dependencies = [("leads", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
