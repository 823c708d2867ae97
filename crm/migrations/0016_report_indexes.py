"""Indexes for the reports (bench/reports.py): the business contacts by source
(which replaces the source field's own index) and the lead reports'
groupings and filters in one narrow index.

The source field's index is dropped by name, not by altering the field: on
SQLite, altering a field rebuilds the table, which would drop the search and
data-version triggers that other migrations put on it."""
from django.db import migrations, models


def drop_source_index(apps, schema_editor):
    model = apps.get_model("crm", "BusinessContact")
    column = model._meta.get_field("source").column
    meta_indexes = {index.name for index in model._meta.indexes}
    for name in schema_editor._constraint_names(model, [column], index=True, type_=models.Index.suffix,
                                                exclude=meta_indexes):
        schema_editor.execute(schema_editor._delete_index_sql(model, name))


def create_source_index(apps, schema_editor):
    model = apps.get_model("crm", "BusinessContact")
    schema_editor.execute(schema_editor._create_index_sql(model, fields=[model._meta.get_field("source")]))


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0015_reminders"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="businesscontact",
            index=models.Index(models.F("source"), models.F("is_lead"), name="contact_source_idx"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="businesscontact",
                    name="source",
                    field=models.ForeignKey(blank=True, db_index=False, limit_choices_to={"kind": "source"}, null=True,
                                            on_delete=models.deletion.PROTECT, related_name="+", to="crm.listvalue",
                                            verbose_name="source"),
                ),
            ],
            database_operations=[migrations.RunPython(drop_source_index, create_source_index)],
        ),
        migrations.AddIndex(
            model_name="businesscontact",
            index=models.Index(models.F("is_lead"), models.F("assigned_to"), models.F("score"), models.F("source"),
                               models.F("initiated_by_activity"), models.F("created"), models.F("id"),
                               name="contact_report_idx"),
        ),
    ]
