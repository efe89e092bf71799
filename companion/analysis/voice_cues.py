"""Live voice cues taken from the sound and the timing of a call, not from its words.

``VoiceCues`` is a plain fold over the pipeline's events: feed it every event
in the order the pipeline emits them and it returns the ``Alert`` values the
call has earned at that point.  Cues (see docs/voice-cues.md):

* ``pace-fast`` / ``pace-slow``: the agent's words per minute of speaking time
  over a sliding window, outside the playbook's band;
* ``monologue``: the agent talking without leaving the customer room;
* ``interruption``: both talking at once, ``speaker`` is who started it; the
  agent talking over an upset customer counts after a shorter overlap;
* ``dead-air``: both silent while the customer waits for the agent (an
  announced hold is not dead air until it has lasted ``hold_check_back_s``);
* ``slow-response``: the customer finished and the agent took long to start;
* ``raised-voice``: an utterance clearly louder (and faster) than the same
  speaker's own baseline for this call.  The agent raising theirs is also the
  pitfall ``agent-negativity``, raised as a second alert at the same time.

Each cue fires once per episode.  ``Alert.t`` is the call time at which the
cue's condition was met and ``value`` the measured figure at that moment.
Timing comes only from events the pipeline produces in call-time order
(``SpeechStarted``, ``Level``); where a cue depends on words (pace, loudness of
an utterance, whether a silence was an announced hold), it waits for the
utterance rather than guessing, so a file analysed faster than real time and
the same call live give the same cues.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from companion.analysis.agent_pace import AgentPace, count_words
from companion.analysis.cue_settings import CueThresholds
from companion.analysis.silence_words import asks_question, asks_to_wait, says_goodbye
from companion.analysis.voice_activity import VoiceActivity
from companion.analysis.voice_baseline import (
    MIN_LOUDNESS_S,
    SpeakerBaseline,
    utterance_loudness,
    words_per_minute,
)
from companion.events import (
    Alert,
    CallEnded,
    CallStarted,
    Event,
    Level,
    Mood,
    SentimentPoint,
    Speaker,
    SpeechStarted,
    Utterance,
    one_channel,
)

log = logging.getLogger(__name__)

# The detector announces speech once a quarter second of it is heard; a
# silence is judged only after that delay so a reply just begun is not missed.
ANNOUNCE_LAG_S = 0.4
# Words spoken this long before a silence still explain it (a hold announced,
# then the customer's "okay").
CONTEXT_S = 15.0
# Live, final text arrives within a second or two of the speech; past this a
# segment with no text is taken for one the recogniser found no words in.
TEXT_LATENCY_S = 4.0
# The customer's smoothed sentiment at or below which they count as upset.
UPSET_SENTIMENT = -0.3

VOICED: tuple[Speaker, Speaker] = ("agent", "customer")


@dataclass
class _Silence:
    """Both sides quiet since ``start``; ``last`` spoke last."""

    start: float
    last: Speaker
    segments: dict[Speaker, int]  # each side's last segment before the silence
    verdict: str | None = None  # "dead-air", "hold", "closing", "customer-pause", "question"
    dead_air_queued: bool = False
    check_back_queued: bool = False


@dataclass
class _Pending:
    """A cue that waits for the words before its silence to be known."""

    kind: str  # "dead-air", "check-back" or "slow-response"
    t: float
    silence: _Silence
    value: float


class VoiceCues:
    """Folds call events into voice-cue alerts; one instance per call."""

    def __init__(self, thresholds: CueThresholds | None = None) -> None:
        self.thresholds = thresholds or CueThresholds()
        self._voices: dict[Speaker, VoiceActivity] = {s: VoiceActivity() for s in VOICED}
        self._utterances: dict[Speaker, list[Utterance]] = {s: [] for s in VOICED}
        self._resolved: dict[Speaker, int] = dict.fromkeys(VOICED, 0)
        self._baselines: dict[Speaker, SpeakerBaseline] = {s: SpeakerBaseline() for s in VOICED}
        self._raised: dict[Speaker, bool] = dict.fromkeys(VOICED, False)
        self._pace = AgentPace(self.thresholds)
        self._realtime = False
        self._ended = False
        self._now = 0.0
        self._turn_start: float | None = None
        self._monologue_fired = False
        self._overlap: tuple[Speaker, float] | None = None
        self._one_channel = False
        self._silence: _Silence | None = None
        self._pending: list[_Pending] = []
        self._customer_sentiment: float | None = None
        self._escalated = False

    # -- the fold ----------------------------------------------------------------

    def feed(self, event: Event) -> list[Alert]:
        """Take one event; return the alerts it completes (usually none)."""
        out: list[Alert] = []
        if isinstance(event, Level):
            if event.speaker in self._voices:
                self._on_level(event, out)
        elif isinstance(event, SpeechStarted):
            if event.speaker in self._voices:
                self._on_speech_started(event, out)
        elif isinstance(event, Utterance):
            if event.speaker in self._voices:
                self._on_utterance(event, out)
        elif isinstance(event, SentimentPoint):
            if event.speaker == "customer":
                self._customer_sentiment = event.smoothed
        elif isinstance(event, Mood):
            self._escalated = event.kind == "escalated"
        elif isinstance(event, CallStarted):
            self._realtime = event.realtime
            # Voices split from one channel never overlap in the split: talking over cannot be measured.
            self._one_channel = one_channel(event.channels)
        elif isinstance(event, CallEnded):
            self._now = max(self._now, event.t)
            self._check_silence(out)
            self._ended = True
        if self._pending:
            self._resolve_pending(out)
        return out

    def customer_upset(self) -> bool:
        """Whether talking over the customer now weighs more.

        The customer is upset while they speak clearly louder than before (from
        the levels, so it is known mid-sentence), after an utterance judged a
        raised voice, or when the coach's events said so (a low smoothed
        sentiment or an escalated mood).
        """
        louder = self._voices["customer"].louder_now()
        shouting = louder is not None and louder >= self.thresholds.raised_voice_db
        low = self._customer_sentiment is not None and self._customer_sentiment <= UPSET_SENTIMENT
        return shouting or self._raised["customer"] or low or self._escalated

    # -- timing: levels and speech onsets ------------------------------------------

    def _on_level(self, event: Level, out: list[Alert]) -> None:
        self._voices[event.speaker].level(event.t, event.dbfs)
        self._now = max(self._now, event.t)
        self._check_overlap(out)
        self._check_monologue(out)
        self._check_silence(out)

    def _on_speech_started(self, event: SpeechStarted, out: list[Alert]) -> None:
        voice = self._voices[event.speaker]
        other = self._voices["customer" if event.speaker == "agent" else "agent"]
        fresh = not voice.talking
        silence = self._silence
        if fresh and silence is not None and not other.talking:
            self._silence_ended(silence, event, out)
        voice.speech_started(event.t, event.segment)
        self._silence = None
        if fresh and other.talking and self._overlap is None and not self._one_channel:
            self._overlap = (event.speaker, event.t)
        if event.speaker == "customer":
            self._turn_start = None
        elif self._turn_start is None:
            self._turn_start = event.t
            self._monologue_fired = False

    def _check_overlap(self, out: list[Alert]) -> None:
        if self._overlap is None:
            return
        starter, start = self._overlap
        agent, customer = self._voices["agent"], self._voices["customer"]
        if not (agent.talking and customer.talking):
            self._overlap = None  # a backchannel or a false start, not talking over
            return
        assert agent.last_voice is not None and customer.last_voice is not None
        overlap = min(agent.last_voice, customer.last_voice) - start
        th = self.thresholds
        upset = starter == "agent" and self.customer_upset()
        needed = th.overlap_upset_min_s if upset else th.overlap_min_s
        if overlap < needed:
            return
        self._overlap = None
        if starter == "agent":
            text = "You talked over an upset customer" if upset else "You talked over the customer"
        else:
            text = "The customer talked over you: let them finish"
        out.append(Alert(round(start + needed, 2), "interruption", text, None, round(overlap, 2), starter))

    def _check_monologue(self, out: list[Alert]) -> None:
        if self._turn_start is None:
            return
        agent = self._voices["agent"]
        th = self.thresholds
        assert agent.last_voice is not None
        if not agent.talking and self._now - agent.last_voice >= th.monologue_pause_s:
            self._turn_start = None  # the agent left the customer room to speak
            return
        length = agent.last_voice - self._turn_start
        if self._monologue_fired or not agent.talking or length < th.monologue_s:
            return
        self._monologue_fired = True
        t = self._turn_start + th.monologue_s
        text = f"Long monologue ({length:.0f} s): pause and let the customer in"
        out.append(Alert(round(t, 2), "monologue", text, None, round(length, 1), "agent"))

    # -- silences ----------------------------------------------------------------

    def _check_silence(self, out: list[Alert]) -> None:
        agent, customer = self._voices["agent"], self._voices["customer"]
        if agent.talking or customer.talking:
            return
        heard = [(v.last_voice, s) for s, v in self._voices.items() if v.last_voice is not None]
        if not heard:
            return  # nobody has spoken yet: the call may not be connected
        start, last = max(heard)
        silence = self._silence
        if silence is None or silence.start != start:
            segments = {s: v.segment for s, v in self._voices.items()}
            silence = self._silence = _Silence(start, last, segments)
        th = self.thresholds
        elapsed = self._now - start
        if not silence.dead_air_queued and elapsed >= th.dead_air_s + ANNOUNCE_LAG_S:
            silence.dead_air_queued = True
            self._pending.append(_Pending("dead-air", start + th.dead_air_s, silence, th.dead_air_s))
        if not silence.check_back_queued and elapsed >= th.hold_check_back_s + ANNOUNCE_LAG_S:
            silence.check_back_queued = True
            t = start + th.hold_check_back_s
            self._pending.append(_Pending("check-back", t, silence, th.hold_check_back_s))

    def _silence_ended(self, silence: _Silence, event: SpeechStarted, out: list[Alert]) -> None:
        """Someone spoke after a silence: judge what the silence was, by its full length."""
        th = self.thresholds
        gap = event.t - silence.start
        if gap >= th.dead_air_s and not silence.dead_air_queued:
            silence.dead_air_queued = True
            self._pending.append(_Pending("dead-air", silence.start + th.dead_air_s, silence, th.dead_air_s))
        if event.speaker == "agent" and silence.last == "customer" and th.slow_response_s <= gap < th.dead_air_s:
            self._pending.append(_Pending("slow-response", event.t, silence, gap))

    def _resolve_pending(self, out: list[Alert]) -> None:
        waiting: list[_Pending] = []
        for pending in self._pending:
            if not self._words_known(pending.silence):
                waiting.append(pending)
                continue
            alert = self._judge(pending)
            if alert is not None:
                out.append(alert)
        self._pending = waiting

    def _words_known(self, silence: _Silence) -> bool:
        if self._ended:
            return True
        if self._realtime and self._now - silence.start >= TEXT_LATENCY_S:
            return True
        # Final texts come in order per speaker, so a text for the segment or a later one settles it.
        return all(self._resolved[s] >= n for s, n in silence.segments.items())

    def _last_before(self, speaker: Speaker, t: float) -> Utterance | None:
        for utterance in reversed(self._utterances[speaker]):
            if utterance.start <= t:
                return utterance if utterance.end >= t - CONTEXT_S else None
        return None

    def _verdict(self, silence: _Silence) -> str:
        if silence.verdict is None:
            agent = self._last_before("agent", silence.start)
            customer = self._last_before("customer", silence.start)
            if any(u is not None and says_goodbye(u.text) for u in (agent, customer)):
                silence.verdict = "closing"
            elif agent is not None and asks_to_wait(agent.text):
                silence.verdict = "hold"
            elif silence.last == "customer" and customer is not None and asks_to_wait(customer.text):
                silence.verdict = "customer-pause"
            elif silence.last == "agent" and agent is not None and asks_question(agent.text):
                silence.verdict = "question"
            else:
                silence.verdict = "dead-air"
            log.debug("silence from %.2f s judged %s", silence.start, silence.verdict)
        return silence.verdict

    def _judge(self, pending: _Pending) -> Alert | None:
        verdict = self._verdict(pending.silence)
        last = self._last_before(pending.silence.last, pending.silence.start)
        quoted = last.id if last is not None else None
        t = round(pending.t, 2)
        if pending.kind == "dead-air" and verdict == "dead-air":
            text = f"Dead air: the customer has waited {pending.value:.0f} s"
            return Alert(t, "dead-air", text, quoted, round(pending.value, 1), "agent")
        if pending.kind == "check-back" and verdict == "hold":
            text = f"Customer on hold for {pending.value:.0f} s: check back with them"
            return Alert(t, "dead-air", text, quoted, round(pending.value, 1), "agent")
        if pending.kind == "slow-response" and verdict == "dead-air":
            # Loudness can dip for a breath mid-sentence; the customer's final text says
            # where their speech really ended, so the gap is measured from there.
            gap = pending.value
            if last is not None and last.end > pending.silence.start:
                gap = pending.t - last.end
            if gap < self.thresholds.slow_response_s:
                return None
            text = f"Slow response: {gap:.1f} s before you answered"
            return Alert(t, "slow-response", text, quoted, round(gap, 2), "agent")
        return None

    # -- words: pace and loudness ------------------------------------------------

    def _on_utterance(self, utterance: Utterance, out: list[Alert]) -> None:
        speaker = utterance.speaker
        self._utterances[speaker].append(utterance)
        self._resolved[speaker] = max(self._resolved[speaker], utterance.segment)
        words = count_words(utterance)
        if speaker == "agent":
            alert = self._pace.feed(utterance)
            if alert is not None:
                out.append(alert)
        self._check_loudness(utterance, words, out)

    def _check_loudness(self, utterance: Utterance, words: int, out: list[Alert]) -> None:
        seconds = utterance.end - utterance.start
        if seconds < MIN_LOUDNESS_S:
            return
        speaker = utterance.speaker
        readings = self._voices[speaker].trace.between(utterance.start, utterance.end)
        loudness = utterance_loudness(readings)
        if loudness is None:
            return
        rate = words_per_minute(words, seconds)
        th = self.thresholds
        baseline = self._baselines[speaker]
        if not baseline.ready(th.raised_voice_baseline_s):
            baseline.add(loudness, rate, seconds)
            return
        departure = baseline.compare(loudness, rate)
        faster = departure.rate_ratio is not None and departure.rate_ratio >= th.raised_voice_rate_ratio
        louder = departure.loudness_db
        if louder >= th.raised_voice_db or (faster and louder >= th.raised_voice_db / 2):
            if not self._raised[speaker]:
                self._raised_voice(utterance, louder, out)
            self._raised[speaker] = True
            return
        self._raised[speaker] = False
        if louder < th.raised_voice_db / 2:
            baseline.add(loudness, rate, seconds)

    def _raised_voice(self, utterance: Utterance, louder: float, out: list[Alert]) -> None:
        t, value = round(utterance.start, 2), round(float(louder), 1)
        if utterance.speaker == "customer":
            text = f"The customer raised their voice (+{louder:.0f} dB): slow down, acknowledge"
            out.append(Alert(t, "raised-voice", text, utterance.id, value, "customer"))
            return
        text = f"You raised your voice (+{louder:.0f} dB)"
        out.append(Alert(t, "raised-voice", text, utterance.id, value, "agent"))
        pitfall = "Agent negativity: a raised voice; lower it and keep your tone calm"
        out.append(Alert(t, "agent-negativity", pitfall, utterance.id, value, "agent"))
