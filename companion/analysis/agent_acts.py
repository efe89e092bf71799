"""What an agent's utterance does: the playbook's cue rules and the learned reader, put together.

The rules know a team's exact phrases and explain each match; the reader knows
what sentences mean, in words nobody wrote a cue for, and sees the customer's
turn before.  ``acts`` are what the words evidence, ticked or not: a step the
reader makes a sentence's likeliest reading, or a rule matched and the reader
does not rule out; a word pitfall the reader is sure of or a pitfall cue
matched.  ``steps`` are the acts that tick playbook steps, read against where
the call is: a plan with times, before any fix was on the table, is the offer
(resolve), not the agreement.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from companion.analysis.owning_up import owns_up
from companion.analysis.phrases import Sentence, content_words, quotes_by_sentence, split_sentences
from companion.analysis.playbook import STEP_IDS, Playbook
from companion.analysis.reader.acts import ActReader, SentenceReading
from companion.analysis.reader.features import form
from companion.analysis.steps import QUOTE_WORDS, Evidence, StepMatcher
from companion.events import Act

log = logging.getLogger(__name__)

STEP_SURE = 0.3  # the reader alone ticks a step that is a sentence's likeliest reading at this probability
SECOND_SURE = 0.5  # ... and a second step in the same turn at this
RULE_FLOOR = 0.05  # a rule's match stands unless the reader gives its step less than this
PITFALL_SURE = 0.35  # the reader alone raises a word pitfall at this evidence (``_pitfall_evidence``)
# ... in a sentence of at least this many content words: "It will.", "You won't.", "Here's what I can
# do." say too little for a sentence vector to tell a jab from a promise (short jabs are the cues' job).
PITFALL_MIN_WORDS = 3
RULE_PITFALL_FLOOR = 0.15  # a pitfall cue's match stands unless the reader gives its sentence less than this
WORD_PITFALLS = ("trigger-words", "agent-negativity")
AFFIRM_ECHO = 0.3  # the reader's summary must echo at least this share of its words from the customer
READ_BACK_ECHO = 0.6  # ... and a read-back the reader takes for a fix or a plan, this share
WHOLE_TURN_WORDS = 30  # a turn up to this long is also read whole, as the corpus's utterances are


@dataclass(frozen=True, slots=True)
class AgentReading:
    """One agent utterance read: the steps it ticks (with quotes), its word pitfalls, all its acts."""

    steps: dict[str, Evidence] = field(default_factory=dict)
    pitfalls: dict[str, Act] = field(default_factory=dict)
    acts: tuple[Act, ...] = ()
    pitfall_weights: tuple[tuple[str, float], ...] = ()  # each sentence read, and how much it reads as a pitfall
    read_pitfalls: frozenset[str] = frozenset()  # the word pitfalls the reader raised (the rest are cue matches)

    def rules_out_pitfall(self, quote: str) -> bool:
        """Whether the reader all but rules out a word pitfall in the sentence that holds ``quote``, and
        reads none elsewhere in the turn: beside a sentence that reads as one ("You didn't tell us you
        were travelling."), a cue's words mean what they say ("Well, what do you want me to do?")."""
        i = _unit_of([text for text, _ in self.pitfall_weights], quote)
        return i >= 0 and _vetoed([weight for _, weight in self.pitfall_weights], i)

    def sentence_of(self, quote: str) -> str:
        """The sentence read that holds ``quote`` (a cue's words or a shortened sentence); else the quote."""
        found = self._sentence_of(quote)
        return found[0] if found is not None else quote

    def mirrors(self, quote: str) -> bool:
        """Whether the sentence that holds ``quote`` is the one that empathised or summed up."""
        sentence = self.sentence_of(quote)
        return any(
            self.sentence_of(e.quote) == sentence for step, e in self.steps.items() if step in ("empathize", "affirm")
        )

    def _sentence_of(self, quote: str) -> tuple[str, float] | None:
        i = _unit_of([text for text, _ in self.pitfall_weights], quote)
        return self.pitfall_weights[i] if i >= 0 else None


def _short(text: str) -> str:
    words = text.split()
    return " ".join(words[:QUOTE_WORDS]) + (" …" if len(words) > QUOTE_WORDS else "")


# An offer or a plan promises: "I'll", "we can", "let me", "you'll get".
_PROMISE = re.compile(
    r"\b(?:i|we)(?:'ll|'d| will| can| could| would| am going to| are going to)\b|\blet me\b|"
    r"\byou(?:'ll| will) (?:get|have|receive)\b",
    re.IGNORECASE,
)


def _echo(text: str, heard: AbstractSet[str]) -> float:
    """The share of the agent's content words the customer said first."""
    words = content_words(text)
    return len(words & heard) / len(words) if words else 0.0


def _checks(sentence: str) -> bool:
    """Whether a sentence asks the customer to confirm (a question, or a check tag at its end)."""
    shape = form(sentence, "")
    return bool(shape[1] > 0 or shape[2] > 0)


def _best(readings: list[SentenceReading], label: str, top_only: bool = False) -> tuple[str, float] | None:
    """The sentence most likely to be ``label`` and how likely; with ``top_only``, only among the
    sentences whose likeliest reading it is."""
    chosen = [r for r in readings if not top_only or r.best()[0] == label]
    if not chosen:
        return None
    top = max(chosen, key=lambda r: r.probabilities[label])
    return top.text, top.probabilities[label]


def _unit_of(units: list[str], quote: str) -> int:
    """Which sentence of the turn holds ``quote`` (a cue's words or a shortened sentence); -1 if none."""
    wanted = quote.lower().rstrip(" …")
    return next((i for i, unit in enumerate(units) if wanted in unit.lower()), -1)


def _vetoed(weights: Sequence[float], i: int) -> bool:
    """Whether the reader overrules a pitfall cue's words in sentence ``i`` of a turn, by each
    sentence's pitfall weight: the one alerts (``AgentReading.rules_out_pitfall``) and acts share."""
    return weights[i] < RULE_PITFALL_FLOOR and max(weights) < PITFALL_SURE


def _pitfall_weight(reading: SentenceReading) -> float:
    """The softmax layer's belief in a word pitfall: both kinds summed."""
    return sum(reading.probabilities[kind] for kind in WORD_PITFALLS)


def _pitfall_evidence(reading: SentenceReading) -> float:
    """What raises a word pitfall: the belief averaged, when known, with the share of the sentence's
    nearest corpus sentences that are pitfalls (``reader.neighbours``). Only the belief can veto a
    cue: near neighbours share words ("here's what I can do" lies near "there's nothing I can do")."""
    belief = _pitfall_weight(reading)
    return belief if reading.pitfall_neighbours is None else (belief + reading.pitfall_neighbours) / 2


class AgentActs:
    """Reads agent utterances for one call."""

    def __init__(self, playbook: Playbook, reader: ActReader | None) -> None:
        self.playbook = playbook
        self.matcher = StepMatcher(playbook)
        self.reader = reader

    def read(
        self,
        text: str,
        context: str = "",
        opening: bool = False,
        fix_offered: bool = False,
        phase: str | None = None,
        heard: AbstractSet[str] | None = None,
    ) -> AgentReading:
        """``context``: the customer's words before; ``fix_offered``: a fix is already on the table;
        ``phase``: how far the call has come (``reader.step_prior.phase_of``), which weighs the steps' odds;
        ``heard``: the content words the customer has said so far (``phrases.content_words``), which a
        summary echoes and a question does not."""
        rules = {e.step: e for e in self.matcher.match(text, opening=opening)}
        split = split_sentences(text)
        if self.reader is None:
            acts = tuple(Act(e.step, e.quote, round(min(1.0, e.score), 3)) for e in rules.values())
            return AgentReading(rules, {}, acts + self._rule_pitfalls(split))
        if opening or (not rules and self.matcher.is_greeting(text)):
            # The agent's opening ("Thanks for calling, this is Sam") is no step, whatever it sounds like.
            return AgentReading({}, {}, ())
        # A sentence that is itself a pitfall ("please calm down, it's our policy") evidences no step, and
        # a quick fix put as a question ("have you tried restarting it?") asks for no facts.
        pitfall_like = [self.matcher.is_pitfall(s) for s in split]
        offers = [self.matcher.is_fix_offer(s) for s in split]
        units = [" ".join(s.words) for s in split]
        if len(units) > 1 and len(text.split()) <= WHOLE_TURN_WORDS and not any(pitfall_like) and not any(offers):
            # A terse turn says one thing across its fragments ("Loan fridge by four. Thursday. Good?").
            units.append(" ".join(text.split()))
            pitfall_like.append(False)
            offers.append(False)
        readings = self.reader.read(units, context, phase)
        evidenced: dict[str, Evidence] = {}
        for step in STEP_IDS:
            step_readings = [
                r
                for r, bad, offer in zip(readings, pitfall_like, offers, strict=True)
                if not bad and (not offer or step == "resolve")
            ]
            best = _best(step_readings, step, top_only=True)
            rule = rules.get(step)
            anywhere = _best(step_readings, step)
            if best is not None and best[1] >= STEP_SURE:
                quote = rule.quote if rule is not None else _short(best[0])
                score = max(best[1], rule.score if rule else 0.0)
                evidenced[step] = Evidence(step, quote, rule.cue if rule else "reader", score)
            elif rule is not None and (anywhere is None or anywhere[1] >= RULE_FLOOR):
                evidenced[step] = rule
        affirm = evidenced.get("affirm")
        if affirm is not None and affirm.cue == "reader" and heard is not None and _echo(text, heard) < AFFIRM_ECHO:
            # A summary reads back the customer's own facts; a question about new ones asks for facts.
            del evidenced["affirm"]
            if "assess" not in evidenced and any(_checks(u) for u in units):
                evidenced["assess"] = Evidence("assess", affirm.quote, "reader", affirm.score)
        plan = [e for step in ("resolve", "agree") if (e := evidenced.get(step)) is not None and e.cue == "reader"]
        if (
            plan
            and "affirm" not in evidenced
            and heard is not None
            and _echo(text, heard) >= READ_BACK_ECHO
            and _checks(units[-1])
            and not _PROMISE.search(text)
        ):
            # The customer's own facts read back and checked ("Kingsgate bay, ten to eight, app stuck, right?")
            # promise nothing: a summary, however much it sounds like the fix or the plan it leads to.
            for e in plan:
                del evidenced[e.step]
            best = max(plan, key=lambda e: e.score)
            evidenced["affirm"] = Evidence("affirm", best.quote, "reader", best.score)
        asked = evidenced.get("assess")
        offered = [  # a clear offer: a cue's, or the reader's when sure ("That would do it." is no offer)
            e
            for step in ("resolve", "agree")
            if (e := evidenced.get(step)) and (e.cue != "reader" or e.score >= SECOND_SURE)
        ]
        if (
            asked is not None
            and offered
            and _unit_of(units, asked.quote) > min(_unit_of(units, e.quote) for e in offered)
        ):
            # A question after the offer or the plan ("Which would you like?", "Could you repeat that
            # back?") asks about the offer, not about the problem: no assess.
            del evidenced["assess"]
        # A turn mostly does one thing: a second act the reader alone found must be clearly there.
        strongest = max((e.score for e in evidenced.values()), default=0.0)
        # ("I will. Can you tell me your order number?" is a question; "I will." says too little to be a second act.)
        evidenced = {
            k: e
            for k, e in evidenced.items()
            if e.cue != "reader" or e.score >= strongest or (e.score >= SECOND_SURE and content_words(e.quote))
        }
        pitfalls: dict[str, Act] = {}
        # The two word pitfalls share one shape (words that push the customer away) and the reader
        # splits its belief between them, so a sentence is a pitfall by their sum, of the kind it leans to.
        weights = [_pitfall_weight(r) for r in readings]
        owning = [owns_up(r.text) for r in readings]
        evidence = [
            _pitfall_evidence(r) if len(content_words(r.text)) >= PITFALL_MIN_WORDS and not owned else 0.0
            for r, owned in zip(readings, owning, strict=True)
        ]
        worst = max(range(len(readings)), key=evidence.__getitem__, default=None)
        if worst is not None and evidence[worst] >= PITFALL_SURE:
            kind = max(WORD_PITFALLS, key=readings[worst].probabilities.__getitem__)
            pitfalls[kind] = Act(kind, _short(readings[worst].text), round(evidence[worst], 3))
            sympathy = evidenced.get("empathize")
            if (
                sympathy is not None
                and sympathy.cue == "reader"
                and sympathy.score < evidence[worst]
                and not any(owning)
            ):
                # "Sir, the wind is not something we control, is not our fault": the reader hears the
                # subject of a complaint in it, but the brush-off is the surer reading. Empathy that
                # lost to it does not tick (and would hide the alert as a sentence that mirrors them),
                # unless the turn also owns up ("Fair enough, that was a lot of shorthand, sorry. ...").
                del evidenced["empathize"]
        acts = [Act(e.step, e.quote, round(min(1.0, e.score), 3)) for e in evidenced.values()]
        by_reader = frozenset(pitfalls)
        rounded = [round(w, 3) for w in weights]  # the weights the alerts see (AgentReading.pitfall_weights)
        shown = tuple(zip((r.text for r in readings), rounded, strict=True))
        for act, i in self._rule_pitfall_hits(split):
            # A cue's words in a helpful sentence ("you just drop the old pair at the post office") are
            # no pitfall: the rule stands unless the reader all but rules a pitfall out there.
            if not _vetoed(rounded, i):
                pitfalls.setdefault(act.id, act)
        steps = self._in_context(evidenced, fix_offered)
        return AgentReading(steps, pitfalls, tuple(acts) + tuple(pitfalls.values()), shown, by_reader)

    def _rule_pitfalls(self, sentences: list[Sentence]) -> tuple[Act, ...]:
        first: dict[str, Act] = {}
        for act, _ in self._rule_pitfall_hits(sentences):
            first.setdefault(act.id, act)
        return tuple(first.values())

    def _rule_pitfall_hits(self, sentences: list[Sentence]) -> list[tuple[Act, int]]:
        """Each word pitfall's cue matches, one per sentence, with the index of the sentence."""
        found = []
        for kind in WORD_PITFALLS:
            pitfall = self.playbook.pitfall(kind)
            if pitfall is not None:
                found += [(Act(kind, quote, 1.0), i) for quote, i in quotes_by_sentence(pitfall.cues, sentences)]
        return found

    @staticmethod
    def _in_context(evidenced: dict[str, Evidence], fix_offered: bool) -> dict[str, Evidence]:
        """The steps the acts tick, given whether a fix was already on the table."""
        steps = dict(evidenced)
        agree = steps.get("agree")
        if agree is not None and not fix_offered:
            # Nothing is agreed until a fix was offered and answered: a plan with times now, with its
            # check or without, is the offer itself.
            del steps["agree"]
            if not steps and agree.cue == "reader":  # alone in the turn; beside a question it asks facts
                steps["resolve"] = Evidence("resolve", agree.quote, "reader", agree.score)
        return steps
