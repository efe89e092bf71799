"""``call-companion devices`` and ``call-companion listen``: live capture without the window.

``listen`` runs the same pipeline as the window on live inputs and prints each
final utterance as it is recognised; with ``--json`` it writes the analysis
document when the call ends (Ctrl+C, or after ``--seconds``).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from companion import exit_codes
from companion.commands.effort import add_effort_option, effort_from
from companion.commands.store_location import add_store_option, store_dir
from companion.errors import StoreError
from companion.events import EngineError, Event, Level, Revision, Utterance


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("devices", help="list the sound inputs live capture can use")
    p.set_defaults(handler=run_devices)

    p = sub.add_parser("listen", help="transcribe a live call from sound inputs, without the window")
    p.add_argument("--agent-device", required=True, help="the agent's input: a name, part of one, or a number")
    p.add_argument("--customer-device", help="the customer's input (e.g. the softphone's monitor source)")
    p.add_argument(
        "--agent-channel",
        choices=("left", "right"),
        help="with one stereo device: the channel that carries the agent",
    )
    p.add_argument("--seconds", type=float, help="stop after this many seconds of call")
    p.add_argument("--json", dest="json_out", metavar="OUT", help="write the analysis here at the end")
    p.add_argument("--model", default="bundled", help="speech model: bundled, a folder, or a model name")
    add_effort_option(p)
    p.add_argument("--store", action="store_true", help="also keep the call as a session in the store")
    add_store_option(p)
    p.add_argument("--ready-file", help=argparse.SUPPRESS)  # tests wait for this before playing audio
    p.set_defaults(handler=run_listen)


def run_devices(args: argparse.Namespace) -> int:
    from companion.audio.devices import list_input_devices

    devices = list_input_devices()
    if not devices:
        print("no sound inputs found", file=sys.stderr)
        return exit_codes.USER_ERROR
    for d in devices:
        print(f"{d.index:3d}  {d.name}  ({d.host_api}, {d.max_input_channels} ch, {d.default_samplerate:.0f} Hz)")
    return 0


def run_listen(args: argparse.Namespace) -> int:
    from companion.analysis.report import build_report
    from companion.asr.model import ModelSettings, load_model
    from companion.audio.capture import LiveSource
    from companion.jobs import JobsManager
    from companion.pipeline import CallPipeline, EngineSettings

    settings = EngineSettings(model=ModelSettings(name=args.model), effort=effort_from(args))
    load_model(settings.model)  # before capture starts, so no audio waits on a cold model
    source = LiveSource(args.agent_device, args.customer_device, args.agent_channel)
    started = threading.Event()
    said: set[str] = set()  # errors already shown as they happened

    def show(event: Event) -> None:
        if isinstance(event, Level):
            started.set()  # audio is flowing: call time has begun
        # One write per line: print() writes the text and the newline separately.
        if isinstance(event, Utterance):
            _line(f"[{event.start:7.2f}] {event.speaker:>8}: {event.text}")
        elif isinstance(event, Revision):
            _line(f"{'':9} {'settled':>8}: {event.text}")
        elif isinstance(event, EngineError):
            said.add(event.message)
            print(f"call-companion: {event.message}", file=sys.stderr, flush=True)

    pipeline = CallPipeline(source, settings)
    keeper = _StoreKeeper(store_dir(args)) if args.store else None
    if keeper is not None:
        keeper.attach(pipeline)  # before the printer: a line is on its way to the store before it is shown
    pipeline.add_listener(show)
    jobs = JobsManager()  # as in the window: one owner of the background work, one wait at the end
    signal.signal(signal.SIGTERM, lambda *_: jobs.cancel_all())
    pipeline.start(jobs)
    if args.ready_file:
        started.wait(15)  # a sound server may take seconds to deliver the first buffer
        Path(args.ready_file).write_text("ready")
    try:
        finished = pipeline.wait(args.seconds)
        if not finished:
            pipeline.stop()
        while not pipeline.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    jobs.shutdown()  # cancels what still runs (the call stops; what was heard is still transcribed)
    if keeper is not None:
        keeper.close()
    if args.json_out:
        report = build_report(pipeline.events, wall_s=pipeline.wall_s, source=source.description)
        Path(args.json_out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if pipeline.error is not None:
        if str(pipeline.error) not in said:
            print(f"call-companion: {pipeline.error}", file=sys.stderr)
        return exit_codes.USER_ERROR
    return 0


class _StoreKeeper:
    """Keeps a ``listen`` call in the session store, as the window keeps its calls.

    At start it says if another copy of the app uses the store and recovers the
    calls a crash cut off; during the call a store that refuses writes is said
    once on stderr (the call goes on, its data waits in the spool file).
    """

    def __init__(self, root: Path) -> None:
        from companion.store.db import SessionStore
        from companion.store.instance_lock import InstanceLock, in_use_message
        from companion.store.recorder import default_spool_dir
        from companion.store.recovery import recover

        self.root = root
        self.instance = InstanceLock(root)
        self._said = False
        root.mkdir(parents=True, exist_ok=True)
        holder = self.instance.acquire("call-companion listen")
        if holder is not None:
            _say(in_use_message(root, holder))
        with SessionStore(root) as store:
            for r in recover(store, default_spool_dir()):
                _say(r.message)
        self.recorder: Any = None

    def attach(self, pipeline: Any) -> None:
        from companion.store.recorder import SessionRecorder

        self.recorder = SessionRecorder(self.root, on_error=self._on_error).attach(pipeline)

    def _on_error(self, exc: StoreError) -> None:
        if not self._said:  # one line, not one per retry: the call goes on
            self._said = True
            _say(f"{exc}; the call goes on and is saved when the store can take it")

    def close(self) -> None:
        recorder = self.recorder
        recorder.close()
        if recorder.session_id is not None and not recorder.failing:
            _say(f"stored as session {recorder.session_id}")
        else:
            _say(f"the call waits in {recorder.spool_dir} and is saved at the next start")
        self.instance.release()


def _line(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _say(text: str) -> None:
    print(f"call-companion: {text}", file=sys.stderr, flush=True)
