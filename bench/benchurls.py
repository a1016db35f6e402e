"""The product's URLs plus two reference views: every API figure is compared to one of them."""

from django.db import connection, transaction
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


def minimal_view(request):
    return JsonResponse({"ok": True})


@csrf_exempt
def insert_view(request):
    """A plain single-row insert in its own transaction: the reference of bench/flash_sale.py.

    The table `bench_insert` is not a Django model; bench/flash_sale.py creates it with raw SQL
    (bench.common.INSERT_TABLE_SQL) before the server starts."""
    if request.method != "POST":
        return JsonResponse({"code": "method_not_allowed"}, status=405)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_insert (note) VALUES (%s) RETURNING id",
            [request.body[:200].decode(errors="replace")],
        )
        row_id = cursor.fetchone()[0]
    return JsonResponse({"id": row_id}, status=201)


urlpatterns = [
    path("bench/minimal/", minimal_view),
    path("bench/insert/", insert_view),
    path("", include("config.urls")),
]
