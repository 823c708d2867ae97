"""Reminders: each user's answers to their reminders (dismissed, snoozed), the key
of their calendar feed, and an index of each person's open tasks by due date."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0014_marketing_activities'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReminderFeed',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=64, verbose_name='key')),
                ('created', models.DateTimeField(auto_now=True, verbose_name='created')),
            ],
            options={
                'verbose_name': 'reminder feed',
                'verbose_name_plural': 'reminder feeds',
            },
        ),
        migrations.CreateModel(
            name='ReminderState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('source', models.CharField(max_length=40, verbose_name='kind')),
                ('object_id', models.PositiveBigIntegerField(verbose_name='object id')),
                ('detail_id', models.PositiveBigIntegerField(default=0, verbose_name='detail id')),
                ('due_at', models.DateTimeField(blank=True, null=True, verbose_name='due')),
                ('due_on', models.DateField(blank=True, null=True, verbose_name='due date')),
                ('dismissed', models.BooleanField(default=False, verbose_name='dismissed')),
                ('snoozed_until', models.DateTimeField(blank=True, null=True, verbose_name='snoozed until')),
                ('modified', models.DateTimeField(auto_now=True, verbose_name='modified')),
            ],
            options={
                'verbose_name': 'reminder state',
                'verbose_name_plural': 'reminder states',
            },
        ),
        migrations.AddIndex(
            model_name='historyitem',
            index=models.Index(condition=models.Q(('kind', 'task'), models.Q(('status', 'completed'), _negated=True)), fields=['assigned_to', 'due_date'], name='history_open_task_idx'),
        ),
        migrations.AddField(
            model_name='reminderfeed',
            name='user',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
        migrations.AddField(
            model_name='reminderstate',
            name='user',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
        migrations.AddConstraint(
            model_name='reminderstate',
            constraint=models.UniqueConstraint(fields=('user', 'source', 'object_id', 'detail_id'), name='reminderstate_unique'),
        ),
        migrations.AddConstraint(
            model_name='reminderstate',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('due_at__isnull', False), ('due_on__isnull', True)), models.Q(('due_at__isnull', True), ('due_on__isnull', False)), _connector='OR'), name='reminderstate_one_due'),
        ),
    ]
