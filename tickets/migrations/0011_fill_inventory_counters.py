"""A counter for every existing pass type and shared pool, holding what its orders take now.

What a counter counts (tickets/inventory.py): the passes of pending orders, paid ones, and
refunded ones when refunds keep passes sold. Pending orders past their hold count until the
hold is released (the beat task, or the next order that finds no room), as they would had the
counter been there when they were placed.
"""

from django.conf import settings
from django.db import migrations
from django.db.models import Sum


def counted_statuses() -> list[str]:
    statuses = ["pending", "paid"]
    if not settings.GREENROOM_REFUND_RETURNS_INVENTORY:
        statuses.append("refunded")
    return statuses


def fill_counters(apps, schema_editor):
    PassType = apps.get_model("tickets", "PassType")
    InventoryPool = apps.get_model("tickets", "InventoryPool")
    OrderLine = apps.get_model("tickets", "OrderLine")
    InventoryCounter = apps.get_model("tickets", "InventoryCounter")
    lines = OrderLine.objects.filter(order__status__in=counted_statuses())
    by_pass_type = dict(
        lines.values("pass_type").annotate(taken=Sum("quantity")).values_list("pass_type", "taken")
    )
    by_pool = dict(
        lines.filter(pass_type__pools__isnull=False)
        .values("pass_type__pools")
        .annotate(taken=Sum("quantity"))
        .values_list("pass_type__pools", "taken")
    )
    InventoryCounter.objects.bulk_create(
        [
            InventoryCounter(pass_type_id=pk, taken=by_pass_type.get(pk, 0))
            for pk in PassType.objects.values_list("pk", flat=True)
        ]
        + [
            InventoryCounter(pool_id=pk, taken=by_pool.get(pk, 0))
            for pk in InventoryPool.objects.values_list("pk", flat=True)
        ],
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0010_inventory_counter"),
    ]

    operations = [
        migrations.RunPython(fill_counters, migrations.RunPython.noop),
    ]
