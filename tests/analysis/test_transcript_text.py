"""Plain-text transcripts: reading them, and `analyze` running the playbook over them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from companion import cli
from companion.analysis.transcript_text import read_transcript, read_transcript_lines
from companion.errors import InputError

TRANSCRIPT = """\
# exported from another call system
[00:01] Agent: Thanks for calling Acme, this is Jo. How can I help?
[00:05] Customer: My internet has been down for three days and nobody has called me back. I am furious.

Agent: I hear you, please go on.
[1:02:03] customer: I've called twice already!
"""


def write(tmp_path: Path, text: str, name: str = "call.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_each_line_is_one_utterance_with_times_where_given(tmp_path: Path) -> None:
    lines = read_transcript_lines(write(tmp_path, TRANSCRIPT))
    assert [(x.utterance.speaker, x.timed, x.line) for x in lines] == [
        ("agent", True, 2),
        ("customer", True, 3),
        ("agent", False, 5),
        ("customer", True, 6),
    ]
    utterances = read_transcript(write(tmp_path, TRANSCRIPT))
    assert utterances[0].start == 1.0 and utterances[0].end <= 5.0
    assert utterances[3].start == 3723.0
    assert utterances[2].text == "I hear you, please go on."
    assert [u.id for u in utterances] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("Agent: hello\nBob: hi there\n", 2, "no known speaker"),
        ("Agent: hello\njust some words\n", 2, "no known speaker"),
        ("[00:10] Agent: hello\n[00:05] Customer: hi\n", 2, "earlier than the line before"),
        ("Agent: hello\nCustomer:   \n", 2, "says nothing"),
    ],
)
def test_bad_lines_are_named(tmp_path: Path, text: str, line: int, problem: str) -> None:
    with pytest.raises(InputError, match=rf"line {line}: .*{problem}"):
        read_transcript(write(tmp_path, text))


def test_empty_or_unreadable_transcripts_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no lines"):
        read_transcript(write(tmp_path, "# nothing\n\n"))
    bad = tmp_path / "latin.txt"
    bad.write_bytes("Agent: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_transcript(bad)


def test_analyze_scores_a_transcript(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.json"
    assert cli.main(["analyze", str(write(tmp_path, TRANSCRIPT)), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    rows = report["utterances"]
    assert [r["speaker"] for r in rows] == ["agent", "customer", "agent", "customer"]
    assert rows[2]["start"] is None and rows[2]["end"] is None  # no stamp, no time
    assert rows[1]["start"] == 5.0
    assert all(r["next_step"] for r in rows)
    assert rows[2]["steps"] == ["listen"]
    listen = next(s for s in report["steps"] if s["id"] == "listen")
    assert listen["done"] and listen["utterance"] == 2 and "hear you" in listen["evidence"]
    assert [s["id"] for s in report["steps"]] == [
        "listen",
        "empathize",
        "assess",
        "affirm",
        "resolve",
        "agree",
        "thank",
    ]
    assert report["customer_sentiment"]["min"] < -0.5
    assert report["moods"][0]["kind"] == "escalated"


def test_a_bad_playbook_named_on_the_command_line_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 13: a script with a bad --playbook must not be scored against the default and exit 0.
    team = write(tmp_path, "steps:\n  - id: listen\n    title: a: b\n", "team.yaml")
    out = tmp_path / "out.json"
    code = cli.main(["analyze", str(write(tmp_path, TRANSCRIPT)), "--playbook", str(team), "--json", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{team}, line 3" in err and err.count("\n") == 1
    assert not out.exists()


def test_a_bad_transcript_line_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["analyze", str(write(tmp_path, "Agent: hi\nBob: hello\n"))]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "line 2" in err[0] and "Traceback" not in err[0]


def test_a_transcript_is_a_source_like_any_other(tmp_path: Path) -> None:
    """Its lines come through the pipeline's one door (Source.run), with no recogniser and no side entrance."""
    from companion.call_analysis import TranscriptSource
    from companion.events import CallEnded, CallStarted, Utterance
    from companion.pipeline import CallPipeline

    source = TranscriptSource(write(tmp_path, TRANSCRIPT))
    assert not source.carries_audio
    pipeline = CallPipeline(source)
    events = pipeline.run()
    assert isinstance(events[0], CallStarted) and not events[0].realtime
    lines = [e for e in events if isinstance(e, Utterance)]
    assert [u.text for u in lines] == [line.utterance.text for line in source.lines] and len(lines) == 4
    assert events[-1] == CallEnded(max(u.end for u in lines), "finished")
    with pytest.raises(InputError):
        TranscriptSource(write(tmp_path, "no speaker here\n", "bad.txt"))
