"""JSON from outside, read with a cap on nesting: deep input is refused, never a RecursionError.

Python's parser recurses once per level, so some 40 KB of `[` exhaust the stack. Nothing we
accept (API bodies, Stripe's events) nests more than a few levels, so anything past
MAX_JSON_DEPTH is refused as invalid JSON.
"""

import json

MAX_JSON_DEPTH = 64


class JSONTooDeep(ValueError):
    """The JSON nests deeper than MAX_JSON_DEPTH."""

    def __init__(self) -> None:
        super().__init__(f"The JSON is nested more than {MAX_JSON_DEPTH} levels deep.")


def depth(value: object) -> int:
    """How many arrays and objects deep `value` nests (walked without recursion)."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, level)
            pending.extend((child, level + 1) for child in item)
    return deepest


def check_depth(value: object) -> object:
    """`value` itself when it nests at most MAX_JSON_DEPTH deep; else JSONTooDeep."""
    if depth(value) > MAX_JSON_DEPTH:
        raise JSONTooDeep
    return value


def loads(text: str | bytes, **kwargs) -> object:
    """json.loads, raising ValueError (JSONTooDeep) for input nested too deeply."""
    try:
        return check_depth(json.loads(text, **kwargs))
    except RecursionError:
        raise JSONTooDeep from None
