"""The window driven through the bundled demo call by the real engine and the real model, at real-time pace.

One call (about 95 s) is run once for the module and every test reads it: the
transcript fills, provisional text is replaced, the coaching follows the call,
and the GUI thread's event loop never stalls for more than 50 ms.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from companion.events import Alert, Event, Level, NextStep, Partial, StepDone, Utterance
from companion.ui.main_window import MainWindow
from companion.ui.settings import Settings
from companion.ui.stall_meter import StallMeter

pytestmark = pytest.mark.slow

MAX_STALL_S = 0.050
CALL_TIMEOUT_MS = 240_000
needs_coach = pytest.mark.skipif(
    importlib.util.find_spec("companion.analysis.coach") is None,
    reason="the coach (companion.analysis.coach) is not merged into this branch yet",
)


@dataclass
class DemoRun:
    window: MainWindow
    events: list[Event]
    meter: StallMeter
    reason: str
    max_partials_shown: int
    load: float  # the machine's 1-minute load average at the end of the call


@pytest.fixture(scope="module")
def demo_run(qapp: QApplication, ui_resources: None, demo_call: Path) -> Iterator[DemoRun]:
    settings = Settings("call-companion-tests", "demo-run")
    settings.clear()
    window = MainWindow(settings, audible=False)
    window.show()
    window.jobs.wait(window.warm_up_job)  # as when an agent opens the window a moment before the call
    meter = StallMeter()
    loop = QEventLoop()
    reasons: list[str] = []
    shown = [0]

    def watch_partials(_event: object) -> None:
        shown[0] = max(shown[0], len(window.live.transcript.partials))

    window.call_finished.connect(lambda reason: (reasons.append(reason), loop.quit()))
    QTimer.singleShot(CALL_TIMEOUT_MS, loop.quit)
    assert window.start_demo(demo_call, realtime=True)
    window.session.bridge.event_ready.connect(watch_partials)
    meter.start()
    loop.exec()
    meter.stop()
    qapp.processEvents()  # events the coach derived from CallEnded arrive just after it
    assert reasons, "the demo call did not end in time"
    load = os.getloadavg()[0]
    yield DemoRun(window, list(window.live.events), meter, reasons[0], shown[0], load)
    window.close()
    settings.clear()


def test_the_call_runs_to_its_end(demo_run: DemoRun) -> None:
    assert demo_run.reason == "finished"
    assert not demo_run.window.in_call
    assert demo_run.window.live.stats.recording.property("active") == "false"
    assert demo_run.window.live.stats.timer.text() in ("01:34", "01:35")


def test_the_transcript_fills_with_both_speakers(demo_run: DemoRun) -> None:
    finals = demo_run.window.live.transcript.finals
    assert len(finals) >= 14
    assert {u.speaker for u in finals} == {"agent", "customer"}
    text = demo_run.window.live.transcript.toPlainText().lower()
    for words in ("sofa", "monday", "thank you for your patience"):
        assert words in text


def test_provisional_text_was_shown_and_replaced(demo_run: DemoRun) -> None:
    partials = [e for e in demo_run.events if isinstance(e, Partial)]
    assert partials, "a real-time call shows what is being said before it is final"
    assert demo_run.max_partials_shown >= 1
    assert demo_run.window.live.transcript.partials == {}
    assert "…" not in demo_run.window.live.transcript.toPlainText()


def test_talk_ratio_and_levels_follow_the_call(demo_run: DemoRun) -> None:
    share = demo_run.window.live.stats.agent_share()
    assert share is not None and 0.45 < share < 0.75, (share, demo_run.window.live.stats.talk)
    levels = [e for e in demo_run.events if isinstance(e, Level)]
    assert {e.speaker for e in levels} == {"agent", "customer"}
    assert max(e.dbfs for e in levels if e.speaker == "agent") > -40


def test_the_window_never_blocks_its_own_event_loop(demo_run: DemoRun) -> None:
    """The GUI thread's own work between two turns of its loop stays far below 50 ms."""
    meter = demo_run.meter
    assert meter.ticks > 5000, "the stall meter ran through the call"
    assert meter.worst_busy_s <= MAX_STALL_S, f"the window worked {meter.worst_busy_s * 1000:.0f} ms at once"


def test_the_event_loop_never_stalls(demo_run: DemoRun) -> None:
    """Wall-clock stalls include waiting for a core and for the GIL held by the engine's threads."""
    meter = demo_run.meter
    summary = (
        f"longest stall {meter.worst_s * 1000:.0f} ms, p99 {meter.percentile(0.99) * 1000:.0f} ms, "
        f"load average {demo_run.load:.1f} on {os.cpu_count()} cores; (s, stall, busy): {meter.stalls[:20]}"
    )
    if meter.worst_s > MAX_STALL_S and demo_run.load > (os.cpu_count() or 1):
        # Other processes held every core: the loop waited for the machine, not for the window.
        pytest.xfail(f"machine oversubscribed: {summary}")
    assert meter.worst_s <= MAX_STALL_S, summary


def test_the_status_bar_showed_the_companion_own_cpu_use(demo_run: DemoRun) -> None:
    meter = demo_run.window.cpu_meter
    assert meter.share is not None and meter.share > 0, "read during the call"
    assert meter.text().startswith("CPU ")
    assert meter.isHidden(), "nothing to show once the call is over"


@needs_coach
def test_the_next_step_follows_the_call(demo_run: DemoRun) -> None:
    shown: list[str] = []
    for event in demo_run.events:
        if isinstance(event, NextStep) and (not shown or shown[-1] != event.step):
            shown.append(event.step)
    # The demo: a venting customer, a trigger word that re-escalates them, then the playbook in order.
    expected = ["listen", "empathize", "assess", "affirm", "resolve", "agree", "thank"]
    it = iter(shown)
    assert all(step in it for step in expected), shown
    assert demo_run.window.live.next_step.title.text() == demo_run.window.live.panels.step("thank").title


@needs_coach
def test_steps_are_ticked_with_their_evidence(demo_run: DemoRun) -> None:
    done = {e.step for e in demo_run.events if isinstance(e, StepDone)}
    assert {"empathize", "assess", "resolve", "agree", "thank"} <= done
    panel = demo_run.window.live.steps_panel
    assert panel.state("empathize") == "done"
    assert "frustrating" in panel.rows["empathize"].toolTip().lower()


@needs_coach
def test_the_trigger_word_raises_an_alert(demo_run: DemoRun) -> None:
    alerts = [e for e in demo_run.events if isinstance(e, Alert) and e.kind == "trigger-words"]
    assert alerts and 15.0 < alerts[0].t < 30.0
    assert "trigger-words" in {a.kind for a in demo_run.window.live.state.alerts}
    assert demo_run.window.live.chart.alerts.count() >= 1


@needs_coach
def test_the_chart_gets_the_customer_line_and_markers(demo_run: DemoRun) -> None:
    chart = demo_run.window.live.chart
    customer = [e for e in demo_run.events if isinstance(e, Utterance) and e.speaker == "customer"]
    assert chart.line.count() >= len(customer) - 1
    ys = [chart.line.at(i).y() for i in range(chart.line.count())]
    assert min(ys) < -0.3 and ys[-1] > min(ys) + 0.3, "the customer escalates, then recovers"
    assert chart.steps.count() >= 5
    assert demo_run.window.live.mood.property("mood") in ("positive", "neutral")


@needs_coach
def test_the_demo_call_looks_the_same_live_and_in_replay(demo_run: DemoRun, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The events the window received, kept in a real store, fed to a live view and replayed: same at every moment."""
    from companion.ui.coaching import load_coaching
    from tests.ui.views_compare import compare_live_and_replay, store_call

    store_dir, sid = store_call(demo_run.events, tmp_path / "store", "Demo call")
    compared = compare_live_and_replay(qtbot, store_dir, sid, load_coaching("").steps)
    assert compared.moments >= 50
    assert compared.distinct >= 20 and compared.alerts_seen >= 1
