"""Where people reach an order: its page on the public site, by its private link."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from tickets.models import Order


def order_url(order: Order, **query: str) -> str:
    """The order's page on the public site with its key (and any extra `query`), absolute."""
    # By URL name: the site is a layer above this app, which must not import it.
    path = reverse("web:order", args=[order.code])
    return f"{settings.GREENROOM_SITE_URL}{path}?{urlencode({'key': order.secret, **query})}"
