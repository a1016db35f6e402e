"""Reads of the notices app: whether a person takes programme-change notices, their devices."""

from django.db.models import QuerySet

from notices.models import PushSubscription
from privacy.models import ConsentPurpose
from privacy.selectors import refusing_user_ids


def programme_notices_on(user) -> bool:
    """On unless the person said no: bookmarking a session is asking to keep up with it."""
    return user.pk not in refusing_user_ids(ConsentPurpose.PROGRAMME_CHANGES, user_ids=[user.pk])


def push_subscriptions_of(user) -> QuerySet[PushSubscription]:
    return PushSubscription.objects.filter(user=user)
