"""Keeping the recogniser's freed memory for its next pass instead of handing it back to the kernel.

Every Whisper pass allocates tens of megabytes in blocks bigger than glibc's
mmap threshold (the 30 s spectrogram's temporaries, the encoder's activations).
glibc serves those with ``mmap`` and unmaps them on free, so the next pass
faults every page in again: about 53,000 page faults and 0.15-0.2 s of kernel
time per pass, a quarter of a live call's CPU (measured, docs/engine.md).
Raising the thresholds keeps those blocks in the heap and reuses them.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
import threading

log = logging.getLogger(__name__)

# glibc's mallopt parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
# One block of a pass is between 32 and 64 MB (32 MB left the faults as they were); an older
# glibc refuses more than 32 MB, which still keeps the smaller blocks.
MMAP_THRESHOLDS = (64 * 1024 * 1024, 32 * 1024 * 1024)
TRIM_THRESHOLD = 256 * 1024 * 1024

_done = threading.Event()


def keep_freed_memory() -> bool:
    """Tell glibc to reuse large freed blocks (once per process); False where there is no glibc."""
    if _done.is_set():
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # musl and other C libraries have no mallopt
        return False
    ok = any(mallopt(M_MMAP_THRESHOLD, size) for size in MMAP_THRESHOLDS)
    ok = bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)) and ok
    if ok:
        _done.set()
    else:
        log.info("mallopt refused the heap thresholds; recognition will fault its memory in each pass")
    return ok
