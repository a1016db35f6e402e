"""The kinds of deletion that delta sync reports to offline apps, registered by each app.

An app registers its kinds at import of its models (`register_kind("pass_type", "Pass type")`);
the Tombstone model reads its choices from here, so a new kind needs no migration of core.
"""

from core.registry import Registry

KINDS: Registry[str] = Registry("tombstone kinds")


def register_kind(key: str, label: str) -> str:
    """Declare a kind of deletion; returns the key to record it with."""
    KINDS.register(key, label)
    return key


def kind_choices() -> list[tuple[str, str]]:
    return KINDS.items()
