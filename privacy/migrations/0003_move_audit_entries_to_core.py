# The audit trail moves to core, where every app's admin can record to it; its table is renamed,
# every row stays (core.0001 takes the model over in Django's state).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('privacy', '0002_consent'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='auditentry', table='core_auditentry'),
            ],
            state_operations=[
                migrations.DeleteModel(name='AuditEntry'),
            ],
        ),
    ]
