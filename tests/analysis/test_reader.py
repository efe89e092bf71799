"""The learned sentence reader: on sentences it never saw, in the analysis JSON, taught by a team, late ticks."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from companion.analysis.agent_acts import AgentActs
from companion.analysis.coach import Coach
from companion.analysis.phrases import content_words
from companion.analysis.playbook import Playbook, load_playbook
from companion.analysis.reader.acts import ActReader, load_reader, reader_dir
from companion.analysis.reader.classifier import LABELS, HiddenLayerClassifier, SoftmaxClassifier
from companion.analysis.reader.corpus import read_corpus
from companion.analysis.reader.encoder import ENCODER_VERSION, ModelFiles, SentenceEncoder, installed_files
from companion.analysis.reader.features import WIDTH
from companion.analysis.reader.neighbours import PitfallNeighbours
from companion.errors import ReaderError
from companion.events import Acts, Alert, EngineError, Revision, StepDone, Utterance
from tests.analysis.conftest import script

HELD_OUT = Path(__file__).resolve().parent.parent / "fixtures" / "reader" / "heldout.tsv"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def reader(playbook: Playbook) -> ActReader:
    return load_reader(playbook)


def _held_out() -> list[list[str]]:
    with open(HELD_OUT, encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))[1:]


def test_held_out_sentences_are_not_in_the_training_corpus() -> None:
    trained = {s.sentence.lower() for s in read_corpus(reader_dir() / "corpus")}
    assert not [row[1] for row in _held_out() if row[1].lower() in trained]


def test_reader_reads_sentences_it_was_not_trained_on(playbook: Playbook, reader: ActReader) -> None:
    acts = AgentActs(playbook, reader)
    rows = _held_out()
    right = []
    for label, sentence, context in rows:
        read = acts.read(sentence, context, fix_offered=True)
        found = {a.id for a in read.acts} or {"none"}
        right.append(label in found)
    assert sum(right) / len(rows) >= 0.8, [r[1] for r, ok in zip(rows, right, strict=True) if not ok]


def test_acts_carry_quote_and_score_whether_or_not_a_step_ticks(playbook: Playbook) -> None:
    coach = Coach(playbook)
    events: list = []
    for u in script(
        [
            ("A", "Good morning, Harbourside Water, Dev speaking."),
            ("C", "There's been brown water out of the taps since Monday and nobody has told us why."),
            ("A", "Four days of brown water with no word from us, no wonder you're worried."),
            ("A", "That's a rough few days, honestly."),
        ]
    ):
        events.append(u)
        events += coach.feed(u)
    acts = [e for e in events if isinstance(e, Acts)]
    assert [a.utterance for a in acts] == [0, 2, 3]
    assert acts[0].acts == ()  # the greeting does nothing
    empathy = [a for a in acts[1].acts if a.id == "empathize"]
    assert empathy and 0.0 < empathy[0].score <= 1.0 and "worried" in empathy[0].quote
    # The second empathy statement is an act even though the step had already ticked.
    assert any(a.id == "empathize" for a in acts[2].acts)


def test_analysis_json_has_acts_on_every_utterance(tmp_path: Path) -> None:
    transcript = tmp_path / "call.txt"
    transcript.write_text(
        "Agent: Thanks for calling Northgate Rail, Sam speaking.\n"
        "Customer: My train was cancelled and I missed my daughter's recital.\n"
        "Agent: Oh, that's awful, missing her recital after planning for it.\n"
        "Customer: Yes. I want a refund.\n"
        "Agent: I'll refund the full fare today, and add a travel voucher.\n",
        encoding="utf-8",
    )
    out = tmp_path / "call.json"
    result = subprocess.run(
        [sys.executable, "-m", "companion", "analyze", str(transcript), "--json", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    assert all("acts" in u for u in report["utterances"])
    agent = [u for u in report["utterances"] if u["speaker"] == "agent"]
    assert {a["id"] for a in agent[1]["acts"]} >= {"empathize"}
    assert {a["id"] for a in agent[2]["acts"]} >= {"resolve"}
    for act in agent[1]["acts"] + agent[2]["acts"]:
        assert act["quote"] and 0.0 < act["score"] <= 1.0


def test_a_teams_example_phrasing_changes_a_decision(tmp_path: Path) -> None:
    team = tmp_path / "team.yaml"
    team.write_text(
        "version: 1\nextends: default\nsteps:\n"
        "  - id: empathize\n    examples:\n"
        '      - "Aroha mai for the hassle, e hoa."\n'
        '      - "Aroha mai, that is a lot to carry."\n'
        '      - "Aroha mai, e hoa, what a mess for you."\n',
        encoding="utf-8",
    )
    sentence, context = "Aroha mai for the wait, e hoa.", "The bill is wrong again."
    default = load_playbook()
    before = AgentActs(default, load_reader(default, cache_dir=tmp_path / "cache")).read(sentence, context)
    assert "empathize" not in before.steps
    theirs = load_playbook(team)
    after = AgentActs(theirs, load_reader(theirs, cache_dir=tmp_path / "cache")).read(sentence, context)
    assert "empathize" in after.steps
    # Kept for the next start, under the encoder's name: weights fitted to another encoder's vectors never load.
    assert list((tmp_path / "cache").glob(f"reader-{ENCODER_VERSION}-*.npz"))


def test_settled_text_ticks_a_step_the_first_text_missed_and_unticks_nothing(playbook: Playbook) -> None:
    coach = Coach(playbook)
    lines = script(
        [
            ("C", "I've been cut off three times today and I work from home, it's costing me money."),
            ("A", "yeah okay uh"),  # the first text, heard badly
        ]
    )
    events: list = []
    for u in lines:
        events += [u, *coach.feed(u)]
    first = {e.step for e in events if isinstance(e, StepDone)}
    assert "empathize" not in first
    settled = coach.feed(Revision(12.0, 1, "agent", "I can hear how much this is costing you, that's awful."))
    late = [e for e in settled if isinstance(e, StepDone)]
    assert [(e.step, e.late) for e in late] == [("empathize", True)]
    assert late[0].utterance == 1
    # Settling again with worse words takes nothing back.
    again = coach.feed(Revision(13.0, 1, "agent", "okay"))
    assert not [e for e in again if isinstance(e, StepDone)]


def test_a_damaged_model_file_is_one_clear_error(tmp_path: Path) -> None:
    files = installed_files()
    broken = tmp_path / "model.onnx"
    broken.write_bytes(files.model.read_bytes()[:5000])
    with pytest.raises(ReaderError, match="damaged or not the expected file"):
        SentenceEncoder(ModelFiles(broken, files.tokenizer))
    # Even a file whose sum matches what we were told cannot crash the load: it is refused by name.
    import hashlib

    digest = hashlib.sha256(broken.read_bytes()).hexdigest()
    with pytest.raises(ReaderError, match="could not be loaded"):
        SentenceEncoder(ModelFiles(broken, files.tokenizer, model_sha256=digest))


def test_weights_of_the_earlier_linear_reader_are_refused_by_name(tmp_path: Path) -> None:
    # A site's own reader build from before the hidden layer: one clear message, not a shape error later.
    old = tmp_path / "weights.npz"
    SoftmaxClassifier(np.zeros((WIDTH, len(LABELS)), np.float32), np.zeros(len(LABELS), np.float32)).save(old)
    with pytest.raises(ReaderError, match="do not fit this version of the app"):
        HiddenLayerClassifier.load(old, WIDTH)
    shipped = HiddenLayerClassifier.load(reader_dir() / "weights.npz", WIDTH)
    with pytest.raises(ReaderError, match="do not fit this version of the app"):
        HiddenLayerClassifier.load(reader_dir() / "weights.npz", WIDTH + 1)
    # Saved and loaded again it reads the same, its temperature kept.
    shipped.save(tmp_path / "again.npz")
    again = HiddenLayerClassifier.load(tmp_path / "again.npz", WIDTH)
    rows = np.random.default_rng(0).standard_normal((5, WIDTH)).astype(np.float32) * 0.05
    assert again.temperature == shipped.temperature > 1.0
    assert np.allclose(again.probabilities(rows), shipped.probabilities(rows), atol=1e-6)


def test_without_its_weights_the_coach_says_so_once_and_the_rules_still_coach(tmp_path: Path) -> None:
    damaged = tmp_path / "reader"
    shutil.copytree(reader_dir(), damaged)
    (damaged / "weights.npz").write_bytes(b"not a weights file")
    transcript = tmp_path / "call.txt"
    transcript.write_text(
        "Agent: Hello, Acme support.\nCustomer: My order never arrived.\n"
        "Agent: I understand how frustrating that must be.\n",
        encoding="utf-8",
    )
    env = os.environ | {"CALL_COMPANION_READER_DIR": str(damaged)}
    result = subprocess.run(
        [sys.executable, "-m", "companion", "analyze", str(transcript)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    problems = [line for line in result.stderr.splitlines() if "sentence reader" in line]
    assert len(problems) == 1 and "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert "empathize" in report["utterances"][2]["steps"]  # the cue rules caught it


def test_a_coach_without_the_reader_emits_one_warning_event(playbook: Playbook) -> None:
    coach = Coach(playbook, acts=None)
    coach.reader_problem = "the sentence reader's weights are missing"
    out = coach.feed(Utterance(0, "agent", 0.0, 1.0, "Hello."))
    out += coach.feed(Utterance(1, "customer", 1.0, 2.0, "Hi."))
    warnings = [e for e in out if isinstance(e, EngineError)]
    assert len(warnings) == 1 and not warnings[0].fatal


def test_where_the_call_is_moves_belief_between_steps_only(reader: ActReader) -> None:
    # Said after the customer confirmed the summary, a plan in the first person is the offer.
    sentence = ["right then i'll get a new meter fitted and knock the estimate off your bill"]
    context = "yes that's it exactly"
    plain = reader.read(sentence, context)[0].probabilities
    at_start = reader.read(sentence, context, phase="start")[0].probabilities
    after_summary = reader.read(sentence, context, phase="affirm")[0].probabilities
    assert after_summary["resolve"] > plain["resolve"] > at_start["resolve"]
    steps = ("listen", "empathize", "assess", "affirm", "resolve", "agree", "thank")
    for weighed in (at_start, after_summary):
        assert sum(weighed[s] for s in steps) == pytest.approx(sum(plain[s] for s in steps))
        for other in set(plain) - set(steps):  # "none" and the pitfalls keep their odds
            assert weighed[other] == pytest.approx(plain[other])


def test_the_step_prior_is_counted_from_labelled_calls_and_a_damaged_one_is_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from companion.analysis.labelled_calls import Turn
    from companion.analysis.reader import acts as reader_acts
    from companion.analysis.reader.step_prior import StepPrior

    call = [
        Turn("agent", "Hi, Dana at Pinecrest Gas.", ("greet",)),
        Turn("customer", "My boiler's dead again."),
        Turn("agent", "Oh no, not again. What's it doing?", ("empathize", "assess")),
        Turn("customer", "Red light, no heat."),
        Turn("agent", "So red light and no heat since this morning?", ("affirm",)),
        Turn("customer", "Yes."),
        Turn("agent", "I'll send an engineer at two.", ("resolve",)),
    ]
    prior = StepPrior.count([call])
    assert prior.weights["start"]["assess"] > prior.weights["start"]["resolve"]
    assert prior.weights["affirm"]["resolve"] > prior.weights["affirm"]["assess"]
    path = tmp_path / "step_prior.json"
    prior.save(path)
    assert StepPrior.load(path) == prior

    folder = tmp_path / "reader"
    shutil.copytree(reader_dir(), folder)
    (folder / "step_prior.json").write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("CALL_COMPANION_READER_DIR", str(folder))
    reader_acts._reader_for.cache_clear()
    try:
        damaged = load_reader(load_playbook(), cache_dir=tmp_path / "cache")
        assert damaged.prior is None and "step prior" in caplog.text
        assert damaged.read(["sorry to hear that"], phase="start")[0].best()[0] == "empathize"
    finally:
        reader_acts._reader_for.cache_clear()


def test_a_pitfall_cue_in_a_sentence_the_reader_rules_out_raises_no_alert(playbook: Playbook) -> None:
    """ "whatever" is an agent-negativity cue; offering whatever slot suits the customer is no pitfall."""
    lines = [
        ("A", "Good afternoon, Brightwater Ferries, Leon speaking."),
        ("C", "I need to move my crossing to next week, can you book it for whatever time is best?"),
        ("A", "I'll book whatever slot suits you best, morning or afternoon."),
        ("C", "I've been waiting all week for the courier and nobody turned up."),
        ("A", "Whatever, that's not my problem, call the courier."),
    ]
    coach = Coach(playbook)
    alerts = [e for u in script(lines) for e in coach.feed(u) if isinstance(e, Alert)]
    kinds = {(a.utterance, a.kind) for a in alerts}
    assert not [a for a in alerts if a.utterance == 2], alerts
    assert (4, "agent-negativity") in kinds  # the same cue in a dismissive sentence still raises it


def test_an_offer_after_a_bare_yes_is_read_as_an_offer(playbook: Playbook, reader: ActReader) -> None:
    """The customer's "Yes." before an agent's sentence is weak evidence: the offer's own words decide."""
    acts = AgentActs(playbook, reader)
    for context in ("Yes.", "Yes, exactly.", ""):
        read = acts.read("I can book you onto the two o'clock ferry at no extra cost.", context)
        assert "resolve" in {a.id for a in read.acts}, context


def test_a_pitfall_is_read_from_both_kinds_together(playbook: Playbook, reader: ActReader) -> None:
    """The reader splits a pitfall's odds between the two kinds: their sum decides, the larger names it."""
    sentence, context = "Whatever, that's not my problem, call the courier.", "I've been waiting all week."
    reading = reader.read([sentence], context)[0]
    both = reading.probabilities["trigger-words"] + reading.probabilities["agent-negativity"]
    read = AgentActs(playbook, reader).read(sentence, context)
    assert read.pitfall_weights == ((sentence, round(both, 3)),)
    assert read.pitfalls, "a dismissive sentence raises a word pitfall"


def test_a_summary_echoes_the_customer_and_a_question_about_new_facts_does_not(
    playbook: Playbook, reader: ActReader
) -> None:
    heard = (
        "The concert on Saturday got cancelled and the email says the refund takes thirty days. My kids were gutted."
    )
    acts, words = AgentActs(playbook, reader), frozenset(content_words(heard))
    for question in (
        "so you bought them on the app and not at the box office, yes?",
        "so you booked them back in june then?",
    ):
        assert "affirm" not in acts.read(question, heard, heard=words).steps, question
    summary = (
        "So Saturday's concert was cancelled, the email says thirty days for the refund, and the kids were gutted?"
    )
    assert "affirm" in acts.read(summary, heard, heard=words).steps


def test_a_pitfall_beside_an_apology_is_raised_and_owning_up_is_not(playbook: Playbook) -> None:
    """Only the sentence that mirrors the customer, or owns up, keeps a reader pitfall back, not the whole turn."""
    complaint = ("C", "My delivery never came and I took the whole day off work for it. I'm furious.")

    def heard(agent: str) -> tuple[list[str], list[str]]:
        events = []
        coach = Coach(playbook)
        for u in script([complaint, ("A", agent)]):
            events += coach.feed(u)
        steps = [e.step for e in events if isinstance(e, StepDone)]
        return steps, [e.kind for e in events if isinstance(e, Alert)]

    steps, alerts = heard("I am sorry about the wait. Honestly, that is really a matter for your bank, not for us.")
    assert "empathize" in steps and set(alerts) & {"trigger-words", "agent-negativity"}
    assert heard("You're right, and I'm sorry, that came out wrong.")[1] == []


def test_nearest_corpus_pitfalls_are_a_second_opinion() -> None:
    vectors = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]], dtype=np.float32)
    near = PitfallNeighbours(vectors, np.array([True, True, False, False]))
    share = near.share(np.array([[1.0, 0.05], [0.05, 1.0]], dtype=np.float32))
    assert share[0] > 0.9 and share[1] < 0.1


def test_a_polite_pitfall_the_layer_alone_is_unsure_of_is_raised(playbook: Playbook, reader: ActReader) -> None:
    context = "I was charged forty pounds for a ten minute ride, that can't be right."
    acts = AgentActs(playbook, reader)
    assert acts.read("Rules are rules, the price shown at the end is what you pay, end of story.", context).pitfalls
    assert not acts.read("I can refund the difference to your card today.", context).pitfalls
