"""The coach: folds utterances into sentiment, steps done, pitfalls and the next step.

One ``Coach`` per call.  ``feed`` takes each pipeline event and returns the
events it derives, in order: for a final utterance a ``SentimentPoint``, the
``StepDone``s it evidences, ``Mood`` swings, word-based ``Alert``s and always a
``NextStep``; for a partial only a live ``SentimentPoint``.  Voice cues (timing
and loudness) come from an optional ``cues`` object fed the same events.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from companion.analysis.agent_acts import WORD_PITFALLS, AgentActs, AgentReading
from companion.analysis.mood import MoodWatch, SentimentLine
from companion.analysis.next_step import CallProgress, asks_only_for_records
from companion.analysis.owning_up import owns_up, takes_back
from companion.analysis.phrases import content_words
from companion.analysis.pitfalls import PitfallSpotter, uses_their_terms
from companion.analysis.playbook import Playbook
from companion.analysis.reader.acts import ActReader, load_reader
from companion.analysis.reader.mood import MoodReader, blend, load_mood_reader
from companion.analysis.reader.step_prior import phase_of
from companion.analysis.sentiment import Reading, SentimentReader
from companion.analysis.step_ids import STEP_ORDER
from companion.errors import ReaderError
from companion.events import (
    Acts,
    Alert,
    EngineError,
    Event,
    Mood,
    NextStep,
    Partial,
    Revision,
    SentimentPoint,
    StepDone,
    Utterance,
)

log = logging.getLogger(__name__)

RAISED_VOICE_PENALTY = 0.4  # a shouted "fine" is not fine: the reading drops by this, and below zero
RAISED_VOICE_MATCH_S = 1.5  # how far outside an utterance a raised-voice cue still belongs to it
_SPEAKING_WPS = 2.5


def _clamp(x: float) -> float:
    return max(-1.0, min(1.0, x))


class Coach:
    """Implements the pipeline's Coach protocol for one call."""

    def __init__(self, playbook: Playbook, cues: Any | None = None, acts: ActReader | str | None = "load") -> None:
        """``acts``: the learned sentence reader; by default the playbook's, None for the cue rules alone."""
        self.playbook = playbook
        self.cues = cues
        self.reader = SentimentReader()
        self.reader_problem: str | None = None
        if acts == "load":
            try:
                acts = load_reader(playbook)
            except ReaderError as exc:  # the rules still coach; the agent is told once, by an event
                log.info("%s", exc)
                self.reader_problem, acts = str(exc), None
        self.acts = AgentActs(playbook, acts if isinstance(acts, ActReader) else None)
        self.moods: MoodReader | None = None
        if isinstance(acts, ActReader):
            try:
                self.moods = load_mood_reader()
            except ReaderError as exc:
                log.info("%s", exc)
        self.spotter = PitfallSpotter(playbook)
        self._customer_words = ""  # all the customer has said: their own terms are no jargon to them
        # ... and when each content word was first said (a summary echoes them): the words heard by any
        # moment of the call, for reading a settled line as it was then, without a copy per line.
        self._first_said: dict[str, int] = {}
        self._first_said_lines = 0
        self._heard: list[str] = []  # the customer's words since the agent last spoke: the reader's context
        # utterance -> context, opening, steps, phase, customer lines so far: where the call was then
        self._agent_said: dict[int, tuple[str, bool, set[str], str, int]] = {}
        self.lines = {"customer": SentimentLine(), "agent": SentimentLine()}
        self.mood = MoodWatch()
        self.progress = CallProgress()
        self._raised: list[Alert] = []  # raised-voice cues not yet matched to an utterance
        self._last_customer: Utterance | None = None

    # -- the protocol --------------------------------------------------------------

    def feed(self, event: Event) -> list[Event]:
        cue_events: list[Event] = []
        if self.cues is not None:
            try:
                cue_events = list(self.cues.feed(event))
            except Exception:  # a broken cue must not cost the call its coaching
                log.exception("voice cues failed on %r", event)
        for cue in cue_events:
            if isinstance(cue, Alert) and cue.kind == "raised-voice" and cue.speaker in ("customer", "call"):
                self._raised.append(cue)
        out: list[Event] = []
        if self.reader_problem is not None:
            out.append(EngineError(event.t, self.reader_problem, fatal=False))
            self.reader_problem = None
        if isinstance(event, Utterance):
            out += self._utterance(event)
        elif isinstance(event, Partial):
            out += self._partial(event)
        elif isinstance(event, Revision) and event.utterance in self._agent_said:
            out += self._settled(event)
        # A raised voice found after its utterance was scored re-scores that utterance.
        if self._raised and self._last_customer is not None and not isinstance(event, Utterance):
            out += self._late_raised_voice(self._last_customer)
        return cue_events + out

    # -- partials: one live reading, nothing else -------------------------------------

    def _partial(self, event: Partial) -> list[Event]:
        speaker = self._line_key(event.speaker)
        reading = self.reader.read(event.text, speaker)
        line = self.lines[speaker]
        duration = max(0.0, event.t - event.start)
        smoothed = line.peek(event.t, reading.score, reading.evidence, duration)
        return [SentimentPoint(event.t, event.speaker, reading.score, round(smoothed, 4), None, line.trend())]

    # -- final utterances ------------------------------------------------------------

    def _utterance(self, u: Utterance) -> list[Event]:
        speaker = self._line_key(u.speaker)
        reading = self.reader.read(u.text, speaker)
        out: list[Event] = []
        if speaker == "customer":
            words = reading.score
            if self.moods is not None:
                sense = self.moods.sense(u.text)
                score = round(blend(reading.score, sense), 4)
                reading = Reading(
                    score, reading.raw, reading.evidence, (*reading.notes, f"meaning {sense.valence:+.2f}")
                )
            raised = self._with_raised_voice(u, reading)
            if raised is not reading:
                words = min(words, raised.score)  # a raised voice is heat, whatever the words
            out += self._customer(u, raised, words)
            self._last_customer = u
            self._heard.append(u.text)
            self._customer_words += " " + u.text
            for word in content_words(u.text):
                self._first_said.setdefault(word, self._first_said_lines)
            self._first_said_lines += 1
        else:
            out += self._agent(u, reading)
        step, reason = self.progress.next_step()
        out.append(NextStep(u.t, step, reason, u.id))
        return out

    def _customer(self, u: Utterance, reading: Reading, words: float) -> list[Event]:
        line = self.lines["customer"]
        before = line.smoothed
        point = line.add(u.t, reading.score, reading.evidence, u.end - u.start)
        out: list[Event] = [SentimentPoint(u.t, u.speaker, reading.score, round(point.smoothed, 4), u.id, point.trend)]
        swing = self.mood.update(before, reading.score, point.smoothed)
        if swing is not None:
            out.append(Mood(u.t, swing, round(point.smoothed, 4), u.id))  # type: ignore[arg-type]
        self.progress.customer_said(u.text, reading.score, before, escalated=swing == "escalated", words=words)
        return out

    def _agent(self, u: Utterance, reading: Reading) -> list[Event]:
        line = self.lines["agent"]
        point = line.add(u.t, reading.score, reading.evidence, u.end - u.start)
        out: list[Event] = [SentimentPoint(u.t, u.speaker, reading.score, round(point.smoothed, 4), u.id, point.trend)]
        opening = self._last_customer is None and not self.progress.agent_turns
        context = " ".join(self._heard[-3:]) or (self._last_customer.text if self._last_customer else "")
        self._heard = []
        phase = self._phase()
        read = self.acts.read(
            u.text,
            context,
            opening=opening,
            fix_offered=self.progress.fix_on_table(),
            phase=phase,
            heard=self._first_said.keys(),
        )
        evidence = dict(read.steps)
        # A plan or a closing restates the fix already offered; it is not a new one.
        restates = "agree" in evidence or "thank" in evidence or self.progress.done("thank")
        if "resolve" in evidence and self.progress.done("resolve") and restates and not self.progress.rework_fix:
            del evidence["resolve"]
        fix = evidence.get("resolve")
        offer = fix.quote if fix else self.spotter.fix_offer(u.text)
        inviting = "listen" in evidence
        if "empathize" in evidence:
            self.progress.step_done("empathize", inviting=inviting)  # before the fix: no early solution then
        if offer is not None and self.progress.solution_too_early():
            out.append(
                Alert(
                    u.t,
                    "early-solution",
                    f'fix offered before the customer felt heard: "{offer}"',
                    u.id,
                    speaker="agent",
                )
            )
            evidence.pop("resolve", None)
        for step_id, found in evidence.items():
            out.append(StepDone(u.t, step_id, u.id, found.quote))
            if step_id != "empathize":
                self.progress.step_done(step_id, lookup=step_id == "assess" and asks_only_for_records(u.text))
        out.insert(1, Acts(u.t, u.id, u.speaker, read.acts))
        self._agent_said[u.id] = (context, opening, set(evidence), phase, self._first_said_lines)
        # Mirroring the customer's feelings, summing up their problem or planning its fix
        # names negative things without the agent being negative.
        describes = bool(set(evidence) - {"assess"})
        agent_score = max(reading.score, 0.0) if describes else reading.score

        def ruled_out(quote: str) -> bool:
            # A cue's words in a sentence that takes the agent's words back ("that's not your problem and
            # I shouldn't have passed the buck") repair the jab, they do not repeat it.
            return read.rules_out_pitfall(quote) or takes_back(read.sentence_of(quote))

        findings = self.spotter.check(
            u.text, set(evidence), agent_score, heard=self._customer_words, ruled_out=ruled_out
        )
        for finding in findings:
            out.append(Alert(u.t, finding.kind, finding.reason, u.id, speaker="agent"))
        out += self._read_pitfalls(u, read, {f.kind for f in findings})
        stung = any(isinstance(e, Alert) and e.kind in WORD_PITFALLS for e in out)
        self.progress.agent_said(u.text, stung=stung)
        return out

    def _read_pitfalls(self, u: Utterance, read: AgentReading, raised: set[str]) -> list[Event]:
        """Word pitfalls the reader is sure of and the cue rules did not already raise.

        A cue's match is the spotter's to raise (``PitfallSpotter.check``), with its filters for summaries."""
        out: list[Event] = []
        for kind, act in read.pitfalls.items():
            if kind not in read.read_pitfalls:
                continue
            sentence = read.sentence_of(act.quote)
            if kind in raised or read.mirrors(act.quote) or owns_up(sentence):
                continue  # a sentence that mirrors the customer quotes their words, it does not inflame
            if "empathize" in read.steps and any(takes_back(s) for s, _ in read.pitfall_weights):
                # "I'm sorry, that was a thoughtless thing to say. Of course she's attached": taking back
                # their own words, the agent goes on to set things right in words that name the hurt.
                continue
            if kind == "trigger-words" and uses_their_terms(sentence, self._customer_words):
                continue  # their own terms ("the UTR on your HMRC letter") are no jargon to them
            reason = (
                f'"{act.quote}" tends to inflame: say what you can do'
                if kind == "trigger-words"
                else f'"{act.quote}": stay warm and even'
            )
            out.append(Alert(u.t, kind, reason, u.id, value=act.score, speaker="agent"))
        return out

    # -- settled text: late ticks --------------------------------------------------------

    def _settled(self, r: Revision) -> list[Event]:
        """Steps the settled text evidences that the first text missed: ticked now, marked late.

        What the agent saw stays: nothing is unticked, and no alert is raised after the fact.
        """
        context, opening, ticked, phase, lines = self._agent_said[r.utterance]  # read as where the call was then
        heard = frozenset(w for w, line in self._first_said.items() if line < lines)
        read = self.acts.read(
            r.text, context, opening=opening, fix_offered=self.progress.fix_on_table(), phase=phase, heard=heard
        )
        out: list[Event] = [Acts(r.t, r.utterance, r.speaker, read.acts)]
        for step_id, found in read.steps.items():
            if step_id in ticked or self.progress.done(step_id):
                continue
            if step_id == "resolve" and self.progress.solution_too_early():
                continue
            out.append(StepDone(r.t, step_id, r.utterance, found.quote, late=True))
            self.progress.step_done(step_id, lookup=step_id == "assess" and asks_only_for_records(r.text))
            ticked.add(step_id)
        if len(out) > 1:
            step, reason = self.progress.next_step()
            out.append(NextStep(r.t, step, reason, None))
        return out

    def _phase(self) -> str | None:
        """How far the call has come, for the reader's step odds (a turned-down fix goes back to affirm).

        None once a flare-up has sent the call back to empathy: the phase table counts calls by the
        furthest step reached and would read the apology that answers a flare-up as unlikely."""
        if self.progress.needs_empathy and self.progress.done("empathize"):
            return None
        furthest = self.progress.furthest
        return phase_of(STEP_ORDER[furthest] if furthest >= 0 else None)

    # -- raised voice ------------------------------------------------------------------

    def _with_raised_voice(self, u: Utterance, reading: Reading) -> Reading:
        mine = [
            a
            for a in self._raised
            if a.utterance == u.id
            or (u.start - RAISED_VOICE_MATCH_S <= a.t <= u.end + RAISED_VOICE_MATCH_S and a.utterance is None)
        ]
        if not mine:
            return reading
        self._raised = [a for a in self._raised if a not in mine]
        score = _clamp(min(reading.score, 0.0) - RAISED_VOICE_PENALTY)
        return Reading(round(score, 4), reading.raw, max(reading.evidence, 0.6), (*reading.notes, "raised voice"))

    def _late_raised_voice(self, u: Utterance) -> list[Event]:
        late = [a for a in self._raised if a.utterance == u.id or u.start <= a.t <= u.end + RAISED_VOICE_MATCH_S]
        if not late:
            return []
        self._raised = [a for a in self._raised if a not in late]
        line = self.lines["customer"]
        base = self.reader.read(u.text, "customer")
        score = _clamp(min(base.score, 0.0) - RAISED_VOICE_PENALTY)
        before = line.smoothed
        point = line.add(max(u.t, late[-1].t), score, 0.6, 0.0)
        out: list[Event] = [SentimentPoint(point.t, u.speaker, score, round(point.smoothed, 4), u.id, point.trend)]
        swing = self.mood.update(before, score, point.smoothed)
        if swing is not None:
            out.append(Mood(point.t, swing, round(point.smoothed, 4), u.id))  # type: ignore[arg-type]
        self.progress.customer_said("", score, before, escalated=swing == "escalated")
        return out

    @staticmethod
    def _line_key(speaker: str) -> str:
        # A mono recording mixes both voices; its mood is read as the customer's.
        return "agent" if speaker == "agent" else "customer"


def estimate_duration(text: str) -> float:
    """Seconds it takes to say ``text`` at a usual speaking rate (for transcripts without times)."""
    return max(1.0, len(re.findall(r"\S+", text)) / _SPEAKING_WPS)


def coach_events(playbook: Playbook, events: Sequence[Event]) -> list[Event]:
    """Everything a fresh coach derives from these events (for replays and tests)."""
    coach = Coach(playbook)
    out: list[Event] = []
    for event in events:
        out.append(event)
        out.extend(coach.feed(event))
    return out


def coach_for(playbook: Playbook) -> Coach:
    """The coach every call gets: the playbook's words plus the voice cues it configures.

    The window, ``analyze`` and imports all build their coach here, so a call is
    judged the same way wherever it is run.
    """
    from companion.analysis.voice_cues import VoiceCues

    return Coach(playbook, VoiceCues(playbook.cues))
