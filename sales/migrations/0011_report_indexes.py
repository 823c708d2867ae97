"""Indexes for the reports (bench/reports.py): the list indexes by close date,
stage and person also hold what the reports add up (stage, total, expected
revenue); the index by source holds them too and every opportunity (it was
partial: most opportunities have a source); and one index by account and
contact replaces the account field's own index.

The account field's index is dropped by name, not by altering the field: on
SQLite, altering a field rebuilds the table, which would drop the
data-version triggers that sales 0005 put on it."""
from django.db import migrations, models
from django.db.models.functions import Lower


def drop_account_index(apps, schema_editor):
    model = apps.get_model("sales", "Opportunity")
    column = model._meta.get_field("account").column
    meta_indexes = {index.name for index in model._meta.indexes}
    for name in schema_editor._constraint_names(model, [column], index=True, type_=models.Index.suffix,
                                                exclude=meta_indexes):
        schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_account_index(apps, schema_editor):
    model = apps.get_model("sales", "Opportunity")
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[model._meta.get_field("account")]))


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0014_marketing_activities"),
        ("sales", "0010_reminder_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="opportunity", name="opportunity_close_idx"),
        migrations.RemoveIndex(model_name="opportunity", name="opportunity_stage_idx"),
        migrations.RemoveIndex(model_name="opportunity", name="opportunity_assigned_idx"),
        migrations.RemoveIndex(model_name="opportunity", name="opportunity_source_idx"),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(models.F("source"), models.F("stage"), models.F("total"), models.F("expected_revenue"),
                               models.F("id"), name="opportunity_source_idx"),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(models.F("close_date"), models.F("id"), models.F("stage"), models.F("total"),
                               models.F("expected_revenue"), name="opportunity_close_idx"),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(models.F("stage"), Lower("title"), models.F("id"), models.F("total"),
                               models.F("expected_revenue"), models.F("close_date"), models.F("assigned_to"),
                               name="opportunity_stage_idx"),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(models.F("assigned_to"), Lower("title"), models.F("id"), models.F("stage"),
                               models.F("total"), models.F("expected_revenue"), name="opportunity_assigned_idx"),
        ),
        migrations.AddIndex(
            model_name="opportunity",
            index=models.Index(models.F("account"), models.F("contact"), models.F("stage"), models.F("total"),
                               models.F("expected_revenue"), models.F("id"), name="opportunity_account_idx"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="opportunity",
                    name="account",
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=models.deletion.PROTECT,
                                            related_name="opportunities", to="crm.account", verbose_name="account"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_account_index, create_account_index)],
        ),
    ]
