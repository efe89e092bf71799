"""Which playbook step comes next, following the seeds rather than only the list order.

* While an upset customer, or one who opened with a problem however calmly, is still
  telling the story: ``listen`` (a caller who opens with a plain request is asked questions).
* Once heard, and until the agent has shown they understand: ``empathize``
  (no solution before empathy: to an upset customer a fix now is the ``early-solution`` pitfall).
* Then the steps in order: ``assess``, ``affirm``, ``resolve``, ``agree``, ``thank``,
  each counted from the furthest step the agent has reached.
* A re-escalation (the customer's mood drops sharply again, or they repeat the
  complaint) sends the agent back to ``empathize``; if it answered a fix, the
  fix must then be reworked (``resolve`` after the empathy).
* A fix turned down, calmly or hotly, asks for an alternative: ``resolve`` again.
* An answer to the agent's question carries the bad facts asked for; it is a flare-up only
  when its emotion words drop sharply.
"""

from __future__ import annotations

import re

from companion.analysis.phrases import content_words, split_sentences
from companion.analysis.step_ids import STEP_ORDER

ORDER = STEP_ORDER
UPSET = -0.25  # a customer reading at or below this is upset
REESCALATION = -0.45  # after empathy, a reading this low ...
REESCALATION_DROP = 0.3  # ... this far below the line is a re-escalation
ANSWER_REESCALATION = -0.6  # ... or this low when it answers the agent's question
HEARD_VENTS = 2  # after this many upset turns the customer has told their story
TOLD_STORY_WORDS = 12  # a customer who said this much before getting upset has been heard
SETTLED_TURNS = 2  # calm customer turns, with the agent talking between, that settle a need for empathy
REPEAT_OVERLAP = 0.45
ACCEPTING = 0.1  # a customer reading above this is not turning a fix down, whatever word opens the line
_REPEAT_MARKERS = re.compile(
    r"\b(?:already told you|told you (?:already|before|twice)|as i said|like i said|i keep telling|"
    r"how many times|i said that|i just said|again and again)\b",
    re.IGNORECASE,
)
# A fix turned down: "no" or "I don't want" (or "she doesn't want") opening a sentence (which may
# yet accept: "No problem with a new card", "I don't want to lose my progress", so the line must not
# read content), or words that can only refuse it.
_REJECTION = re.compile(
    r"^\W*(?:no|nope|not really|(?:i|we|she|he|they) (?:really )?(?:do not|don't|dont|does not|doesn't|doesnt) want)\b|"
    # ... or says it comes too late or asks for another way ("Friday's cutting it fine", "Can't it just be fixed?")
    r"\bcutting it (?:a bit |very |too )?fine\b|\btoo (?:late|long|slow)\b|"
    r"\bcan(?:'t|not| not) (?:it|you|we|they) just\b|"
    r"\b(?:is|isn't|is not) there (?:any|another|no)(?: other)? (?:way|option)\b",
    re.IGNORECASE,
)
_REFUSAL = re.compile(
    r"\b(?:that|it|this) (?:does not|doesn't|won't|will not|wouldn't|would not) (?:work|help|do|fix|solve)\b|"
    r"\bnot (?:good enough|acceptable|what i)\b|\b(?:that|it) is not enough\b|"
    r"\bno (?:good|use)\b",
    re.IGNORECASE,
)
# A caller who opens with a plain request ("I'd like to move my account") wants questions, not a
# hearing; one who opens with what went wrong, however calmly, tells the story first.
_REQUEST = re.compile(
    r"\b(?:i'd like|i would like|i need to|i just need|i want to|i'd love|could i|can i|may i|how do i|"
    r"how can i|is it possible to|i was wondering|i'm calling to|i'm ringing to|"
    # ... or asks how something stands ("I just wondered how it's getting on", "I was hoping to have the results")
    r"i (?:just )?wondered|i was hoping|i'm hoping|just checking|any (?:news|update)|how it's getting on|"
    r"how (?:is|are) (?:my|our|the) \w+ (?:getting on|coming along|going))\b",
    re.IGNORECASE,
)
# "Yes, that's right": the customer confirming a summary, even when the summary was lost to the recogniser.
_CONFIRMS = re.compile(r"^\W*(?:yes|yeah|yep|correct|exactly|that's right|that is right)\b", re.IGNORECASE)
_CONFIRM_WORDS = re.compile(r"\b(?:right|correct|exactly|that's it|that is it|spot on)\b", re.IGNORECASE)
CONFIRM_MAX_WORDS = 8
ECHO_MAX_WORDS = 4
# The agent's words did not land: jargon or a brush-off the customer cannot follow.
_LOST = re.compile(
    r"\b(?:(?:do not|don't) (?:know|understand|follow) (?:what )?(?:any of )?(?:that|this|those|what you)|"
    r"you(?:'ve| have) lost me|in plain english|what does (?:that|any of that) (?:even )?mean)\b",
    re.IGNORECASE,
)
# "What's the booking reference?", "Postcode?": a question that finds the customer's records, not the
# problem. Until the agent asks about what went wrong the facts are still to come: no summary yet.
_RECORD = re.compile(
    r"\b(?:(?:order|booking|account|claim|policy|membership|member|customer|hire|kit|job|ticket|case|invoice|"
    r"tracking|serial|registration|reg|confirmation|contract|receipt|reference|ref)\s+(?:number|no|id|code)s?|"
    r"reference|postcode|post code|zip code|(?:your|the|booking|account) (?:full |last |first )?name|"
    r"date of birth|email address|(?:phone|mobile|contact) number|"
    r"(?:what|which|whose) name|under (?:what|which) name)\b",
    re.IGNORECASE,
)
_ASKING = re.compile(
    r"\b(?:what|when|why|how|which|where|who|did|does|do you|was|were|has|had|have you|is it|is there|"
    r"are you|are they|can you (?:tell|describe|walk)|tell me)\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[,;:.?!]|\band\b", re.IGNORECASE)


def asks_only_for_records(text: str) -> bool:
    """Whether an agent's questions only look the customer up (a reference, a name, a postcode):
    some part asks for a record and no other part asks about anything."""
    clauses = [c for c in _CLAUSE.split(text) if c.strip()]
    records = [bool(_RECORD.search(c)) for c in clauses]
    return any(records) and not any(_ASKING.search(c) for c, r in zip(clauses, records, strict=True) if not r)


_REASONS = {
    "listen": "let them finish their story: no defending, no fixing yet",
    "empathize": "show you understand how this feels before anything else",
    "assess": "ask open questions to find the root cause",
    "affirm": "sum up what happened and check you got it right",
    "resolve": "offer a fair fix now",
    "agree": "confirm the plan and timing, and check they are happy",
    "thank": "close by thanking them",
}


class CallProgress:
    """Where the call is on the playbook; a small state machine fed by the coach."""

    def __init__(self) -> None:
        self.counts = dict.fromkeys(ORDER, 0)
        self.furthest = -1  # index in ORDER of the furthest step from assess on
        self.customer_turns = 0
        self.customer_words = 0
        self.agent_turns = 0
        self.agent_since_customer = 0
        self.turns_since_upset = 0  # customer turns since they first got upset
        self.upset_turns = 0  # upset customer turns since the agent last listened or empathised
        self.ever_upset = False
        self.heard = False
        self.invited = False  # the agent asked them to go on; their next words tell the story
        self.needs_empathy = False
        self.problem_call = False  # the caller opened with a problem: story and empathy before questions
        self.asked = False  # the agent's last turn asked something: the customer's next words answer it
        self.stung = False  # the agent's last turn raised a word pitfall
        self.asked_unheard = False  # questions came before any empathy, while it was due
        self.asked_problem = False  # the agent has asked about the problem, not only looked the customer up
        self._turn_steps: set[str] = set()
        self._agent_words: set[str] = set()  # the content words of the agent's last turn
        self._agent_offered = False  # ... and whether it offered a fix or a plan
        self.rework_fix = False  # the fix on the table was turned down
        self.why: str | None = None
        self.calm_since_need = 0  # calm customer turns since empathy became due
        self.agent_since_need = 0  # agent turns since empathy became due
        self.later_since_need = False  # the agent has assessed, affirmed or resolved since then
        self.fix_since_need = False  # ... and offered a fix
        self._complaints: list[set[str]] = []

    def done(self, step: str) -> bool:
        return self.counts[step] > 0

    def fix_on_table(self) -> bool:
        """A fix was offered and not turned down: a plan with times now agrees it rather than offering one."""
        return self.done("resolve") and not self.rework_fix

    def solution_too_early(self) -> bool:
        """A fix now would come before the upset customer was first heard and empathised with.

        After a flare-up the coach asks for empathy again, but a fix then is no early solution:
        the customer told the story and was heard once already."""
        return self.needs_empathy and self.ever_upset and not self.done("empathize")

    def step_done(self, step: str, inviting: bool = False, lookup: bool = False) -> None:
        """``inviting``: the same turn asks the customer to tell the story ("so sorry, take your time");
        ``lookup``: an ``assess`` that only asked for the customer's records (``asks_only_for_records``)."""
        self.counts[step] += 1
        if step == "assess" and not lookup:
            self.asked_problem = True
        self._turn_steps.add(step)
        if step == "empathize" and inviting and not self.heard and self.needs_empathy:
            # Sympathy before the story is a courtesy; understanding of the story is still due once told.
            return
        if step == "listen":
            # They were just invited to tell it: they are heard once they have, not before.
            self.invited = True
            self.upset_turns = 0
        if step == "empathize":
            self.heard = True
            self.upset_turns = 0
        if step == "empathize":
            if self.counts["empathize"] == 1 and self.furthest == ORDER.index("assess") and self.asked_unheard:
                # Questions asked while the story was still coming were part of hearing it; the
                # questions that find the cause start once the customer has been understood.
                self.furthest = -1
            self.needs_empathy = False
        index = ORDER.index(step)
        if step == "assess" and self.needs_empathy and not self.done("empathize"):
            self.asked_unheard = True
        if index >= ORDER.index("assess"):
            self.later_since_need = True
        if step == "resolve":
            self.fix_since_need = True
        if step == "thank" and self.furthest < ORDER.index("resolve"):
            return  # a thank-you mid-call ("thanks for telling me") does not close it
        if index >= ORDER.index("assess"):
            if step == "resolve":
                self.rework_fix = False
            self.furthest = max(self.furthest, index) if step != "resolve" else index

    def agent_said(self, text: str, stung: bool = False) -> None:
        """``stung``: the turn raised a word pitfall, so an upset answer is the customer reacting to it."""
        # A question is heard in its mark or in the steps it ticked (recognised text has no marks).
        self.asked = "?" in text or bool(self._turn_steps & {"listen", "assess", "affirm"})
        self.stung = stung
        self._agent_words = content_words(text)
        self._agent_offered = bool(self._turn_steps & {"resolve", "agree"})
        self._turn_steps = set()
        self.agent_turns += 1
        self.agent_since_customer += 1
        self.agent_since_need += 1

    def _threw_back(self, text: str) -> bool:
        """Whether the customer throws the agent's last words back as a question, or says they lost them."""
        if _LOST.search(text):
            return True
        sentences = split_sentences(text)
        if not sentences or not sentences[0].question:
            return False
        first = sentences[0].words
        echoed = content_words(" ".join(first))
        return 0 < len(first) <= ECHO_MAX_WORDS and bool(echoed) and echoed <= self._agent_words

    def customer_said(
        self, text: str, score: float, line: float | None, escalated: bool, words: float | None = None
    ) -> None:
        """``score`` is the line's mood; ``words`` what its emotion words alone say (VADER), if known.

        A flare-up is heard in emotion words: a calm answer of bad facts ("I emailed twice.
        Nobody answered.") reads upset, but does not send the agent back to empathy.
        """
        heat = score if words is None else words
        upset = score <= UPSET
        if upset and not self.ever_upset and self.customer_words >= TOLD_STORY_WORDS:
            self.heard = True  # a calm caller who turns sour has already told their story
        first = bool(text) and self.customer_turns == 0
        self.customer_turns += 1 if text else 0
        if self.invited and text:
            self.heard, self.invited = True, False
        self.customer_words += len(text.split())
        words = content_words(text)
        repeated = bool(_REPEAT_MARKERS.search(text)) or (
            upset
            and len(words) >= 3
            and any(len(words & old) / max(1, len(words | old)) >= REPEAT_OVERLAP for old in self._complaints)
        )
        if upset and words:
            self._complaints.append(words)
        after_fix = self.furthest >= ORDER.index("resolve")
        # "No, Thursday's no good, that's three more days with no heating": a fix turned down,
        # however hotly, asks for another fix first; the heat is about the offer, not a new grievance.
        turned_down = (
            after_fix
            and not repeated
            and not self.stung
            and any(
                _REFUSAL.search(sentence) or (score < ACCEPTING and _REJECTION.search(sentence))
                for sentence in (" ".join(s.words) for s in split_sentences(text))  # "Stickers? No."
            )
        )
        # "Wear and tear?", "Not your problem?", "Final?": the agent's own words thrown back, or "you've
        # lost me": the last turn stung like a pitfall, whatever the alerts caught (not after an
        # offer: "Thursday? No." weighs the offer).
        threw_back = score < ACCEPTING and not self._agent_offered and self._threw_back(text)
        was_needed = self.needs_empathy
        if first and not upset and not self.ever_upset and not _REQUEST.search(text) and not self.done("empathize"):
            self.problem_call = True
            self.needs_empathy = True
            self.why = None
        if upset and not self.ever_upset:
            self.ever_upset = True
            self.needs_empathy = not self.done("empathize") or after_fix
            self.why = "the customer is upset"
        elif self.ever_upset and self.done("empathize") and not self.needs_empathy:
            # An answer to the agent's question reads as upset as the facts it gives ("No, nobody
            # called.", "OL 114. So somebody's picked up the wrong roll."): only a sharp drop in
            # emotion words makes it a flare-up, and a deeper one than elsewhere.
            bar = ANSWER_REESCALATION if self.asked else REESCALATION
            sharp = (heat <= bar and line is not None and line - heat >= REESCALATION_DROP) or (
                escalated and heat <= UPSET and not self.asked
            )
            # After a turn that stung, a reply that is not warm reacts to it (unless it answers a question).
            reacts = self.stung and (upset or (score < ACCEPTING and not self.asked))
            if (sharp and not turned_down) or repeated or reacts or threw_back:
                self.needs_empathy = True
                self.why = "they are upset again" if sharp or not repeated else "they are repeating the complaint"
                if after_fix:
                    self.rework_fix = True
                    self.furthest = ORDER.index("affirm")
        if self.needs_empathy and not was_needed:
            self.calm_since_need = self.agent_since_need = 0
            self.later_since_need = self.fix_since_need = False
        elif self.needs_empathy and text:
            calm = not upset or (self.asked and heat > REESCALATION)  # bad facts asked for, calmly given
            self.calm_since_need = self.calm_since_need + 1 if calm else 0
            # The customer has settled while the agent worked on: the moment for empathy has passed
            # (or the agent's empathy was lost to the recogniser). Going on is better than nagging.
            # A fix offered since, taken gladly ("Okay, today's fine"), settles it at once.
            took_fix = self.fix_since_need and score > ACCEPTING
            moved_on = self.later_since_need and (self.calm_since_need >= SETTLED_TURNS or took_fix)
            if (moved_on or self.calm_since_need > SETTLED_TURNS) and self.agent_since_need >= 1 and self.heard:
                self.needs_empathy = False
                self.upset_turns = 0
        if upset:
            self.upset_turns += 1
        if (self.ever_upset or self.problem_call) and text:
            self.turns_since_upset += 1
        if self.upset_turns >= HEARD_VENTS or self.turns_since_upset >= HEARD_VENTS:
            self.heard = True  # they have told the story twice now
        if (
            not self.needs_empathy
            and self.furthest < ORDER.index("affirm")
            and self.agent_since_customer
            and len(text.split()) <= CONFIRM_MAX_WORDS
            and _CONFIRMS.search(text)
            and _CONFIRM_WORDS.search(text)
        ):
            self.furthest = ORDER.index("affirm")  # they confirmed a summary: time for the fix
        self.agent_since_customer = 0
        if (
            not self.needs_empathy
            and self.furthest in (ORDER.index("resolve"), ORDER.index("agree"))
            and turned_down  # ("No problem with a new card" reads content: it accepts)
        ):
            self.rework_fix = True
            self.furthest = ORDER.index("affirm")

    def next_step(self) -> tuple[str, str]:
        if self.needs_empathy:
            if not self.heard:
                return "listen", _REASONS["listen"]
            why = f"{self.why}: " if self.why else ""
            return "empathize", why + _REASONS["empathize"]
        if self.rework_fix:
            return "resolve", "the fix did not suit them: look for an alternative together"
        if self.furthest < 0:
            if self.customer_turns == 0 and not self.done("listen"):
                return "listen", "let the customer tell you why they called"
            return "assess", _REASONS["assess"]
        if self.furthest == ORDER.index("assess") and not self.asked_problem:
            return "assess", "their records are found: now ask what went wrong"
        following = ORDER[min(self.furthest + 1, len(ORDER) - 1)]
        if self.furthest == len(ORDER) - 1:
            return "thank", "the call is closing: end warmly"
        return following, _REASONS[following]
