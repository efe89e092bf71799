"""The coach's contract with the pipeline, and its reading of calls fed event by event."""

from __future__ import annotations

from collections.abc import Sequence

from companion.analysis.agent_acts import AgentActs
from companion.analysis.coach import Coach
from companion.analysis.next_step import CallProgress, asks_only_for_records
from companion.analysis.owning_up import owns_up, takes_back
from companion.analysis.phrases import content_words
from companion.analysis.playbook import Playbook
from companion.analysis.reader.acts import load_reader
from companion.events import Alert, Event, Mood, NextStep, Partial, SentimentPoint, StepDone, Utterance
from tests.analysis.conftest import script


def run(coach: Coach, utterances: Sequence[Utterance]) -> list[Event]:
    out: list[Event] = []
    for u in utterances:
        out.append(u)
        out.extend(coach.feed(u))
    return out


def of(kind: type, events: Sequence[Event]) -> list:
    return [e for e in events if isinstance(e, kind)]


def test_every_final_utterance_gets_sentiment_and_a_next_step(playbook: Playbook) -> None:
    utterances = script(
        [
            ("A", "Thanks for calling Acme, this is Jo. How can I help?"),
            ("C", "My order never arrived and nobody called me back. I am furious."),
            ("A", "I hear you, please go on."),
        ]
    )
    coach = Coach(playbook)
    for u in utterances:
        derived = coach.feed(u)
        points = of(SentimentPoint, derived)
        assert [p.utterance for p in points] == [u.id]
        assert points[0].speaker == u.speaker
        assert isinstance(derived[-1], NextStep) and derived[-1].utterance == u.id


def test_partials_give_one_live_reading_and_nothing_else(playbook: Playbook) -> None:
    coach = Coach(playbook)
    coach.feed(Utterance(0, "agent", 0.0, 3.0, "Hello, how can I help?"))
    for i in range(5):
        derived = coach.feed(Partial(4.0 + i * 0.5, "customer", 1, 3.5, "Please calm down is what they told me"))
        assert len(derived) == 1
        (point,) = derived
        assert isinstance(point, SentimentPoint) and point.utterance is None
    assert not of(Alert, coach.feed(Partial(7.0, "agent", 2, 6.5, "Calm down, it's our policy")))


def test_step_ticks_quote_their_evidence(playbook: Playbook) -> None:
    coach = Coach(playbook)
    events = run(
        coach,
        script(
            [
                ("A", "Hello, Riverside Clinic."),
                ("C", "My appointment was cancelled and nobody told me. I'm really upset."),
                ("A", "Oh, I'm so sorry. I can imagine how worrying that must be for you."),
            ]
        ),
    )
    (tick,) = of(StepDone, events)
    assert tick.step == "empathize" and tick.utterance == 2
    assert "imagine how worrying" in tick.evidence or "so sorry" in tick.evidence


def test_escalation_and_calming_are_mood_events(playbook: Playbook) -> None:
    events = run(
        Coach(playbook),
        script(
            [
                ("C", "This is ridiculous, I am really angry, I have called three times already."),
                ("A", "I understand how frustrating that is."),
                ("C", "Okay. Thank you, that is really helpful, I appreciate it."),
                ("C", "Great, that works perfectly for me, thanks so much."),
            ],
            turn_s=15.0,
        ),
    )
    assert [m.kind for m in of(Mood, events)] == ["escalated", "calmed"]


def test_trigger_words_and_agent_negativity_alert_once_per_utterance(playbook: Playbook) -> None:
    events = run(
        Coach(playbook),
        script(
            [
                ("C", "You charged me twice and I want it fixed now."),
                ("A", "Please calm down. It's our policy, you have to wait five days."),
                ("C", "That's not good enough."),
                ("A", "Well, what do you want me to do? I already told you."),
            ]
        ),
    )
    alerts = of(Alert, events)
    assert [(a.kind, a.utterance) for a in alerts] == [("trigger-words", 1), ("agent-negativity", 3)]
    assert "calm down" in alerts[0].text.lower()


def test_repeated_sorry_without_empathy_is_a_trigger(playbook: Playbook) -> None:
    events = run(
        Coach(playbook),
        script(
            [
                ("C", "The app keeps crashing and I lost my work."),
                ("A", "Sorry about that."),
                ("C", "It happened three times today."),
                ("A", "Sorry, sorry. Let me look."),
            ]
        ),
    )
    assert [(a.kind, a.utterance) for a in of(Alert, events)] == [("trigger-words", 3)]


def test_a_fix_before_empathy_is_an_early_solution(playbook: Playbook) -> None:
    events = run(
        Coach(playbook),
        script(
            [
                ("C", "My internet has been down for two days and I work from home. This is a disaster."),
                ("A", "Have you tried restarting your router?"),
            ]
        ),
    )
    (alert,) = of(Alert, events)
    assert alert.kind == "early-solution" and alert.utterance == 1
    assert not of(StepDone, events)  # the question offers a fix; it is not an assessment
    assert of(NextStep, events)[-1].step in ("listen", "empathize")


def test_calm_customers_need_no_empathy_before_a_fix(playbook: Playbook) -> None:
    events = run(
        Coach(playbook),
        script(
            [
                ("C", "Hi, I'd like to change my delivery address please."),
                ("A", "Sure. I've updated the address on your order."),
            ]
        ),
    )
    assert not of(Alert, events)
    assert [t.step for t in of(StepDone, events)] == ["resolve"]
    assert of(NextStep, events)[-1].step == "agree"


class ShoutOn:
    """Voice cues that hear the customer raise their voice on one utterance."""

    def __init__(self, utterance: int) -> None:
        self.utterance = utterance
        self.fed: list[Event] = []

    def feed(self, event: Event) -> list[Event]:
        self.fed.append(event)
        if isinstance(event, Utterance) and event.id == self.utterance:
            return [Alert(event.end, "raised-voice", "voice raised", event.id, 9.0, "customer")]
        return []


def test_a_shouted_fine_is_not_fine(playbook: Playbook) -> None:
    lines = [("A", "Is there anything else?"), ("C", "Fine.")]
    calm = of(SentimentPoint, run(Coach(playbook), script(lines)))
    cues = ShoutOn(1)
    events = run(Coach(playbook, cues), script(lines))
    shouted = of(SentimentPoint, events)
    assert calm[-1].score > 0
    assert shouted[-1].score < 0
    assert of(Alert, events)[0].kind == "raised-voice"  # the cue's own alert is passed on
    assert [e for e in cues.fed if isinstance(e, Utterance)] == script(lines)


def test_a_raised_voice_heard_before_the_text_still_counts(playbook: Playbook) -> None:
    class Early:
        def feed(self, event: Event) -> list[Event]:
            if isinstance(event, Partial):
                return [Alert(event.t, "raised-voice", "voice raised", None, 9.0, "customer")]
            return []

    coach = Coach(playbook, Early())
    coach.feed(Partial(2.0, "customer", 0, 1.0, "fine"))
    point = of(SentimentPoint, coach.feed(Utterance(0, "customer", 1.0, 2.5, "Fine.")))[0]
    assert point.score < 0


def test_a_broken_cue_object_does_not_stop_the_coaching(playbook: Playbook) -> None:
    class Broken:
        def feed(self, event: Event) -> list[Event]:
            raise RuntimeError("boom")

    derived = Coach(playbook, Broken()).feed(Utterance(0, "customer", 0.0, 2.0, "Hello"))
    assert isinstance(derived[-1], NextStep)


def test_a_confirmed_summary_moves_on_even_if_the_summary_was_misheard(playbook: Playbook) -> None:
    events = run(
        Coach(playbook),
        script(
            [
                ("C", "Hi, I'd like to move my account to my new address."),
                ("A", "What is the new address?"),
                ("C", "Twelve Orchard Lane."),
                ("A", "Moving to twelve or today on the fifteenth in that ride."),  # a garbled summary
                ("C", "Yes, that's right."),
            ]
        ),
    )
    assert [t.step for t in of(StepDone, events)] == ["assess"]
    assert of(NextStep, events)[-1].step == "resolve"


def test_a_calm_caller_with_a_problem_is_heard_first_but_a_request_is_asked_about(playbook: Playbook) -> None:
    problem = run(Coach(playbook), script([("C", "Hi there, I think the router you sent me is the old model.")]))
    request = run(Coach(playbook), script([("C", "Hi, I'd like to book a boiler service for next month please.")]))
    assert of(NextStep, problem)[-1].step == "listen"
    assert of(NextStep, request)[-1].step == "assess"
    fixed = run(
        Coach(playbook),
        script(
            [
                ("C", "Hi there, I think the router you sent me is the old model."),
                ("A", "I can send you the new model today, it will arrive tomorrow."),
            ]
        ),
    )
    assert not of(Alert, fixed)  # the caller is calm: a quick fix is no early solution


def test_an_answer_full_of_bad_facts_is_not_a_flare_up() -> None:
    def after(agent_line: str, asks: bool) -> str:
        progress = CallProgress()
        progress.customer_said("My mirror arrived cracked and I am so upset about it.", -0.9, None, escalated=True)
        progress.step_done("empathize")
        progress.agent_said("I'm so sorry, that is awful to find after a move.")
        progress.customer_said("Thank you, that's all I wanted to hear.", 0.8, -0.9, escalated=False)
        if asks:
            progress.step_done("assess")
        progress.agent_said(agent_line)
        # Mood fell from the warm thanks; the emotion words are mildly negative ("cracked", "scratched").
        progress.customer_said("I wrote mirror cracked and dresser scratched on the sheet.", -0.6, 0.3, True, -0.3)
        return progress.next_step()[0]

    assert after("Did the crew leader sign anything when they finished?", asks=True) == "affirm"
    assert after("did the crew leader sign anything", asks=True) == "affirm"  # recognised text: no mark
    assert after("The crew leader signed the sheet to say the job was finished.", asks=False) == "empathize"


def test_a_fix_turned_down_after_a_question_asks_for_another(playbook: Playbook) -> None:
    events = run(
        Coach(playbook),
        script(
            [
                ("C", "The business cards you printed have the wrong phone number on them. I'm really annoyed."),
                ("A", "I'm so sorry, that's really frustrating before a trade show."),
                ("A", "So five hundred cards, the phone number printed wrong, and the show is on Thursday?"),
                ("C", "Yes, that's right."),
                ("A", "I can reprint the whole order for free, ready by the middle of next week."),
                ("C", "Next week? The show is Thursday. No, that's no good to me."),
            ]
        ),
    )
    assert of(NextStep, events)[-1].step == "resolve"


def test_initialisms_the_caller_never_used_are_jargon(playbook: Playbook) -> None:
    def alerts(customer: str) -> list[str]:
        lines = [("C", customer), ("A", "Right, so the CRN on the HMRC side doesn't match the UTR we hold.")]
        return [a.kind for a in of(Alert, run(Coach(playbook), script(lines)))]

    assert alerts("My tax account says I owe money and I don't understand why.") == ["trigger-words"]
    # Their own terms read back to them are no jargon.
    assert alerts("My CRN and my UTR are both on the HMRC letter, so why does it say I owe money?") == []


def _heard_and_helped() -> CallProgress:
    """An upset caller who was heard, met with empathy, asked about and summed up."""
    progress = CallProgress()
    progress.customer_said("My claim has not moved in six weeks and I am furious about it.", -0.8, None, True)
    for step in ("empathize", "assess", "affirm"):
        progress.step_done(step)
        progress.agent_said("...")
        progress.customer_said("Yes, that's right.", 0.4, -0.2, escalated=False)
    return progress


def test_an_upset_answer_to_a_pitfall_asks_for_empathy_again() -> None:
    stung, plain = _heard_and_helped(), _heard_and_helped()
    stung.agent_said("As per the terms you agreed to, we need a plumber's report first.", stung=True)
    plain.agent_said("We need a plumber's report before the adjuster can come out.")
    for progress in (stung, plain):
        progress.customer_said("Nobody told me that. Nobody asked me for a report.", -0.3, 0.2, False, -0.3)
    assert stung.next_step()[0] == "empathize"
    assert plain.next_step()[0] == "resolve"


def test_a_fix_after_a_flare_up_waits_for_empathy_but_is_no_early_solution() -> None:
    progress = _heard_and_helped()
    progress.customer_said("This is a joke. Another week? I have had enough of this.", -0.9, 0.3, True, -0.8)
    assert progress.next_step()[0] == "empathize"
    assert not progress.solution_too_early()
    assert CallProgress().solution_too_early() is False
    fresh = CallProgress()
    fresh.customer_said("My claim has not moved in six weeks and I am furious about it.", -0.8, None, True)
    assert fresh.solution_too_early()


def test_a_fix_turned_down_hotly_asks_for_another_fix_first() -> None:
    def after(reply: str, score: float, words: float) -> str:
        progress = _heard_and_helped()
        progress.step_done("resolve")
        progress.agent_said("The first engineer slot I have is Thursday morning.")
        progress.customer_said(reply, score, 0.3, True, words)
        return progress.next_step()[0]

    assert after("No, Thursday's no good, that's three more days with a baby and no heating!", -0.7, -0.7) == "resolve"
    # Words that can only refuse count even when the line reads mildly warm ("fix" is a warm word to VADER).
    assert after("That doesn't fix it. The letter has already gone to an agency.", 0.15, 0.3) == "resolve"
    # A bare "I don't want" that accepts is no refusal.
    assert after("Yes, that's perfect. I don't want to lose my progress.", 0.6, 0.6) == "agree"
    # A flare-up that is no refusal still asks for empathy.
    assert after("This is a joke. I have had enough of this company.", -0.9, -0.8) == "empathize"


def test_sympathy_while_inviting_the_story_leaves_the_empathy_for_the_story_due(playbook: Playbook) -> None:
    events = run(
        Coach(playbook),
        script(
            [
                ("C", "Hi. I've just had a text saying my scan tomorrow is cancelled. I'm so upset."),
                ("A", "Oh, I'm so sorry to hear that. Please, take your time and tell me what happened."),
                ("C", "It just said cancelled, call to rebook. I rang twice and got a recording. I'm furious."),
            ]
        ),
    )
    assert {t.step for t in of(StepDone, events)} >= {"listen", "empathize"}
    assert of(NextStep, events)[-1].step == "empathize"


def test_questions_asked_before_empathy_was_given_are_asked_again_after_it() -> None:
    progress = CallProgress()
    progress.customer_said("Our bank feed stopped on Thursday and payroll is tomorrow. Awful.", -0.6, None, True)
    progress.step_done("assess")  # "What have you seen so far?": still hearing the story
    progress.agent_said("What have you seen so far?")
    progress.customer_said("It says feed paused and nobody answers my ticket.", -0.5, -0.6, False)
    progress.step_done("empathize")
    progress.agent_said("Payroll tomorrow and nobody answering: that's a stressful spot.")
    assert progress.next_step()[0] == "assess"


def test_a_question_after_the_offer_asks_about_the_offer(playbook: Playbook) -> None:
    acts = AgentActs(playbook, load_reader(playbook))
    offer = acts.read(
        "What I can do is send a new cushion this week, or collect the sofa for a full refund. Which would you like?",
        "The seam on the back cushion split after two weeks.",
    )
    assert set(offer.steps) == {"resolve"}
    question = acts.read("Which colour is the sofa, and when did you first notice the split?", "The seam split.")
    assert "assess" in question.steps


def test_a_sentence_too_short_to_read_raises_no_reader_pitfall(playbook: Playbook) -> None:
    acts = AgentActs(playbook, load_reader(playbook))
    for short in ("Of course you can't.", "It will.", "You won't."):
        assert not acts.read(short, "I can't get through to anyone at all, it's ridiculous.").pitfalls, short


def test_a_fix_taken_gladly_after_a_flare_up_settles_the_need_for_empathy() -> None:
    def after(reply: str, score: float) -> str:
        progress = _heard_and_helped()
        progress.customer_said("This is a joke, three more days with a baby and no heating!", -0.9, 0.3, True, -0.8)
        progress.step_done("resolve")
        progress.agent_said("Here's what I'll do: an engineer on the emergency list today, by six tonight.")
        progress.customer_said(reply, score, -0.5, False, score)
        return progress.next_step()[0]

    assert after("Okay, yeah, today's fine, the heaters would help.", 0.5) == "agree"
    assert after("Tonight? I suppose.", -0.1) == "empathize"


def test_after_a_flare_up_the_reader_reads_without_the_phase_table(playbook: Playbook) -> None:
    # The phase table (how often each step comes after the furthest step reached) would read the
    # apology that answers a flare-up as unlikely this late; once the call is back at empathy it is not used.
    coach = Coach(playbook)
    lines = [
        ("C", "You shrank my late husband's wool coat at your dry cleaners and I am absolutely devastated."),
        ("A", "Oh no, I'm so sorry, that must be awful to see."),
        ("A", "When did you bring it in, and was it the ticket with the blue tag?"),
        ("C", "Last Tuesday, blue tag, number four one two."),
    ]
    run(coach, script(lines))
    assert coach._phase() == "assess"
    run(coach, script([*lines, ("C", "Are you saying this is my fault? This is outrageous, I am furious!")])[-1:])
    assert coach.progress.next_step()[0] == "empathize"
    assert coach._phase() is None


def test_the_agents_words_thrown_back_ask_for_empathy_again() -> None:
    def after(agent: str, reply: str, score: float, offered: bool = False) -> str:
        progress = _heard_and_helped()
        if offered:
            progress.step_done("resolve")
        progress.agent_said(agent)
        progress.customer_said(reply, score, 0.3, False, score)
        return progress.next_step()[0]

    brush_off = "Well, with an older unit that is just wear and tear, I'm afraid."
    # No pitfall alert was raised, and the reply reads barely negative: the echo is the sign.
    assert after(brush_off, "Wear and tear? It was brand new in March.", -0.1) == "empathize"
    assert after("The batch went to the QA hold queue pending RMA.", "Sorry, you've lost me.", 0.0) == "empathize"
    # An echo of an offer weighs the offer: a turn-down, not a flare-up.
    assert after("I can book a technician for Thursday.", "Thursday? No, that's too late.", -0.3, True) == "resolve"
    # An echo that accepts is no flare-up.
    assert after(brush_off, "Wear and tear? Oh, fair enough then, thanks.", 0.5) == "resolve"


def test_an_announced_read_back_is_a_summary(playbook: Playbook) -> None:
    acts = AgentActs(playbook, load_reader(playbook))
    for announced in (
        "Let me read that back. Boiler serviced on Monday, pressure dropped by Wednesday, no hot water since. Right?",
        "Here's what I've got: two missed visits and a voicemail nobody returned. Is that fair?",
    ):
        assert "affirm" in acts.read(announced, "And then nobody called me back.").steps, announced


def test_a_vetoed_cue_does_not_hide_a_cue_in_the_next_sentence(playbook: Playbook) -> None:
    events = run(
        Coach(playbook),
        script(
            [
                ("C", "You charged me twice and I want it fixed now."),
                ("A", "Okay, what do you want me to do first? I already told you."),
            ]
        ),
    )
    assert [a.kind for a in of(Alert, events)] == ["agent-negativity"]


def test_an_acknowledgement_without_a_but_is_no_reader_pitfall(playbook: Playbook) -> None:
    def alerts(agent: str) -> list[str]:
        events = run(
            Coach(playbook),
            script(
                [("C", "The sofa arrived torn and nobody has called me back in a week. I'm furious."), ("A", agent)]
            ),
        )
        return [a.kind for a in of(Alert, events) if a.kind in ("trigger-words", "agent-negativity")]

    # "right" bent by the recogniser on a phone line: still an acknowledgement.
    assert alerts("I understand and I want to make this ride for you.") == []
    assert alerts("I understand, but that's the policy and you'll have to wait like everyone else.") != []


def test_making_the_loss_small_is_agent_negativity_and_a_read_back_is_not(playbook: Playbook) -> None:
    def alerts(customer: str, agent: str) -> list[str]:
        events = run(Coach(playbook), script([("C", customer), ("A", agent)]))
        return [a.kind for a in of(Alert, events) if a.kind in ("trigger-words", "agent-negativity")]

    loss = "You've kept three hundred of my deposit for a stain I never made. That's my rent money."
    assert alerts(loss, "Well, it's only the one stain charge, the rest came back to you.") == ["agent-negativity"]
    # The customer's own narrowing of the fault, read back to check it, makes nothing small.
    fault = "The oven's top half won't heat at all, the grill underneath is fine though."
    assert alerts(fault, "Let me check I've got it: it's only the top oven, and the grill still works?") == []


def test_the_customers_facts_read_back_and_checked_are_a_summary_not_a_fix(playbook: Playbook) -> None:
    acts = AgentActs(playbook, load_reader(playbook))
    story = (
        "i hired the van from the depot at nine on saturday and the fuel light came on at the motorway it cut out "
        "on the hard shoulder and i waited four hours for recovery with two kids in the back and now you've "
        "charged me two hundred for the recovery the booking is v four four one"
    )
    heard = content_words(story)
    readback = (
        "Booking V441, collected nine on Saturday, fuel light, cut out, four hours on the hard shoulder, "
        "two hundred for recovery. Correct?"
    )
    # Late in the call (facts asked for) the reader alone takes this string of times and sums for a fix.
    assert set(acts.read(readback, "the booking is v four four one", phase="affirm", heard=heard).steps) == {"affirm"}
    # A plan with the same times promises something: it stays what it is.
    plan = "I'll refund the two hundred for recovery today and send the booking V441 receipt by text. Okay?"
    assert "affirm" not in acts.read(plan, "the booking is v four four one", phase="affirm", heard=heard).steps


def test_a_lookup_is_no_question_about_the_problem() -> None:
    def after(question: str) -> str:
        progress = CallProgress()
        progress.customer_said("Hi, I'd like to move my chimney sweep to next week.", 0.3, None, False)
        progress.step_done("assess", lookup=asks_only_for_records(question))
        progress.agent_said(question)
        progress.customer_said("LD3 7PT, name's Hughes.", 0.0, 0.3, False)
        return progress.next_step()[0]

    assert asks_only_for_records("Of course. What's the postcode on the booking?")
    assert asks_only_for_records("What name is the job under, and do you have the ticket number handy?")
    assert not asks_only_for_records("Can I take your order number, and what time did you collect it?")
    assert not asks_only_for_records("Which wine was corked, and have you still got the bottle?")
    assert after("Of course. What's the postcode on the booking?") == "assess"  # the records found, not the cause
    assert after("Which day was the sweep booked for, and what went wrong with it?") == "affirm"


def test_a_status_question_is_a_request_not_a_complaint(playbook: Playbook) -> None:
    lines = [("C", "Morning! I left a clock with you in March and I just wondered how it's getting on.")]
    assert of(NextStep, run(Coach(playbook), script(lines)))[-1].step == "assess"


def test_a_fix_turned_down_in_other_words_asks_for_another() -> None:
    def after(reply: str, score: float) -> str:
        progress = _heard_and_helped()
        progress.step_done("resolve")
        progress.agent_said("The quickest thing is a swap: I can courier a different violin tomorrow.")
        progress.customer_said(reply, score, 0.3, False, score)
        return progress.next_step()[0]

    assert after("She really doesn't want a different one. Can't it just be fixed?", -0.2) == "resolve"
    assert after("i dont want to wait another week with no heat though", -0.3) == "resolve"
    assert after("Friday's cutting it a bit fine. My agronomist needs them before the weekend.", 0.0) == "resolve"
    assert after("Oh, that's much better. Tomorrow is fine.", 0.6) == "agree"


def test_a_cool_answer_to_a_stung_turn_asks_for_empathy_again() -> None:
    progress = _heard_and_helped()
    progress.agent_said("The drum is a consumable, so under our hire agreement wear is chargeable.", stung=True)
    progress.customer_said("I used the sheets you sold me. How is that beyond fair use?", 0.05, 0.2, False, 0.05)
    assert progress.next_step()[0] == "empathize"


def test_not_our_fault_is_no_owning_up(playbook: Playbook) -> None:
    assert owns_up("You're absolutely right, that rule wasn't written with you in mind.")
    assert owns_up("Nothing, you're right, and that's our error, not yours.")
    assert not owns_up("Sir, the wind is not something we control, is not our fault.")
    assert not owns_up("I'm sorry, but if you'd read the terms you'd know.")
    assert takes_back("I'm sorry, that was a thoughtless thing to say.")
    assert takes_back("No, not at all, and I shouldn't have shrugged it off like that.")
    assert owns_up("It is not your fault the boats cannot go out.")  # clearing them of it
    complaint = ("C", "We lost the whole dive trip and nobody told us the boat was cancelled until we arrived.")
    brush_off = ("A", "Sir, the wind is not something we control, is not our fault. Everybody this week has the same.")
    alerts = [a.kind for a in of(Alert, run(Coach(playbook), script([complaint, brush_off])))]
    assert set(alerts) & {"trigger-words", "agent-negativity"}, "a brush-off is raised, not taken for owning up"


def test_an_answer_with_a_sour_word_is_no_flare_up_but_a_cold_reply_to_a_jab_is() -> None:
    def after(question: str | None, heat: float, stung: bool = False) -> str:
        progress = _heard_and_helped()
        if question is not None:
            progress.step_done("assess")
        progress.agent_said(question or "The label under the seat was stapled on by the workshop.", stung=stung)
        progress.customer_said("OL 114. So somebody's picked up the wrong roll.", heat, 0.4, False, heat)
        return progress.next_step()[0]

    assert after("And what does the label under the seat say?", -0.5) == "resolve"  # the facts asked for
    assert after(None, -0.5) == "empathize"  # the same words unasked are a flare-up
    assert after("Can I take her name and the course code?", 0.05, stung=True) == "resolve"  # an answer, not a reaction


def test_a_cue_in_a_sentence_that_takes_the_words_back_raises_nothing(playbook: Playbook) -> None:
    complaint = ("C", "I've got a flat on the front left, I can't get to work, and he's still not here.")

    def alerts(agent: str) -> list[str]:
        return [a.kind for a in of(Alert, run(Coach(playbook), script([complaint, ("A", agent)])))]

    assert alerts("Fair enough, that's not my department and I shouldn't have passed the buck. I'll own it.") == []
    assert set(alerts("Sorry, that's not my department, you'll have to ring the depot.")) & {
        "trigger-words",
        "agent-negativity",
    }
