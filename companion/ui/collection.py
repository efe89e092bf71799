"""Python's full garbage collection kept out of a call.

A full collection walks every object the process holds, and it runs on whichever thread
allocates next, often the GUI thread. After the models' start-up and a few calls that is
hundreds of thousands of objects: in the test suite's process the demo call's window stood
still for 0.26 s fourteen seconds in, and a watch on the collector saw full collections of
0.04–0.10 s on the GUI thread after only the analysis tests. So the objects that exist when a
call starts are frozen (``gc.freeze``: left out of every collection) until it ends; then they
are thawed and collected once, when the window has nothing urgent to draw.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QTimer


def hold_collection() -> None:
    """A call starts: what exists now is left out of collections until ``release_collection``."""
    gc.freeze()


def release_collection() -> None:
    """The call ended: thaw, and collect once from the event loop rather than mid-call."""
    gc.unfreeze()
    QTimer.singleShot(0, gc.collect)
