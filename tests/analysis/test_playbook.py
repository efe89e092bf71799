"""The playbook as data: the default, a team's own file, and errors that name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

import companion
from companion.analysis import playbook as playbook_module
from companion.analysis.cue_settings import CueThresholds
from companion.analysis.playbook import (
    PITFALL_IDS,
    STEP_IDS,
    load_playbook,
    load_playbook_or_default,
)
from companion.errors import PlaybookError


def test_default_playbook_has_the_seven_steps_in_order() -> None:
    book = load_playbook()
    assert [s.id for s in book.steps] == list(STEP_IDS)
    for step in book.steps:
        assert step.title and step.guidance and step.examples and step.cues
    assert [p.id for p in book.pitfalls] == list(PITFALL_IDS)
    assert isinstance(book.cues, CueThresholds)
    assert book.step_titles()[0] == ("listen", "Listen")


def test_every_example_evidences_its_own_step() -> None:
    from companion.analysis.steps import StepMatcher

    book = load_playbook()
    matcher = StepMatcher(book)
    for step in book.steps:
        for example in step.examples:
            assert step.id in {e.step for e in matcher.match(example)}, (step.id, example)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "line", "problem"),
    [
        ("steps:\n  - id: listen\n    title: a: b\n", 3, "not valid YAML"),
        ("extends: default\nsteps:\n  - id: listen\n    colour: red\n", 4, "unknown key 'colour'"),
        ("extends: default\nsteps:\n  - id: shout\n", 3, "unknown step id 'shout'"),
        (
            "steps:\n  - id: listen\n    title: Listen\n    guidance: Hear them.\n",
            2,
            "lacks the step(s) empathize",
        ),
        ("extends: default\ncues:\n  dead_air_s: soon\n", 3, "must be a number"),
        ("extends: default\ncues:\n  dead_air_ms: 8000\n", 3, "unknown key 'dead_air_ms'"),
        ("extends: default\npitfalls:\n  - id: swearing\n", 3, "unknown pitfall 'swearing'"),
        ("extends: somewhere\n", 1, "extends must be 'default'"),
        ("- just\n- a list\n", 1, "must be a mapping"),
    ],
)
def test_malformed_playbooks_name_file_line_and_problem(tmp_path: Path, text: str, line: int, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(PlaybookError) as caught:
        load_playbook(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line}:"), message
    assert problem in message


def test_missing_file_is_a_playbook_error(tmp_path: Path) -> None:
    with pytest.raises(PlaybookError, match="does not exist"):
        load_playbook(tmp_path / "nope.yaml")


def test_a_bad_team_playbook_falls_back_to_the_default(tmp_path: Path) -> None:
    book, error = load_playbook_or_default(write(tmp_path, "steps: 3\n"))
    assert error is not None and "line 1" in str(error)
    assert [s.id for s in book.steps] == list(STEP_IDS)
    assert load_playbook_or_default(None)[1] is None


def test_a_team_extends_the_default(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "extends: default\n"
        "steps:\n"
        "  - id: thank\n"
        "    title: Thank the member\n"
        "    cues:\n"
        "      - cheers for ringing\n"
        "pitfalls:\n"
        "  - id: trigger-words\n"
        "    jargon:\n"
        "      - churn flag\n"
        "cues:\n"
        "  dead_air_s: 5\n",
    )
    book = load_playbook(path)
    thank = book.step("thank")
    assert thank.title == "Thank the member"
    assert any(p.text == "cheers for ringing" for p in thank.cues)
    assert len(thank.cues) > 1  # the default's cues are kept
    assert book.step("listen") == load_playbook().step("listen")
    assert any(p.text == "churn flag" for p in book.pitfall("trigger-words").jargon)
    assert book.cues.dead_air_s == 5.0
    assert book.cues.monologue_s == CueThresholds().monologue_s


def test_missing_assets_give_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(companion, "__file__", str(tmp_path / "pkg" / "companion" / "__init__.py"))
    monkeypatch.setattr(playbook_module.sys, "prefix", str(tmp_path / "prefix"))
    with pytest.raises(PlaybookError, match=r"default playbook .* is missing"):
        load_playbook()


def test_installed_assets_are_found_under_share(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shared = tmp_path / "prefix" / "share" / "call-companion" / "assets"
    shared.mkdir(parents=True)
    shared.joinpath("playbook.yaml").write_text(playbook_module.default_path().read_text())
    monkeypatch.setattr(companion, "__file__", str(tmp_path / "site" / "companion" / "__init__.py"))
    monkeypatch.setattr(playbook_module.sys, "prefix", str(tmp_path / "prefix"))
    assert playbook_module.default_path() == shared / "playbook.yaml"
    assert load_playbook().source == str(shared / "playbook.yaml")
