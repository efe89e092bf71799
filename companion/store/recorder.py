"""Records a call into the store as it happens: every event committed, the audio flushed each second.

``SessionRecorder`` is a plain pipeline listener.  The engine's threads only
put values on a queue; one writer thread commits them, so a slow disk never
holds up the transcript.  If the store cannot be written (locked, read-only,
full, damaged) the call goes on: events wait in memory and in a spool file,
the writer retries every few seconds, and ``recovery.import_spool`` saves what
is left at the next start.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import queue
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from companion.audio.frames import AudioBlock
from companion.errors import StoreError
from companion.events import CallEnded, CallStarted, Event, Level
from companion.store import event_codec
from companion.store.audio_file import AudioWriter, repair
from companion.store.db import SessionStore, new_uid
from companion.store.private_files import private_dir, private_file
from companion.store.records import SessionInfo
from companion.store.redact import redact_event
from companion.store.rows import now_iso
from companion.store.session_lock import SessionLock

log = logging.getLogger(__name__)

_STOP = object()
MAX_AHEAD_S = 0.5  # sound a file's reader may be ahead of what the system has been given (a page)
WRITER_WAIT_S = 2.0  # the longest a file's reader waits for the writer at one block
MAX_BATCH = 2000  # queued items saved in one commit (about a minute of a call's audio blocks)


def default_spool_dir() -> Path:
    """Where a call's data waits when the store cannot take it (outside the store: it may be the problem)."""
    return Path(tempfile.gettempdir()) / "call-companion-spool"


@dataclass(frozen=True, slots=True)
class RecorderSettings:
    agent: str = ""
    title: str = ""
    redact: bool = True
    playbook_steps: tuple[tuple[str, str], ...] = ()
    keep_levels: bool = False  # meter readings, 20 a second; replay can measure them from the audio
    flush_every_s: float = 1.0
    retry_every_s: float = 2.0
    spool_dir: Path | None = None


class EventSource(Protocol):
    """What the recorder needs of a pipeline (kept structural: the store sits below the pipeline)."""

    def add_listener(self, listener: Callable[[Event], None]) -> None: ...

    def add_audio_listener(self, listener: Callable[[AudioBlock], None]) -> None: ...


class SessionRecorder:
    """Keeps one call as a session: attach it to a pipeline before ``start``, ``close`` it after."""

    def __init__(
        self,
        store: SessionStore | Path | str,
        settings: RecorderSettings | None = None,
        on_error: Callable[[StoreError], None] | None = None,
    ) -> None:
        self.settings = settings or RecorderSettings()
        self._store: SessionStore | None = store if isinstance(store, SessionStore) else None
        self._root = store.root if isinstance(store, SessionStore) else Path(store)
        self._on_error = on_error
        self.spool_dir = self.settings.spool_dir or default_spool_dir()
        self.uid = new_uid()
        self.session_id: int | None = None
        self.audio_path: Path | None = None
        self.errors: list[StoreError] = []
        self.committed = 0  # events safely in the store
        self._info: SessionInfo | None = None
        self._pending: list[tuple[int, Event]] = []
        self._seq = 0
        self._last_t = 0.0
        self._audio: AudioWriter | None = None
        self._lock: SessionLock | None = None
        self._spool: Path | None = None
        self._spooled = -1  # last sequence number written to the spool file
        self.failing = False  # the store refuses writes; events wait in memory and the spool
        self._last_flush = time.monotonic()
        self._pushed_s = 0.0  # call time up to which the audio has been handed to the system
        self._last_retry = 0.0
        self._finished = False
        self._told = False  # the user has been told the store is failing (once until it works again)
        self._audio_stopped_at: float | None = None  # call time the audio file could no longer be written
        self._broken_audio: AudioWriter | None = None
        self._audio_speakers: list[str] = []
        self._ended_at: float | None = None  # call time of CallEnded, once it has come
        self._queue: queue.Queue[Any] = queue.Queue()
        self._paced = False  # a file read faster than real time waits for its sound to be kept
        self._kept = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="session-recorder", daemon=True)
        self._thread.start()

    # -- the engine's side (any thread) ---------------------------------------------

    def attach(self, pipeline: EventSource) -> SessionRecorder:
        pipeline.add_listener(self.on_event)
        pipeline.add_audio_listener(self.on_audio)
        return self

    def on_event(self, event: Event) -> None:
        if isinstance(event, Level) and not self.settings.keep_levels:
            return
        if isinstance(event, CallStarted):
            self._paced = not event.realtime
        self._queue.put(event)

    def on_audio(self, block: AudioBlock) -> None:
        self._queue.put(block)
        if self._paced:
            self._wait_for_writer(block.t1)

    def _wait_for_writer(self, t: float) -> None:
        """Hold a file's reader while the writer is more than ``MAX_AHEAD_S`` of sound behind.

        A live call cannot wait, and is never far ahead; a file read at twenty times real
        time would otherwise run seconds ahead of what a kill leaves on the disk.  The wait
        is bounded, so a stuck disk slows an import down but never hangs it.
        """
        deadline = time.monotonic() + WRITER_WAIT_S
        with self._kept:
            while t - self._pushed_s > MAX_AHEAD_S and self._audio_open() and time.monotonic() < deadline:
                self._kept.wait(0.1)

    def _audio_open(self) -> bool:
        return self._thread.is_alive() and not self._finished and (self._audio is not None or self._info is None)

    def close(self, timeout: float | None = 30.0) -> None:
        """Finish the session (if the call did not end by itself) and wait for everything to be written."""
        self._queue.put(_STOP)
        self._thread.join(timeout)

    # -- the writer thread ----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            try:
                batch = [self._queue.get(timeout=self.settings.flush_every_s)]
            except queue.Empty:
                batch = [None]
            # Everything else waiting goes in the same commit and flush: one fsync per item
            # let a file analysed faster than real time leave the writer seconds behind.
            while batch[-1] is not _STOP and len(batch) < MAX_BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            for item in batch:
                try:
                    if item is _STOP:
                        if not self._finished and self._info is not None:
                            ended = self._ended_at
                            how = "stopped" if ended is None else "ended"
                            self._finish(self._last_t if ended is None else ended, how)
                        return
                    if item is None and self._ended_at is not None and not self._finished:
                        self._finish(self._ended_at, "ended")  # the call ended and nothing followed it
                    if isinstance(item, AudioBlock):
                        self._write_audio(item)
                    elif item is not None:
                        self._record(item)
                except Exception:  # the recorder must never die mid-call: log, keep going
                    log.exception("session recorder failed on %r", item)
            try:
                self._commit()
                self._keep_durable()
            except Exception:
                log.exception("session recorder failed to save")

    def _record(self, event: Event) -> None:
        if isinstance(event, CallStarted):
            self._start(event)
        if self._info is None or self._finished:
            return
        if self.settings.redact:
            event = redact_event(event)
        self._pending.append((self._seq, event))
        self._seq += 1
        self._last_t = max(self._last_t, event.t)
        if isinstance(event, CallEnded):
            # Not finished yet: the coach answers the end of the call with its last events
            # (a closing silence, say), which arrive right after it.  The session is finished
            # when the queue falls idle or the recorder is closed.
            self._ended_at = max(event.t, self._audio.seconds if self._audio else 0.0)

    def _start(self, event: CallStarted) -> None:
        speakers = [s for s, _ in event.channels]
        s = self.settings
        self._info = SessionInfo(
            uid=self.uid,
            started_at=now_iso(),
            agent=s.agent,
            title=s.title,
            source=event.source,
            channels=tuple((sp, name) for sp, name in event.channels),
            playbook_steps=s.playbook_steps,
            redacted=s.redact,
        )
        self._open_store()
        audio_speakers = ["agent", "customer"] if {"agent", "customer"} <= set(speakers) else speakers[:1]
        self._audio_speakers = audio_speakers
        for folder in (self._root / "audio", self.spool_dir):
            try:
                private_dir(folder)
                lock = SessionLock(folder / f"{self.uid}.lock")
                lock.acquire()
                self._audio = AudioWriter(private_file(folder / f"{self.uid}.ogg"), audio_speakers)
                self._lock = lock
                self.audio_path = self._audio.path
                break
            except (OSError, StoreError) as exc:
                self._report(exc if isinstance(exc, StoreError) else StoreError(f"cannot keep the audio: {exc}"))
        if self._store is not None and self.session_id is not None and self.audio_path is not None:
            with contextlib.suppress(StoreError):
                self._store.set_audio(self.session_id, self.audio_path)

    def _open_store(self) -> bool:
        """Make sure the store is open and the session row exists; False while it cannot be."""
        try:
            if self._store is None:
                # A short wait for a lock: the writer must not stall the call's audio for long.
                self._store = SessionStore(self._root, busy_timeout_s=0.5)
            if self.session_id is None and self._info is not None:
                self.session_id = self._store.find_uid(self.uid) or self._store.create_session(self._info)
                if self.audio_path is not None:
                    self._store.set_audio(self.session_id, self.audio_path)
            return True
        except StoreError as exc:
            self._report(exc)
            return False

    def _commit(self, force: bool = False) -> None:
        if not self._pending:
            return
        if self.failing and not force and time.monotonic() - self._last_retry < self.settings.retry_every_s:
            self._spool_pending()
            return
        self._last_retry = time.monotonic()
        if self._open_store() and self._store is not None and self.session_id is not None:
            try:
                self._store.append_events(self.session_id, self._pending)
                self.committed += len(self._pending)
                self._pending.clear()
                if self.failing:
                    log.info("session %s: the store is writable again; everything is saved", self.uid)
                    self.failing = False
                    self._told = False  # a later failure is news again
                    if self._spool is not None:
                        self._spool.unlink(missing_ok=True)
                        self._spool = None
                        self._spooled = -1
                return
            except StoreError as exc:
                self._report(exc)
        # The store refused: keep the events on disk elsewhere, and in memory for the next try.
        self.failing = True
        self._spool_pending()

    def _spool_pending(self, ended: float | None = None) -> None:
        """Append what the store has not taken to the spool file (a header first, once)."""
        try:
            private_dir(self.spool_dir)  # in the shared temp folder: other accounts must not read it
            path = private_file(self.spool_dir / f"{self.uid}.jsonl")
            with open(path, "a", encoding="utf-8") as f:
                if self._spool is None and self._info is not None:
                    info = {k: getattr(self._info, k) for k in SessionInfo.__slots__}  # type: ignore[attr-defined]
                    f.write(json.dumps({"session": info, "audio": str(self.audio_path or "")}) + "\n")
                for seq, event in self._pending:
                    if seq > self._spooled:
                        type_name, data = event_codec.encode(event)
                        f.write(json.dumps({"seq": seq, "type": type_name, "data": data}) + "\n")
                        self._spooled = seq
                if ended is not None:
                    f.write(json.dumps({"ended": ended}) + "\n")
                f.flush()
                os.fsync(f.fileno())  # the spool is the last copy: make it survive a power cut
            self._spool = path
        except OSError as exc:
            log.warning("cannot write the spool file either (%s); the call's events stay in memory", exc)

    def _write_audio(self, block: AudioBlock) -> None:
        if self._audio is None or self._finished:
            return
        try:
            self._audio.write(block)
        except StoreError as exc:
            self._audio_failed(exc)

    def _audio_failed(self, exc: StoreError) -> None:
        """The encoder cannot go on after a failed write; the transcript can, and the file
        is mended at the end (it stops where the disk filled)."""
        self._report(exc)
        self._audio_stopped_at = self._pushed_s
        self._broken_audio = self._audio
        self._audio = None

    def _keep_durable(self) -> None:
        """The audio reaches the system at every page, and the disk once a second.

        A killed app loses only what the system has not been given: the writer hands
        over each Ogg page (half a second) as it is made, by call time, so a file
        analysed ten times faster than real time does not hold ten seconds in memory.
        An fsync per page made the writer fall seconds behind such a file on a busy
        disk, so the flush to the disk itself (a power cut) stays once a wall second.
        """
        audio = self._audio
        if audio is None or audio.closed:
            return
        try:
            if time.monotonic() - self._last_flush >= self.settings.flush_every_s:
                self._last_flush = time.monotonic()
                audio.flush()
                self._pushed_s = audio.seconds
            elif audio.seconds > self._pushed_s:
                # AudioWriter.flush also fsyncs; its buffered file is pushed without that (a
                # no-op until the muxer has finished a page).  After every batch, not every
                # half second: a reader waiting for the push must never wait on a threshold.
                audio._file.flush()
                self._pushed_s = audio.seconds
            else:
                return
            with self._kept:
                self._kept.notify_all()
        except (OSError, StoreError) as exc:
            self._audio_failed(
                exc if isinstance(exc, StoreError) else StoreError(f"cannot write the call's audio: {exc}")
            )

    def _finish(self, duration: float, how: str) -> None:
        self._finished = True
        if self._audio is not None:
            try:
                self._audio.close()
                duration = max(duration, self._audio.seconds)
            except StoreError as exc:
                self._report(exc)
            if self._audio.seconds == 0 and self.audio_path is not None:
                # No sound reached the recorder (a transcript-only session): keep no empty file.
                self.audio_path.unlink(missing_ok=True)
                self.audio_path = None
                if self._store is not None and self.session_id is not None:
                    with contextlib.suppress(StoreError):
                        self._store.set_audio(self.session_id, None)
        note = self._mend_audio()
        self._commit(force=True)
        saved = False
        if not self._pending and self._store is not None and self.session_id is not None:
            try:
                self._store.finish_session(self.session_id, round(duration, 3), "complete", note)
                saved = True
            except StoreError as exc:
                self._report(exc)
        if not saved:
            self._spool_pending(ended=round(duration, 3))
            log.warning("session %s could not be saved in the store; it waits in %s", self.uid, self._spool)
        if self._lock is not None:
            self._lock.release()
        log.info("session %s %s after %.1f s", self.uid, how, duration)

    def _mend_audio(self) -> str:
        """After a failed write, make the audio kept so far a clean file; the note says where it stops."""
        if self._audio_stopped_at is None or self.audio_path is None:
            return ""
        broken, self._broken_audio = self._broken_audio, None
        if broken is not None:
            with contextlib.suppress(OSError, StoreError):
                broken._file.close()
        kept = 0.0
        with contextlib.suppress(StoreError, OSError):
            kept = repair(self.audio_path, self._audio_speakers)
        return (
            f"The store could not be written at {_clock(self._audio_stopped_at)} (the disk was full?): "
            f"the audio stops at {_clock(kept)}; the transcript is complete."
        )

    def _report(self, exc: StoreError) -> None:
        if self.errors and str(self.errors[-1]) == str(exc):
            return
        self.errors.append(exc)
        if self._told:
            # One failure, one banner: a full disk fails the audio, the database and the
            # retries in turn, and the person needs to hear it once, not once per write.
            log.info("session store: %s", exc)
            return
        self._told = True
        # Said by whoever listens (the window's banner, the command line's one line), else logged.
        (log.info if self._on_error is not None else log.warning)("session store: %s", exc)
        if self._on_error is not None:
            try:
                self._on_error(exc)
            except Exception:
                log.exception("the store error callback failed")


def _clock(seconds: float) -> str:
    m, sec = divmod(round(seconds), 60)
    return f"{m}:{sec:02d}"
