"""Lead scoring criteria and their ticks are crm's now (``crm.models.scoring``):
they leave the leads app's migration state only. The tables and their rows
stay as they are; crm migration 0013 takes them over under the same names."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("leads", "0002_default_criteria"), ("crm", "0013_scoring_from_leads")]
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CriterionMet"),
                migrations.DeleteModel(name="ScoringCriterion"),
            ],
            database_operations=[],
        ),
    ]
