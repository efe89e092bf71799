"""Emitting Qt signals from Python safely on PySide6 6.12 with CPython 3.11.

PySide6 6.12's ``SignalInstance.emit`` returns ``True`` without taking a
reference to it.  Each emit from Python therefore drops one reference to
``True``; after a few hundred emits CPython 3.11 aborts with "bool_dealloc:
deallocating True or False" (CPython 3.12+ made booleans immortal, so there it
is harmless).  ``emit`` gives the reference back.  Should a later PySide fix
the bug, the only effect is one spare reference to an immortal-in-practice
object per emit, which costs nothing.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Any

from PySide6.QtCore import SignalInstance

_BOOLS_ARE_MORTAL = sys.version_info < (3, 12)


def emit(signal: SignalInstance, *args: Any) -> None:
    """``signal.emit(*args)``, without the reference leak described above."""
    result = signal.emit(*args)
    if _BOOLS_ARE_MORTAL and isinstance(result, bool):
        ctypes.pythonapi.Py_IncRef(ctypes.py_object(result))
