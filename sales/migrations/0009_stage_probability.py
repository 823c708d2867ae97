"""A default probability for open sales stages (``SalesStage.probability``),
and the shipped stages' defaults (those of sales/migrations/0002 that still
have their shipped name and no default)."""
import django.core.validators
from django.db import migrations, models

from crm.generic import counts

SHIPPED_PROBABILITIES = {"Prospecting": 10, "Qualification": 20, "Proposal": 50, "Negotiation": 80}


def track_stages_again(apps, schema_editor):
    """SQLite rebuilds the table to add (or remove) a constraint or column,
    without the count triggers of 0005 (crm.generic.counts): put them back.
    PostgreSQL alters the table in place and keeps them."""
    if schema_editor.connection.vendor == "sqlite":
        for sql in counts.tracking_sql("sqlite", "sales_salesstage"):
            schema_editor.execute(sql)


def ship_probabilities(apps, schema_editor):
    SalesStage = apps.get_model("sales", "SalesStage")
    for name, probability in SHIPPED_PROBABILITIES.items():
        SalesStage.objects.filter(name=name, kind="open", probability__isnull=True).update(probability=probability)


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0008_initiated_by_activity'),
    ]

    operations = [
        # (Unapplying: the last operation, after the column's removal rebuilt the table.)
        migrations.RunPython(migrations.RunPython.noop, track_stages_again),
        migrations.AddField(
            model_name='salesstage',
            name='probability',
            field=models.PositiveSmallIntegerField(blank=True, help_text="An opportunity that enters this stage gets this probability, unless the same change sets another. Leave empty to keep the opportunity's probability.", null=True, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='default probability (%)'),
        ),
        migrations.AddConstraint(
            model_name='salesstage',
            constraint=models.CheckConstraint(condition=models.Q(('probability__isnull', True), models.Q(('kind', 'open'), ('probability__lte', 100)), _connector='OR'), name='salesstage_probability_open_range'),
        ),
        migrations.RunPython(track_stages_again, migrations.RunPython.noop),
        migrations.RunPython(ship_probabilities, migrations.RunPython.noop),
    ]
