"""Lead scoring criteria and their ticks move from the leads app to crm.

The criteria score business contacts as well as leads, so they are crm's.
Nothing in the database changes but the content types: the models take over
the tables the leads app created (``leads_scoringcriterion``,
``leads_criterionmet``, with the same constraints; leads migration 0003,
which runs after this one, drops them from its state); their ``django_content_type`` rows move
from app label ``leads`` to ``crm``, keeping their ids, so the permissions,
admin log entries and anything else keyed on them follow.
"""
import django.db.models.deletion
from django.db import migrations, models

MODELS = ("scoringcriterion", "criterionmet")


def move_content_types(apps, old_label: str, new_label: str) -> None:
    """Relabel the models' content types. A fresh database has none yet (they
    are created after migrating, under crm). Where the new label has a row
    already, which only a hand-made one can be, both are left as they are
    rather than merged: nothing is deleted."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new_label, model=model).exists():
            ContentType.objects.filter(app_label=old_label, model=model).update(app_label=new_label)


def forwards(apps, schema_editor):
    move_content_types(apps, "leads", "crm")


def backwards(apps, schema_editor):
    move_content_types(apps, "crm", "leads")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0012_deleted_items"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ScoringCriterion",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("description", models.CharField(max_length=200, unique=True, verbose_name="description")),
                        ("weight", models.PositiveSmallIntegerField(choices=[(1, "Low"), (2, "Normal"), (3, "High")], default=2, verbose_name="weight")),
                        ("position", models.PositiveIntegerField(default=0, verbose_name="position")),
                    ],
                    options={
                        "verbose_name": "scoring criterion",
                        "verbose_name_plural": "lead scoring criteria",
                        "db_table": "leads_scoringcriterion",
                        "ordering": ["position", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="CriterionMet",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("contact", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="criteria_met", to="crm.businesscontact")),
                        ("criterion", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="met_by", to="crm.scoringcriterion")),
                    ],
                    options={
                        "verbose_name": "criterion met",
                        "verbose_name_plural": "criteria met",
                        "db_table": "leads_criterionmet",
                        "constraints": [models.UniqueConstraint(fields=("contact", "criterion"), name="criterionmet_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
