"""One owner of the app's background work: it starts every job, cancels them all on quit, and waits once.

A job is any object with a ``name``, a blocking ``run()`` and a ``cancel()``
that asks it to end soon (a call's cancel stops it: what was heard is still
transcribed and kept).  Each job runs in its own daemon thread named after it.
Closing the window calls ``shutdown``: every job is cancelled, then all are
waited for against one deadline, so quitting never leaves a call half-written
or a model half-loaded (leaving mid-load aborts inside CTranslate2).  Plain
Python, no Qt: the window and the command line can share it.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Protocol

log = logging.getLogger(__name__)


class Job(Protocol):
    name: str

    def run(self) -> None:
        """Do the work; errors are the job's own to report (an exception here is logged)."""
        ...

    def cancel(self) -> None:
        """Ask the work to end soon; may be called from any thread, more than once."""
        ...


class JobsManager:
    """Starts jobs in threads and keeps track of them until they end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Job, threading.Thread] = {}
        self._closed = False

    def start(self, job: Job) -> bool:
        """Run ``job`` in its own thread; False (and not run) once the manager is shutting down."""
        with self._lock:
            if self._closed:
                log.info("not starting %s: the app is closing", job.name)
                return False
            thread = threading.Thread(target=self._run, args=(job,), name=job.name, daemon=True)
            self._running[job] = thread
        thread.start()
        return True

    def _run(self, job: Job) -> None:
        try:
            job.run()
        except Exception:  # a job reports its own errors; one that escapes must not vanish silently
            log.exception("background job %s failed", job.name)
        finally:
            with self._lock:
                self._running.pop(job, None)

    def running(self) -> list[Job]:
        with self._lock:
            return list(self._running)

    def is_running(self, job: Job) -> bool:
        with self._lock:
            return job in self._running

    def wait(self, job: Job, timeout: float | None = None) -> bool:
        """Wait for one job to end; True when it has (or never ran here)."""
        with self._lock:
            thread = self._running.get(job)
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def cancel_all(self) -> None:
        for job in self.running():
            try:
                job.cancel()
            except Exception:
                log.exception("cancelling %s failed", job.name)

    def wait_all(self, timeout: float | None = None) -> bool:
        """Wait for every job against one deadline; True when none is left."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for job in self.running():
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self.wait(job, left):
                log.warning("%s did not end within %.0f s", job.name, timeout or 0)
        return not self.running()

    def shutdown(self, timeout: float | None = None) -> bool:
        """Refuse new jobs, cancel every running one, and wait for them all once."""
        with self._lock:
            self._closed = True
        self.cancel_all()
        return self.wait_all(timeout)
