"""A small bounded, thread-safe least-recently-used cache, owned by whoever needs one.

The engine remembers analysed conversations and read moments so that reviewing draft after draft
of the same case costs one scan of the draft. Many request threads share one engine, so the cache
takes a lock, but only around the dictionary operations: the value is computed outside it, so a
slow computation for one conversation never makes another conversation wait. Two threads that
miss the same key at once both compute it (the results are equal); the last one stored wins.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LruCache(Generic[K, V]):
    """At most `size` entries; the least recently used one goes first."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("an LRU cache needs room for at least one entry")
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The cached value of `key`, else `compute()` (run without the lock), remembered."""
        found = self.get(key)
        if found is None:
            found = compute()
            self.put(key, found)
        return found

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class TextMemo:
    """What pure functions of one string (a customer's message, one of its sentences) return,
    remembered by function and string: at most `size` results, the least recently used going
    first. Posting a message re-reads the same first and latest customer turns of its case for
    the suggestions' slots, so an engine keeps one of these for them (`Moment.words`)."""

    def __init__(self, size: int) -> None:
        self._found: LruCache[tuple[Callable[[str], object], str], tuple[object]] = LruCache(size)

    def __len__(self) -> int:
        return len(self._found)

    def __call__(self, read: Callable[[str], V], text: str) -> V:
        """`read(text)`, remembered. Its result is shared: it must not be changed (a tuple)."""
        key = (read, text)
        found = self._found.get(key)  # kept in a 1-tuple: None is a result too
        if found is None:
            found = (read(text),)
            self._found.put(key, found)
        return found[0]  # type: ignore[return-value]
