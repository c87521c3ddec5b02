"""Python's cyclic garbage collector held back during a bulk write.

A national import builds millions of short-lived tuples (a file's figures as keys, values and
rows to write). None of them is part of a reference cycle, so reference counting frees them all,
but their number sets off the collector's full passes, which look at every object the process
holds: a third of the client's CPU time in writing 60 000 new figures (issue 21, measured in
bench/README.md). The collector is off for the duration and runs again afterwards as usual."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collection_paused() -> Iterator[None]:
    """Collect no cycles inside (nested and from several threads alike: the collector runs
    again when the last one leaves, if it was running when the first one came in)."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
