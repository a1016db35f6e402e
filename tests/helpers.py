"""Small helpers shared by tests in several apps."""

import time
from collections.abc import Callable


def wait_for(condition: Callable[[], bool], *, seconds: float = 20.0) -> bool:
    """Poll `condition` until it holds or `seconds` pass (for work done by other threads)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
