"""A guard against PySide6 6.12's lost references to ``None``, ``True`` and ``False``.

With CPython 3.11, PySide6 6.12 returns these singletons from many calls
without taking a reference for the caller: ``SignalInstance.emit`` (``True``),
and argument-less or void methods such as ``processEvents``, ``show``, ``hide``
and ``clear`` (``None``).  Every such call drops one reference, and after a few
hundred CPython aborts with "none_dealloc / bool_dealloc: deallocating None"
(seen within 25 s of a demo call).  CPython 3.12 made these objects immortal,
which is exactly the cure: here their reference counts are raised far out of
reach (2**40 calls is decades of use), so the lost references cost nothing.
Nothing is done on 3.12 and later.
"""

from __future__ import annotations

import ctypes
import sys

RESERVE = 1 << 40
_done = False


def guard_singletons() -> None:
    """Raise the reference counts of None, True and False once per process (CPython < 3.12)."""
    global _done
    if _done or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object; the GIL is held here.
        ctypes.c_ssize_t.from_address(id(obj)).value += RESERVE
    _done = True
