"""Plain-text call transcripts from elsewhere: one utterance a line.

    [00:03] Agent: Thank you for calling, this is Sam.
    [00:07] Customer: My order never arrived.
    Agent: I am sorry to hear that.

The ``[mm:ss]`` (or ``[h:mm:ss]``) stamp is optional.  Lines without one get
times estimated from their length, so the coach's smoothing over time still
works, and are marked untimed so the analysis shows their times as null.
Blank lines and lines starting with ``#`` are skipped.

A transcript whose lines name no speaker at all (another system's export, one
utterance a line) is read as two parties taking turns, ``first`` and
``second``; which one is the agent is decided from the words
(companion.analysis.roles).  A file that names the speaker on some lines and
not on others is ambiguous, and an error naming the first unnamed line.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

from companion.errors import InputError
from companion.events import Party, Speaker, Utterance

_LINE = re.compile(
    r"^\s*(?:\[(?P<stamp>\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\]\s*)?(?P<who>[A-Za-z ]+?)\s*:\s*(?P<text>.*)$"
)
_STAMP = re.compile(r"^\s*\[(?P<stamp>\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?)\]\s*(?P<text>.*)$")
_SPEAKERS: dict[str, Speaker] = {
    "agent": "agent",
    "rep": "agent",
    "representative": "agent",
    "customer": "customer",
    "caller": "customer",
}
WORDS_PER_S = 2.5
GAP_S = 0.6


@dataclass(frozen=True, slots=True)
class TranscriptLine:
    utterance: Utterance
    line: int
    timed: bool
    party: Party | None = None  # set when the file names no speakers: whose turn the line is

    def with_agent(self, agent: Party) -> TranscriptLine:
        """The line with its speaker set from which party is the agent."""
        if self.party is None:
            return self
        speaker: Speaker = "agent" if self.party == agent else "customer"
        return dataclasses.replace(self, utterance=dataclasses.replace(self.utterance, speaker=speaker))


def _seconds(stamp: str) -> float:
    parts = [float(p) for p in stamp.split(":")]
    total = 0.0
    for part in parts:
        total = total * 60 + part
    return total


def _spoken_s(text: str) -> float:
    return max(1.0, len(text.split()) / WORDS_PER_S)


def read_transcript_lines(path: Path) -> list[TranscriptLine]:
    """Each utterance with its line number and whether its time came from a stamp."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such transcript") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: the transcript is not UTF-8 text") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the transcript ({exc.strerror})") from None
    parsed: list[tuple[int, float | None, Speaker, str]] = []
    unnamed: list[tuple[int, str]] = []  # lines with no known speaker: (number, the line)
    for number, line in enumerate(raw.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = _LINE.match(line)
        who = m.group("who").strip().lower() if m else ""
        if m is None or who not in _SPEAKERS:
            unnamed.append((number, line))
            plain = _STAMP.match(line)
            stamp, text = (plain.group("stamp"), plain.group("text").strip()) if plain else (None, line.strip())
            # The parties take turns; which of them is the agent is settled later, from the words.
            speaker: Speaker = "agent" if len(unnamed) % 2 else "customer"
        else:
            text = m.group("text").strip()
            if not text:
                raise InputError(f"{path}, line {number}: {m.group('who').strip()} says nothing")
            stamp = m.group("stamp")
            speaker = _SPEAKERS[who]
        start = _seconds(stamp) if stamp else None
        if start is not None and parsed:
            earlier = [p[1] for p in parsed if p[1] is not None]
            if earlier and start < earlier[-1]:
                raise InputError(f"{path}, line {number}: the time [{stamp}] is earlier than the line before")
        parsed.append((number, start, speaker, text))
    if unnamed and len(unnamed) < len(parsed):
        number, line = unnamed[0]
        raise InputError(
            f"{path}, line {number}: no known speaker in {line.strip()[:40]!r} while other lines name theirs; "
            "write 'Agent: ...' or 'Customer: ...' on every line (or on none), optionally after a [mm:ss] time"
        )
    if not parsed:
        raise InputError(f"{path}: the transcript has no lines of the form 'Agent: ...' or 'Customer: ...'")

    out: list[TranscriptLine] = []
    clock = 0.0
    for i, (number, start, speaker, text) in enumerate(parsed):
        timed = start is not None
        begin = start if start is not None else clock
        end = begin + _spoken_s(text)
        following = next((p[1] for p in parsed[i + 1 :] if p[1] is not None), None)
        if timed and following is not None and following > begin:
            end = min(end, following)
        utterance = Utterance(id=i, speaker=speaker, start=round(begin, 3), end=round(end, 3), text=text)
        party: Party | None = None
        if unnamed:
            party = "first" if speaker == "agent" else "second"
        out.append(TranscriptLine(utterance, number, timed, party))
        clock = end + GAP_S
    return out


def read_transcript(path: Path) -> list[Utterance]:
    """The transcript's utterances, one per line, in order; InputError names a bad line."""
    return [line.utterance for line in read_transcript_lines(path)]
