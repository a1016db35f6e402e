"""The one way a lower layer learns about code in the layers above it.

An app above registers an implementation from its `AppConfig.ready()` (or at import of its
models); the app below iterates the registry without importing the app that filled it, as
pretix's per-app data shredders do.
"""

from collections.abc import Iterator


class Registry[T]:
    """Named implementations of one hook, kept in the order they were registered."""

    def __init__(self, hook: str) -> None:
        self.hook = hook
        self._items: dict[str, T] = {}

    def register(self, key: str, item: T) -> T:
        """Add `item` under `key`; registering the same key again replaces it (app reloads)."""
        self._items[key] = item
        return item

    def unregister(self, key: str) -> None:
        """Remove `key` if present (tests that register a listener for their own duration)."""
        self._items.pop(key, None)

    def get(self, key: str) -> T:
        try:
            return self._items[key]
        except KeyError:
            raise LookupError(f"Nothing is registered as {key!r} for {self.hook}.") from None

    def __contains__(self, key: str) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._items.values()))

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())
