"""Which network a client address stands for, so limits count a subscriber, not an address.

An IPv4 address is usually one subscriber (or one NAT). An IPv6 subscriber is handed a whole
/64 (often more) and picks addresses in it freely, so counting IPv6 addresses one by one would
let a single machine look like millions of clients.
"""

import ipaddress


def client_network(address: str) -> str:
    """`192.0.2.1` for an IPv4 client (also when written `::ffff:192.0.2.1`), the `/64` of an
    IPv6 client, "" for anything that is not an address."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return ""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 6:
        return ipaddress.ip_network(f"{ip}/64", strict=False).with_prefixlen
    return str(ip)
