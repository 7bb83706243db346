"""What the last few keys asked for were, kept to give again (statements, documents, figures)."""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class LastUsed(Generic[V]):
    """The values of the last ``size`` keys used, safe to share between threads.

    Those who keep something here decide when a value found is still good to give.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[Hashable, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(
        self, key: Hashable, make: Callable[[], V], fits: Callable[[V], bool] = lambda _: True
    ) -> V:
        """Return the value kept under ``key`` if ``fits`` says it is still good, else
        ``make()``'s, kept in its place. ``make`` runs outside the lock."""
        found = self._find(key)
        if found is not None and fits(found):
            return found
        made = make()
        self._keep(key, made)
        return made

    def _find(self, key: Hashable) -> V | None:
        """Return the value kept under ``key`` (now the last used), or None."""
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
            return found

    def _keep(self, key: Hashable, value: V) -> None:
        """Keep ``value`` under ``key``, dropping the key used longest ago if one too many."""
        with self._lock:
            self._kept[key] = value
            self._kept.move_to_end(key)
            if len(self._kept) > self._size:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        """Forget every value."""
        with self._lock:
            self._kept.clear()
