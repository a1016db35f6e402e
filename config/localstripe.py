"""localstripe on one interface, the loopback by default: `python -m config.localstripe`.

The `localstripe` command binds every interface (`::`, IPv4 too); a fake Stripe that takes any
key and fires webhooks at whatever URL it is told must not answer the network. `make run`
(config/rundev.py), the README's walkthrough and the test fixtures start it through here.
localstripe is a development dependency (GPL-3.0): it runs in its own process, never imported
by the site.
"""

import argparse
import logging

from aiohttp import web
from localstripe.server import app, store


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8420)
    parser.add_argument("--from-scratch", action="store_true", help="ignore the saved store")
    args = parser.parse_args(argv)
    if not args.from_scratch:
        store.try_load_from_disk()
    access_log = logging.getLogger("aiohttp.access")
    access_log.setLevel(logging.DEBUG)
    access_log.addHandler(logging.StreamHandler())
    web.run_app(app, host=args.host, port=args.port, access_log=access_log)


if __name__ == "__main__":
    main()
