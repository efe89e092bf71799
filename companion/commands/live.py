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

from companion import exit_codes
from companion.commands.effort import add_effort_option, effort_from
from companion.events import EngineError, Event, Revision, Utterance


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

    def show(event: Event) -> None:
        started.set()
        if isinstance(event, Utterance):
            print(f"[{event.start:7.2f}] {event.speaker:>8}: {event.text}", flush=True)
        elif isinstance(event, Revision):
            print(f"{'':9} {'settled':>8}: {event.text}", flush=True)
        elif isinstance(event, EngineError):
            print(f"call-companion: {event.message}", file=sys.stderr, flush=True)

    pipeline = CallPipeline(source, settings, listeners=[show])
    jobs = JobsManager()  # as in the window: one owner of the background work, one wait at the end
    signal.signal(signal.SIGTERM, lambda *_: jobs.cancel_all())
    pipeline.start(jobs)
    if args.ready_file:
        started.wait(10)
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
    if args.json_out:
        report = build_report(pipeline.events, wall_s=pipeline.wall_s, source=source.description)
        Path(args.json_out).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if pipeline.error is not None:
        print(f"call-companion: {pipeline.error}", file=sys.stderr)
        return exit_codes.USER_ERROR
    return 0
