"""The de-escalation playbook as data: steps in order, pitfalls, cue thresholds.

The default lives in ``assets/playbook.yaml``; a team may replace it with its own
file, or extend it (``extends: default``).  A malformed file raises
``PlaybookError`` naming the file, the line and the problem, and
``load_playbook_or_default`` falls back to the default so a call is never lost
to a bad playbook.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

import companion
from companion.analysis.cue_settings import CueThresholds
from companion.analysis.phrases import Phrase
from companion.analysis.step_ids import STEP_ORDER
from companion.errors import PlaybookError

log = logging.getLogger(__name__)

STEP_IDS = STEP_ORDER
PITFALL_IDS = ("trigger-words", "early-solution", "interruption", "dead-air", "agent-negativity")
DEFAULT_NAME = "playbook.yaml"


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    title: str
    guidance: str
    examples: tuple[str, ...] = ()
    cues: tuple[Phrase, ...] = ()
    question_cues: tuple[Phrase, ...] = ()  # evidence only inside a question the agent asks
    not_when: tuple[Phrase, ...] = ()  # a sentence with one of these never evidences the step


@dataclass(frozen=True, slots=True)
class Pitfall:
    id: str
    title: str
    guidance: str
    cues: tuple[Phrase, ...] = ()
    jargon: tuple[Phrase, ...] = ()
    examples: tuple[str, ...] = ()  # phrasings the sentence reader learns as this pitfall
    sorry_repeats: int = 0  # "I'm sorry" this many times running, without empathy, is a trigger


@dataclass(frozen=True, slots=True)
class Playbook:
    steps: tuple[Step, ...]
    pitfalls: tuple[Pitfall, ...]
    cues: CueThresholds = field(default_factory=CueThresholds)
    source: str = ""
    greeting: tuple[Phrase, ...] = ()  # an agent utterance with one of these opens the call: no step

    def step(self, step_id: str) -> Step:
        return next(s for s in self.steps if s.id == step_id)

    def pitfall(self, pitfall_id: str) -> Pitfall | None:
        return next((p for p in self.pitfalls if p.id == pitfall_id), None)

    def step_titles(self) -> list[tuple[str, str]]:
        return [(s.id, s.title) for s in self.steps]


def assets_dir() -> Path:
    """Where the bundled assets are: beside the package in a checkout, under share/ when installed."""
    candidates = [
        Path(companion.__file__).resolve().parent.parent / "assets",
        Path(sys.prefix) / "share" / "call-companion" / "assets",
    ]
    for candidate in candidates:
        if (candidate / DEFAULT_NAME).is_file():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    raise PlaybookError(
        f"the default playbook ({DEFAULT_NAME}) is missing; looked in {looked}. "
        "Reinstall call-companion or pass your own with --playbook FILE."
    )


def default_path() -> Path:
    return assets_dir() / DEFAULT_NAME


MAX_CHARS = 512 * 1024  # the default playbook is about 20 KB
MAX_DEPTH = 32
# libyaml's reader when PyYAML was built with it: a quarter of the pure-Python time, which the window
# pays on its own thread at every call start (the playbook is read afresh, so an edit counts).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_playbook(path: Path | None = None) -> Playbook:
    """Read a playbook file (None: the default); raise PlaybookError naming file, line and problem."""
    path = default_path() if path is None else Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PlaybookError(f"{path}: the playbook file does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(f"{path}: cannot read the playbook ({exc})") from None
    if len(text) > MAX_CHARS:
        raise PlaybookError(f"{path}: {len(text):,} characters is too large for a playbook (at most {MAX_CHARS:,})")
    try:
        if _nesting(text) > MAX_DEPTH:
            raise PlaybookError(f"{path}: nested more than {MAX_DEPTH} levels deep; a playbook needs four")
        node = yaml.compose(text, Loader=_LOADER)
        return _Reader(path).playbook(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else 1
        raise PlaybookError(f"{path}, line {line}: not valid YAML ({exc.problem})") from None
    except yaml.YAMLError as exc:  # the reader's own errors (a control character, bad encoding) carry no mark
        raise PlaybookError(f"{path}: not valid YAML ({' '.join(str(exc).split())})") from None
    except RecursionError:
        raise PlaybookError(f"{path}: the playbook is nested too deeply to be a playbook") from None


def _nesting(text: str) -> int:
    """How deep the document's lists and mappings go, found before PyYAML builds them.

    PyYAML's scanner and composer take time growing with the square of the
    depth (a 3,000-deep "[[[...]]]" takes half a minute) and recurse once a
    level; a playbook is four levels deep, so anything far deeper is refused
    after a bounded look.  Brackets are counted first, in one pass over the
    characters (they are what the scanner is slow on); then the parser's
    events, stopping at the limit.
    """
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return deepest
        elif ch in "]}":
            depth = max(0, depth - 1)
    depth = 0
    for event in yaml.parse(text, Loader=_LOADER):
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                return depth
        elif isinstance(event, yaml.SequenceEndEvent | yaml.MappingEndEvent):
            depth -= 1
    return depth


def load_playbook_or_default(path: Path | None) -> tuple[Playbook, PlaybookError | None]:
    """The team's playbook, or the default with the error that made us fall back to it."""
    if path is None:
        return load_playbook(), None
    try:
        return load_playbook(path), None
    except PlaybookError as exc:
        log.info("using the default playbook: %s", exc)
        return load_playbook(), exc


class _Reader:
    """Turns a composed YAML node tree into a Playbook, keeping line numbers for errors."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: yaml.Node | None, problem: str) -> PlaybookError:
        line = node.start_mark.line + 1 if node is not None else 1
        return PlaybookError(f"{self.path}, line {line}: {problem}")

    def mapping(self, node: yaml.Node | None, what: str, allowed: set[str]) -> dict[str, yaml.Node]:
        if not isinstance(node, yaml.MappingNode):
            raise self.fail(node, f"{what} must be a mapping of keys to values")
        out: dict[str, yaml.Node] = {}
        for key, value in node.value:
            name = str(key.value)
            if name not in allowed:
                raise self.fail(key, f"unknown key {name!r} in {what} (known: {', '.join(sorted(allowed))})")
            if name in out:
                raise self.fail(key, f"{name!r} appears twice in {what}")
            out[name] = value
        return out

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            raise self.fail(node, f"{what} must be a non-empty text")
        return str(node.value).strip()

    def texts(self, node: yaml.Node | None, what: str) -> list[tuple[str, yaml.Node]]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return [(self.scalar(item, f"each entry of {what}"), item) for item in node.value]

    def phrases(self, node: yaml.Node | None, what: str) -> tuple[Phrase, ...]:
        out = []
        for text, item in self.texts(node, what):
            try:
                out.append(Phrase(text))
            except ValueError as exc:
                raise self.fail(item, f"bad cue in {what}: {exc}") from None
        return tuple(out)

    def playbook(self, root: yaml.Node | None) -> Playbook:
        keys = {"version", "extends", "steps", "pitfalls", "cues", "greeting"}
        top = self.mapping(root, "the playbook", keys)
        base: Playbook | None = None
        if "extends" in top:
            name = self.scalar(top["extends"], "extends")
            if name != "default":
                raise self.fail(top["extends"], f"extends must be 'default', not {name!r}")
            base = load_playbook()
        steps = self.steps(top.get("steps"), base)
        pitfalls = self.pitfalls(top.get("pitfalls"), base)
        cues = self.cues(top.get("cues"), base.cues if base else CueThresholds())
        greeting = (base.greeting if base else ()) + self.phrases(top.get("greeting"), "greeting")
        return Playbook(steps, pitfalls, cues, str(self.path), greeting)

    def steps(self, node: yaml.Node | None, base: Playbook | None) -> tuple[Step, ...]:
        if node is None and base is not None:
            return base.steps
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            raise self.fail(node, "steps must be a list of steps")
        read: dict[str, Step] = {}
        for item in node.value:
            keys = {"id", "title", "guidance", "examples", "cues", "question_cues", "not_when"}
            fields_ = self.mapping(item, "a step", keys)
            if "id" not in fields_:
                raise self.fail(item, "a step needs an id")
            step_id = self.scalar(fields_["id"], "a step's id")
            if step_id not in STEP_IDS:
                raise self.fail(fields_["id"], f"unknown step id {step_id!r} (steps are {', '.join(STEP_IDS)})")
            if step_id in read:
                raise self.fail(fields_["id"], f"step {step_id!r} appears twice")
            old = base.step(step_id) if base else None
            if old is None:
                for needed in ("title", "guidance"):
                    if needed not in fields_:
                        raise self.fail(item, f"step {step_id!r} needs a {needed}")
            step = old or Step(step_id, "", "")
            changes: dict[str, Any] = {}
            if "title" in fields_:
                changes["title"] = self.scalar(fields_["title"], "a step's title")
            if "guidance" in fields_:
                changes["guidance"] = self.scalar(fields_["guidance"], "a step's guidance")
            if "examples" in fields_:
                changes["examples"] = step.examples + tuple(t for t, _ in self.texts(fields_["examples"], "examples"))
            for name in ("cues", "question_cues", "not_when"):
                if name in fields_:
                    changes[name] = getattr(step, name) + self.phrases(fields_[name], name)
            read[step_id] = replace(step, **changes)
        if base is not None:
            return tuple(read.get(s.id, s) for s in base.steps)
        missing = [s for s in STEP_IDS if s not in read]
        if missing:
            raise self.fail(node, f"the playbook lacks the step(s) {', '.join(missing)}")
        order = [s for s in read if s in STEP_IDS]
        if order != list(STEP_IDS):
            raise self.fail(node, f"steps must come in the order {', '.join(STEP_IDS)}")
        return tuple(read[s] for s in STEP_IDS)

    def pitfalls(self, node: yaml.Node | None, base: Playbook | None) -> tuple[Pitfall, ...]:
        known: dict[str, Pitfall] = {p.id: p for p in base.pitfalls} if base else {}
        if node is None:
            if base is None:
                return tuple(Pitfall(p, p.replace("-", " ").capitalize(), "") for p in PITFALL_IDS)
            return base.pitfalls
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, "pitfalls must be a list")
        for item in node.value:
            keys = {"id", "title", "guidance", "cues", "jargon", "sorry_repeats", "examples"}
            fields_ = self.mapping(item, "a pitfall", keys)
            if "id" not in fields_:
                raise self.fail(item, "a pitfall needs an id")
            pid = self.scalar(fields_["id"], "a pitfall's id")
            if pid not in PITFALL_IDS:
                raise self.fail(fields_["id"], f"unknown pitfall {pid!r} (pitfalls are {', '.join(PITFALL_IDS)})")
            pitfall = known.get(pid) or Pitfall(pid, pid.replace("-", " ").capitalize(), "")
            changes: dict[str, Any] = {}
            for name in ("title", "guidance"):
                if name in fields_:
                    changes[name] = self.scalar(fields_[name], f"a pitfall's {name}")
            for name in ("cues", "jargon"):
                if name in fields_:
                    changes[name] = getattr(pitfall, name) + self.phrases(fields_[name], name)
            if "examples" in fields_:
                changes["examples"] = pitfall.examples + tuple(
                    t for t, _ in self.texts(fields_["examples"], "examples")
                )
            if "sorry_repeats" in fields_:
                changes["sorry_repeats"] = self.number(fields_["sorry_repeats"], "sorry_repeats", int)
            known[pid] = replace(pitfall, **changes)
        for pid in PITFALL_IDS:
            known.setdefault(pid, Pitfall(pid, pid.replace("-", " ").capitalize(), ""))
        return tuple(known[p] for p in PITFALL_IDS)

    def number(self, node: yaml.Node, what: str, kind: type = float) -> Any:
        text = self.scalar(node, what)
        try:
            value = kind(text)
        except ValueError:
            raise self.fail(node, f"{what} must be a number, not {text!r}") from None
        if value < 0:
            raise self.fail(node, f"{what} must not be negative")
        return value

    def cues(self, node: yaml.Node | None, base: CueThresholds) -> CueThresholds:
        if node is None:
            return base
        fields_ = self.mapping(node, "cues", set(CueThresholds.names()))
        values = {name: self.number(value, f"cues.{name}") for name, value in fields_.items()}
        known = {f.name for f in fields(CueThresholds)}
        return replace(base, **{k: v for k, v in values.items() if k in known})
