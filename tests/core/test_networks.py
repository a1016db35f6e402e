"""Client networks: what the caps on holds and the sign-in lockout count as one client."""

import pytest

from core.networks import client_network


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("192.0.2.1", "192.0.2.1"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
        ("not an address", ""),
        ("", ""),
    ],
)
def test_client_network_is_the_ipv4_address_or_the_ipv6_64(address, network):
    assert client_network(address) == network
