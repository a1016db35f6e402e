"""Reads of the webhooks app, for the admin."""

from django.db.models import Prefetch, QuerySet

from webhooks.models import Attempt, Delivery, Endpoint

RECENT_DELIVERIES = 20


def recent_deliveries(endpoint: Endpoint, *, limit: int = RECENT_DELIVERIES) -> QuerySet[Delivery]:
    """The endpoint's latest deliveries, newest first, each with its attempts."""
    return endpoint.deliveries.prefetch_related(
        Prefetch("attempt_log", queryset=Attempt.objects.order_by("-attempted_at", "-pk"))
    ).order_by("-created_at", "-pk")[:limit]
