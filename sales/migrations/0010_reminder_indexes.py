"""Indexes of the reminders (crm.reminders): each person's ticked opportunity
reminders by stage and time, and their opportunities of a stage by the day they
entered it (sales activities fall due that many days later)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sales', '0009_stage_probability'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='opportunity',
            index=models.Index(models.F('assigned_to'), models.F('stage'), models.F('reminder_at'), condition=models.Q(('reminder', True)), name='opportunity_reminder_idx'),
        ),
        migrations.AddIndex(
            model_name='opportunity',
            index=models.Index(models.F('assigned_to'), models.F('stage'), models.F('stage_entered_on'), name='opportunity_assigned_stage_idx'),
        ),
    ]
