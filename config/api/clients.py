"""Who is calling: the client address as every throttle and cap sees it."""

from rest_framework.throttling import BaseThrottle


def client_address(request) -> str:
    """The client's IP address, behind NUM_PROXIES trusted proxies (DRF's own rule, so the caps
    on holds and the throttles can never disagree about who a client is)."""
    return BaseThrottle().get_ident(request)
