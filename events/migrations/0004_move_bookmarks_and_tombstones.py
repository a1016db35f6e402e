# Bookmarks move to the agenda app and tombstones to core; their tables are renamed, every row
# stays (agenda.0001 and core.0001 take the models over in Django's state).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0003_tombstone_pass_type'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name='bookmark', table='agenda_bookmark'),
                migrations.AlterModelTable(name='tombstone', table='core_tombstone'),
            ],
            state_operations=[
                migrations.DeleteModel(name='Bookmark'),
                migrations.DeleteModel(name='Tombstone'),
            ],
        ),
    ]
