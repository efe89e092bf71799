"""Hostile and broken playbooks: a PlaybookError naming the file, or a playbook; on the command line exit 2."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.analysis.playbook import Playbook, default_path, load_playbook
from companion.errors import PlaybookError
from tests.fuzz.budget import cases
from tests.fuzz.cli_run import assert_clean, run_cli

DEFAULT_TEXT = default_path().read_text(encoding="utf-8")
KEYS = [
    "version",
    "extends",
    "steps",
    "pitfalls",
    "cues",
    "greeting",
    "id",
    "title",
    "guidance",
    "examples",
    "cues",
    "question_cues",
    "not_when",
    "phrases",
    "listen",
    "empathize",
    "default",
    "trigger-words",
]
TRANSCRIPT = "[00:01] Agent: Thank you for calling, this is Sam.\n[00:04] Customer: It is broken.\n"

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30), st.sampled_from(KEYS)
)
yaml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=40,
)


@st.composite
def mutated_default(draw: st.DrawFn) -> str:
    """The real playbook with lines dropped, repeated, cut or sprinkled with characters."""
    lines = DEFAULT_TEXT.splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        how = draw(st.sampled_from(["drop", "repeat", "cut", "insert", "indent"]))
        if how == "drop":
            del lines[i]
        elif how == "repeat":
            lines.insert(i, lines[i])
        elif how == "cut":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        elif how == "insert":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.text(min_size=1, max_size=4)) + lines[i][at:]
        else:
            lines[i] = " " * draw(st.integers(1, 3)) + lines[i]
        if not lines:
            lines = [""]
    return "\n".join(lines)


documents = st.one_of(
    st.text(max_size=300),
    yaml_values.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    mutated_default(),
    st.integers(1, 3000).map(lambda n: "steps: " + "[" * n + "]" * n),
    st.binary(max_size=200).map(lambda b: b.decode("latin-1")),
)


def _load(text: str | bytes) -> Playbook | None:
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "team.yaml"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        try:
            return load_playbook(path)
        except PlaybookError as exc:
            assert str(path) in str(exc) and "\n" not in str(exc).strip(), str(exc)
            return None


@given(documents)
def test_any_playbook_text_loads_or_is_a_playbook_error(text: str) -> None:
    book = _load(text)
    if book is not None:
        assert book.steps  # a playbook that loads can coach


@given(st.binary(max_size=400))
def test_any_bytes_load_or_are_a_playbook_error(data: bytes) -> None:
    _load(data)


@settings(max_examples=cases(15))
@given(st.one_of(mutated_default(), yaml_values.map(yaml.safe_dump)))
def test_the_command_line_scores_or_says_no_in_one_line(text: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        book, call = Path(d) / "team.yaml", Path(d) / "call.txt"
        book.write_text(text, encoding="utf-8", errors="surrogatepass")
        call.write_text(TRANSCRIPT, encoding="utf-8")
        run = run_cli("analyze", str(call), "--playbook", str(book), "--store-dir", str(Path(d) / "store"))
        assert_clean(run)
        if run.code == 2:
            assert run.err.count("\n") == 1 and run.out == ""
