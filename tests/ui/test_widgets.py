"""Each widget fed recorded event values: what an agent sees at a glance."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from companion.analysis.state import StepTick, fold
from companion.events import (
    Alert,
    CallEnded,
    CallStarted,
    Level,
    Partial,
    Revision,
    SentimentPoint,
    StepDone,
    Utterance,
)
from companion.ui.coaching import StepInfo
from companion.ui.live_view import LiveView
from companion.ui.widgets.alerts import AlertStack
from companion.ui.widgets.call_stats import CallStats, fmt_clock
from companion.ui.widgets.level_meter import LevelMeter
from companion.ui.widgets.mood_reading import MoodReading
from companion.ui.widgets.next_step import NextStepCard
from companion.ui.widgets.sentiment_chart import mood_word
from companion.ui.widgets.steps_panel import StepsPanel
from companion.ui.widgets.transcript import TranscriptView
from tests.ui.recorded import STEPS, recorded_call


def _utterance(i: int, speaker: str = "agent", text: str = "") -> Utterance:
    return Utterance(i, speaker, i * 2.0, i * 2.0 + 1.5, text or f"line {i} " + "words " * 12, i, i * 2.0 + 1.8)


class Fed:
    """A transcript fed events the way the live view feeds it: through the call's fold."""

    def __init__(self, view: TranscriptView) -> None:
        self.view = view
        self.events: list = [CallStarted(0.0, "test", (), True)]

    def add(self, *events: object) -> None:
        self.events.extend(events)
        state = fold(self.events)
        self.view.show_lines(state.lines, state.provisional)


def test_provisional_text_is_shown_then_replaced_by_the_final(qtbot: QtBot, ui_resources: None) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    fed = Fed(view)
    fed.add(_utterance(0, "agent", "Good morning, how can I help?"))
    fed.add(Partial(3.0, "customer", 0, 2.5, "I was charged"))
    assert "I was charged …" in view.toPlainText()
    fed.add(Partial(3.5, "customer", 0, 2.5, "I was charged twice"))
    text = view.toPlainText()
    assert "I was charged twice …" in text and "I was charged …" not in text
    fed.add(Utterance(1, "customer", 2.5, 4.0, "I was charged twice for May.", 0, 4.2))
    lines = view.toPlainText().splitlines()
    assert lines == [
        "0:00  Agent: Good morning, how can I help?",
        "0:02  Customer: I was charged twice for May.",
    ]
    assert view.partials == {}


def test_settled_text_replaces_a_line_in_place(qtbot: QtBot, ui_resources: None) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    fed = Fed(view)
    fed.add(_utterance(0, "agent", "Good morning, how can I help?"))
    fed.add(Utterance(1, "customer", 2.5, 4.0, "I was charged to ice.", 0, 4.2))
    fed.add(_utterance(2, "agent", "I am sorry."))
    fed.add(Partial(6.5, "customer", 1, 6.0, "for May"))
    fed.add(Revision(7.0, 1, "customer", "I was charged twice."))
    assert view.toPlainText().splitlines() == [
        "0:00  Agent: Good morning, how can I help?",
        "0:02  Customer: I was charged twice.",
        "0:04  Agent: I am sorry.",
        "0:06  Customer: for May …",
    ]
    # The provisional line is still the one that moves: the final that follows replaces it.
    fed.add(Utterance(3, "customer", 6.0, 7.5, "For May.", 1, 7.8))
    assert view.toPlainText().splitlines()[-1] == "0:06  Customer: For May."
    assert view.finals[1].text == "I was charged twice."
    fed.add(Revision(9.0, 42, "agent", "no such line"))  # an unknown line changes nothing
    assert len(view.toPlainText().splitlines()) == 4


def test_provisional_text_that_never_becomes_final_is_dropped(qtbot: QtBot, ui_resources: None) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    fed = Fed(view)
    # Whisper heard no words in segment 3 at the end: no final comes for its partial.
    fed.add(Partial(3.0, "customer", 3, 2.5, "mm"))
    fed.add(Partial(5.0, "customer", 4, 4.5, "the bill"))
    assert "mm …" in view.toPlainText(), "a later segment may start before the earlier final arrives"
    fed.add(Utterance(0, "customer", 4.5, 6.0, "The bill is wrong.", 4, 6.2))
    assert "mm" not in view.toPlainText() and view.partials == {}
    fed.add(Partial(9.0, "agent", 7, 8.5, "so"))
    fed.add(CallEnded(10.0))
    assert view.toPlainText() == "0:04  Customer: The bill is wrong." and view.partials == {}


def test_provisional_text_is_drawn_in_grey_italics(qtbot: QtBot, ui_resources: None) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    fed = Fed(view)
    fed.add(_utterance(0, "agent", "Hello."))
    fed.add(Partial(3.0, "customer", 0, 2.5, "still talking"))
    body = next(f for f in _fragments(view.document().lastBlock()) if "still talking" in f.text())
    assert body.charFormat().fontItalic()
    final_body = next(f for f in _fragments(view.document().firstBlock()) if "Hello." in f.text())
    assert not final_body.charFormat().fontItalic()


def _fragments(block):  # type: ignore[no-untyped-def]
    it = block.begin()
    while not it.atEnd():
        yield it.fragment()
        it += 1


def test_speakers_are_told_apart_by_name_and_colour(qtbot: QtBot, ui_resources: None) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    fed = Fed(view)
    fed.add(_utterance(0, "agent", "Hello."))
    fed.add(_utterance(1, "customer", "Hi."))
    names = {}
    for block_no in range(2):
        block = view.document().findBlockByNumber(block_no)
        name = next(f for f in _fragments(block) if f.text().endswith(": "))
        names[name.text()] = name.charFormat().foreground().color().name()
    assert set(names) == {"Agent: ", "Customer: "}
    assert names["Agent: "] != names["Customer: "]


def test_transcript_follows_the_call_only_while_at_the_bottom(qtbot: QtBot, ui_resources: None) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    fed = Fed(view)
    view.resize(400, 200)
    view.show()
    for i in range(40):
        fed.add(_utterance(i))
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0
    assert bar.value() == bar.maximum(), "a view at the bottom follows new lines"
    bar.setValue(bar.maximum() // 3)  # the agent scrolls up to reread
    kept = bar.value()
    for i in range(40, 50):
        fed.add(_utterance(i))
        fed.add(Partial(i * 2.0, "customer", i, i * 2.0, "more words coming"))
    assert bar.value() == kept, "new text must not yank the view back down"
    bar.setValue(bar.maximum())
    fed.add(_utterance(50))
    assert bar.value() == bar.maximum()


def test_transcript_still_follows_after_the_window_is_resized(qtbot: QtBot, ui_resources: None) -> None:
    # Laid out tall first, then shrunk (the window restoring its size, a splitter dragged):
    # judged from the bar alone, the view at the top of a now-longer range stopped following.
    view = TranscriptView()
    qtbot.addWidget(view)
    fed = Fed(view)
    view.resize(400, 2000)
    view.show()
    for i in range(5):
        fed.add(_utterance(i))
    view.resize(400, 150)
    qtbot.wait(10)
    for i in range(5, 20):
        fed.add(_utterance(i))
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()


def test_steps_panel_ticks_done_steps_with_evidence_on_hover(qtbot: QtBot, ui_resources: None) -> None:
    panel = StepsPanel()
    qtbot.addWidget(panel)
    panel.set_steps(STEPS)
    panel.show_progress([StepTick("empathize", 75.0, 3, "that sounds really frustrating")], "assess")
    row = panel.rows["empathize"]
    assert row.text().startswith("✔") and row.property("state") == "done"
    assert "1:15" in row.toolTip() and "that sounds really frustrating" in row.toolTip()
    assert panel.rows["assess"].property("state") == "next"
    assert panel.rows["assess"].text().startswith("➜")
    assert panel.rows["listen"].property("state") == "pending"
    panel.show_progress(list(panel.done.values()), "resolve")
    assert panel.rows["assess"].property("state") == "pending"
    # A step done earlier can be next again (after a re-escalation): it keeps its tick.
    panel.show_progress(list(panel.done.values()), "empathize")
    assert panel.rows["empathize"].property("state") == "next" and panel.rows["empathize"].text().endswith("✔")
    panel.show_progress([], None)  # seeking back to the start of a replay
    assert all(r.property("state") == "pending" for r in panel.rows.values())


def test_next_step_card_shows_title_guidance_and_one_example(qtbot: QtBot, ui_resources: None) -> None:
    card = NextStepCard()
    qtbot.addWidget(card)
    card.show()
    card.show_step(STEPS[1], "the customer escalated again")
    assert card.title.text() == "Empathize"
    assert card.guidance.text() == "Name the feeling before any fix."
    assert card.example.text() == "“I can hear how frustrating this is.”"
    assert card.reason.isVisible() and "escalated" in card.reason.text()
    # Only the situation: the advice after the colon is what the guidance already says.
    card.show_step(STEPS[1], "the customer is upset: show you understand how this feels before anything else")
    assert card.reason.text() == "Why: the customer is upset" and "how this feels" in card.toolTip()
    affirm = StepInfo("affirm", "Affirm", "Sum up what happened in your words and ask if you got it right.")
    card.show_step(affirm, "sum up what happened and check you got it right")
    assert not card.reason.isVisible(), "a reason that only repeats the guidance is not shown"
    # The title is the largest text in the window: readable at arm's length.
    assert card.title.fontInfo().pixelSize() >= 28
    assert card.title.fontInfo().pixelSize() > card.guidance.fontInfo().pixelSize() >= 16


def test_sentiment_chart_draws_the_customer_line_and_markers(qtbot: QtBot, ui_resources: None) -> None:
    state = fold(
        [
            CallStarted(0.0, "test", (), True),
            SentimentPoint(5.0, "customer", -0.6, -0.6, 0),
            SentimentPoint(6.0, "customer", -0.9, -0.65, None),  # live reading: not on the line
            SentimentPoint(7.0, "agent", 0.5, 0.5, 1),  # the agent's line is not drawn
            Alert(10.0, "trigger-words", "policy", 1),
            StepDone(20.0, "empathize", 1, "i understand"),
            SentimentPoint(70.0, "customer", 0.4, 0.1, 2),
        ]
    )
    view = LiveView(STEPS)
    qtbot.addWidget(view)
    view.panels.show(state)
    chart = view.chart
    points = [(chart.line.at(i).x(), chart.line.at(i).y()) for i in range(chart.line.count())]
    assert points == [(5.0, -0.6), (70.0, 0.1)]
    assert chart.steps.count() == 1 and chart.steps.at(0).x() == 20.0
    assert chart.step_labels == ["Empathize at 0:20: “i understand”"]
    assert chart.alerts.count() == 1 and chart.alerts.at(0).x() == 10.0
    assert chart.axis_x.max() >= 75.0, "the time axis grows with the call"
    assert [mood_word(v) for v in (-0.5, 0.0, 0.5)] == ["negative", "neutral", "positive"]
    assert "smoothed" in chart.line.name()


def test_mood_reading_says_how_the_customer_feels_now_words_first(qtbot: QtBot, ui_resources: None) -> None:
    mood = MoodReading()
    qtbot.addWidget(mood)
    mood.show_mood(-0.6, -0.4, True, -0.8)
    text = mood.plain
    assert mood.property("mood") == "negative" and text.startswith("Customer: Upset, worsening")
    assert "escalated" in text
    # The figure is the smoothed line's value, labelled; the raw reading is labelled apart.
    assert "mood line -0.60" in text and "last words -0.80" in text
    assert text.index("Upset") < text.index("-0.60"), "a word before any number"
    mood.show_mood(0.3, 0.5, False, 0.7)
    assert mood.property("mood") == "positive" and "calming" in mood.plain
    mood.set_compact(True)
    assert mood.plain == "Positive, calming ↗"


def test_alerts_show_what_the_call_state_has_on_screen_fading_with_call_time(qtbot: QtBot, ui_resources: None) -> None:
    stack = AlertStack()
    qtbot.addWidget(stack)
    stack.show()
    alert = Alert(12.0, "trigger-words", '"calm down" tends to inflame', 2)
    events = [CallStarted(0.0, "test", (), True), alert]
    state = fold(events)
    assert stack.show_alerts(state.alerts_on_screen, state.alert_opacity)
    titles = [label.text() for label in stack.shown()[0].findChildren(QLabel)]
    assert "⚠  Trigger words" in titles and '"calm down" tends to inflame' in titles
    fading = fold([*events, Level(20.75, "agent", -30.0)])  # 8.75 s after: half way through its fade
    stack.show_alerts(fading.alerts_on_screen, fading.alert_opacity)
    assert abs(stack.shown()[0].effect.opacity() - 0.5) < 1e-6
    gone = fold([*events, Level(21.6, "agent", -30.0)])
    assert stack.show_alerts(gone.alerts_on_screen, gone.alert_opacity)
    qtbot.waitUntil(lambda: not stack.findChildren(QLabel), timeout=2000)
    assert stack.shown() == []


def test_alert_stack_keeps_only_the_newest_few(qtbot: QtBot, ui_resources: None) -> None:
    stack = AlertStack()
    qtbot.addWidget(stack)
    state = fold([CallStarted(0.0, "test", (), True)] + [Alert(float(i), "dead-air", f"silence {i}") for i in range(5)])
    stack.show_alerts(state.alerts_on_screen)
    shown = stack.shown()
    assert len(shown) == 3
    assert shown[0].alert.text == "silence 4"


def test_call_stats_timer_talk_ratio_levels_and_recording(qtbot: QtBot, ui_resources: None) -> None:
    stats = CallStats()
    qtbot.addWidget(stats)
    stats.set_recording(True)
    assert "RECORDING" in stats.recording.text() and stats.recording.property("active") == "true"
    stats.set_recording(True, demo=True)
    assert stats.recording.text() == "● DEMO", "the demo file plays: nothing of the agent's is recorded"
    stats.show_call(125.0, {"agent": 30.0, "customer": 10.0}, {"customer": -20.0})
    assert stats.ratio.value() == 75 and stats.ratio_caption.text() == "TALK  agent 75% · customer 25%"
    assert stats.timer.text() == "02:05"
    assert stats.meters["customer"].db == -20.0
    assert fmt_clock(3725) == "1:02:05"
    stats.set_recording(False)
    assert stats.recording.property("active") == "false"


def test_level_meter_maps_dbfs_to_its_bar(qtbot: QtBot, ui_resources: None) -> None:
    meter = LevelMeter("Agent")
    qtbot.addWidget(meter)
    meter.set_level(-30.0)
    assert abs(meter.fraction() - 0.5) < 1e-9
    meter.set_level(-120.0)
    assert meter.fraction() == 0.0 and meter.peak > meter.db, "the peak falls slowly"
    assert not meter.grab().isNull()


def test_live_view_draws_a_recorded_call(qtbot: QtBot, ui_resources: None) -> None:
    view = LiveView(STEPS)
    qtbot.addWidget(view)
    view.apply_all(recorded_call())
    assert view.next_step.title.text() == "Resolve"
    assert view.steps_panel.state("empathize") == "done" and view.steps_panel.state("assess") == "done"
    assert view.steps_panel.state("resolve") == "next"
    rows = view.steps_panel.findChildren(QLabel, "StepRow")
    assert len([r for r in rows if not r.isHidden()]) == len(STEPS), "a new call does not duplicate the rows"
    assert len(view.transcript.finals) == 6 and view.transcript.partials == {}
    assert view.chart.line.count() == 3 and view.chart.alerts.count() == 1
    assert view.mood.property("mood") == "positive"
    # The banner's figure is where the chart's line ends: one quantity, labelled.
    assert f"mood line {view.chart.line.at(2).y():+.2f}" in view.mood.plain
    assert [n.alert.kind for n in view.alerts.shown()] == [], "the trigger-word alert left the screen 12.8 s later"
    assert view.stats.recording.property("active") == "false"
    assert view.stats.timer.text() == "00:25"


def test_alerts_float_over_the_chart_corner(qtbot: QtBot, ui_resources: None) -> None:
    view = LiveView(STEPS)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    view.apply_all(recorded_call()[:16])  # up to the customer's reply, while the alert is on screen
    chart = view.chart.geometry().translated(view.chart.mapTo(view, view.chart.rect().topLeft()) - view.chart.pos())
    qtbot.waitUntil(lambda: view.alerts.height() > 30, timeout=2000)
    assert chart.contains(view.alerts.geometry().topRight() - QPoint(12, -12))
    assert view.alerts.geometry().right() <= chart.right()


def test_compact_mode_keeps_only_the_next_step_and_the_mood(qtbot: QtBot, ui_resources: None) -> None:
    view = LiveView(STEPS)
    qtbot.addWidget(view)
    view.show()
    view.apply_all(recorded_call())
    view.set_compact(True)
    assert view.next_step.isVisible() and view.mood.isVisible()
    for hidden in (view.transcript, view.chart, view.steps_panel, view.stats, view.alerts):
        assert not hidden.isVisible()
    view.set_compact(False)
    assert view.transcript.isVisible() and view.steps_panel.isVisible()


def test_few_lines_sit_at_the_bottom_of_the_transcript_not_over_an_empty_panel(
    qtbot: QtBot, ui_resources: None
) -> None:
    view = TranscriptView()
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    fed = Fed(view)
    fed.add(_utterance(0, "agent", "Hello."), _utterance(1, "customer", "Hi, my heating is off."))
    doc = view.document()

    def last_bottom() -> float:
        return doc.documentLayout().blockBoundingRect(doc.lastBlock()).bottom() - view.verticalScrollBar().value()

    height = view.viewport().height()
    assert height - 16 <= last_bottom() <= height + 1, "the newest line sits just above the bottom edge"
    view.resize(500, 600)  # a taller panel: the lines move down with its edge
    qtbot.waitUntil(lambda: view.viewport().height() > height, timeout=2000)
    assert view.viewport().height() - 16 <= last_bottom() <= view.viewport().height() + 1
    for i in range(2, 40):  # a full panel scrolls as before, following the call
        fed.add(_utterance(i))
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    assert doc.rootFrame().frameFormat().topMargin() == doc.documentMargin()
