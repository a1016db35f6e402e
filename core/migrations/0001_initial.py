# Tombstones (from events) and the audit trail (from privacy) move here with their rows: the old
# apps' migrations renamed the tables, so this one only takes the models over in Django's state,
# then gives their indexes core's names and moves their content types.

import core.tombstones
from core.migration_operations import move_content_type
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('contenttypes', '0002_remove_content_type_name'),
        ('events', '0004_move_bookmarks_and_tombstones'),
        ('privacy', '0003_move_audit_entries_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[
        migrations.CreateModel(
            name='Tombstone',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=core.tombstones.kind_choices, max_length=16)),
                ('object_id', models.BigIntegerField()),
                ('event_id', models.BigIntegerField()),
                ('deleted_at', models.DateTimeField(db_index=True)),
            ],
            options={
                'ordering': ['deleted_at'],
                'indexes': [models.Index(fields=['event_id', 'kind', 'deleted_at'], name='events_tomb_event_i_b7d8ed_idx')],
            },
        ),
        migrations.CreateModel(
            name='AuditEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                ('actor_username', models.CharField(max_length=150)),
                ('action', models.CharField(choices=[('viewed', 'Viewed'), ('exported', 'Exported'), ('changed', 'Changed'), ('erased', 'Erased')], max_length=16)),
                ('subject_type', models.CharField(help_text='For example "tickets.order".', max_length=100)),
                ('subject_id', models.CharField(blank=True, max_length=64)),
                ('object_count', models.PositiveIntegerField(default=1)),
                ('detail', models.CharField(blank=True, max_length=200)),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name_plural': 'audit entries',
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['subject_type', 'subject_id'], name='privacy_aud_subject_350169_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('action__in', ['viewed', 'exported', 'changed', 'erased'])), name='audit_action_valid')],
            },
        ),
        ]),
        migrations.RenameIndex(
            model_name='tombstone',
            new_name='core_tombst_event_i_b75020_idx',
            old_name='events_tomb_event_i_b7d8ed_idx',
        ),
        migrations.RenameIndex(
            model_name='auditentry',
            new_name='core_audite_subject_817cab_idx',
            old_name='privacy_aud_subject_350169_idx',
        ),
        move_content_type(model='tombstone', from_app='events', to_app='core'),
        move_content_type(model='auditentry', from_app='privacy', to_app='core'),
    ]
