"""The sales process a new database starts with: stages (the first one the
default), their activities, the built-in Closed Won / Closed Lost stages, and
the Type and Payment terms lists. The owner changes all of it in Customize."""
from django.db import migrations

STAGES = [
    ("Prospecting", [("Identify the decision makers", 3), ("Make the first contact", 2)]),
    ("Qualification", [("Confirm the budget", 5), ("Confirm the timeline", 5)]),
    ("Proposal", [("Send the proposal", 3), ("Follow up on the proposal", 7)]),
    ("Negotiation", [("Agree on price and terms", 7)]),
]
LISTS = {
    "opportunity_type": ["New business", "Existing business"],
    "payment_terms": ["Due on receipt", "Net 15", "Net 30", "Net 60"],
}


def ship(apps, schema_editor):
    SalesStage = apps.get_model("sales", "SalesStage")
    SalesActivity = apps.get_model("sales", "SalesActivity")
    ListValue = apps.get_model("crm", "ListValue")
    for position, (name, activities) in enumerate(STAGES, start=1):
        stage = SalesStage.objects.create(name=name, position=position, is_default=position == 1)
        for index, (activity, days) in enumerate(activities, start=1):
            SalesActivity.objects.create(stage=stage, name=activity, duration_days=days, position=index)
    SalesStage.objects.create(name="Closed Won", kind="won", position=1000)
    SalesStage.objects.create(name="Closed Lost", kind="lost", position=1001)
    for kind, names in LISTS.items():
        for position, name in enumerate(names, start=1):
            ListValue.objects.get_or_create(kind=kind, name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("sales", "0001_initial"), ("crm", "0006_list_kinds_for_sales")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
