"""Who spoke when in a mono recording of a two-party call.

1. The voice-activity detector (the same Silero model the pipeline uses)
   finds the stretches of speech.
2. Each stretch is cut into pieces of a couple of seconds and each piece is
   described by the mean and spread of its cepstral frames
   (companion.audio.voiceprint).
3. One voice or two: the stretches, kept whole, are split into the two
   groups that fit the speech best; only a split that gains more than one
   voice's content differences can give (a bar that rises as the stretches
   and the seconds of speech get fewer) makes two voices.  A file too short
   to tell stays one party: nothing invented.  The pieces then start on their
   stretch's side and move to the nearer voice.
4. Each party gets a small Gaussian mixture of its frames, and every stretch
   is read again frame by frame (a two-state Viterbi pass with a cost for
   switching): that finds where the speaker changes inside a stretch, and
   short pieces take the side their neighbours and their sound agree on.
5. Sound that fits neither voice (music on hold, a recorded prompt) is given
   to no party, and so is a voice heard only in one block at the very start
   (a recorded prompt before the agent picks up): the rest is split again.

Party 0 is whoever speaks first; which party is the agent is decided later,
from what they say (companion.analysis.roles).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from companion.asr.vad import WINDOW, SpeechProbability
from companion.audio.frames import SAMPLE_RATE
from companion.audio.voiceprint import FRAMES_PER_S, cepstra, statistics

NO_PARTY = -1
MAX_LINKED = 600  # pieces clustered bottom-up (an hour of speech in 6 s steps)


@dataclass(frozen=True, slots=True)
class DiarizeSettings:
    threshold: float = 0.4  # the pipeline's VAD threshold (companion.asr.vad.VadSettings)
    min_speech_s: float = 0.25
    min_gap_s: float = 0.3  # shorter pauses do not end a stretch
    piece_s: float = 1.0  # the length stretches are cut into for clustering
    window_s: float = 1.0  # the sliding window that finds changes inside a stretch
    hop_s: float = 0.2
    switch_cost: float = 3.0  # how much closer (in spreads, summed over windows) the other voice must be
    min_turn_s: float = 0.6  # a shorter run inside a stretch joins its neighbour
    # One voice or two, read from whole stretches (see _stretch_split): the best split that keeps
    # every stretch whole must gain at least max(gain_floor, gain_per_stretch / stretches) nats per
    # frame, from at least min_stretches stretches (fewer: too short to tell, one voice).  Measured
    # on 56 development calls (three syntheses each, wide and phone, each side alone as one voice):
    # two voices reached 1.07 times the bar or more, one voice (8+ stretches) at most 0.88 times it.
    # Stretches of a second or so ("Since last night.") differ more by what they say than longer
    # ones, so the bar also rises as the speech gets shorter: gain_seconds / seconds of speech.
    # (Development calls, two syntheses: gain x speech seconds up to 4.9 with one voice, from 6.1 with two.)
    gain_floor: float = 0.17
    gain_per_stretch: float = 3.0
    gain_seconds: float = 5.5
    min_stretches: int = 8
    # A group's variance is pulled towards the whole call's by this many frames (1 s): a group of a
    # few stretches of the same word ("Okay." opening every turn) otherwise fits itself too well.
    shrink_frames: float = 100.0
    # Or, for turns with no pause between them (a few long stretches): neighbouring pieces of one
    # stretch on the same side far more often than one voice's content split puts them (z-score
    # against 0.55 agreement, so the bar rises as the pairs fall: 20 pairs all agreeing, or 45 at 0.85;
    # one voice reached 3.1, 12 pairs of 12, where one group was a few short stretches).
    two_voices_z: float = 4.0
    one_voice_agreement: float = 0.55
    # The call's first sound has nothing before it to answer: a word shorter than min_turn_s with
    # more speech this soon after it ("Hello," ... "Quayside Student Living") opens that speech's turn.
    opening_gap_s: float = 0.5
    outlier_spread: float = 4.0  # a window this many spreads from both voices is no party's
    min_party_turns: int = 3


@dataclass(frozen=True, slots=True)
class PartyTurn:
    """A stretch of one party's speech (party 0 spoke first; NO_PARTY: neither voice)."""

    start: float
    end: float
    party: int


@dataclass(frozen=True, slots=True)
class Diarization:
    turns: tuple[PartyTurn, ...]
    parties: int  # 1 or 2
    separation: float  # how far apart the two voices are (centre distance / spread; 0 for one group)
    seconds: float = 0.0  # audio length
    notes: tuple[str, ...] = field(default=())

    def speech_s(self, party: int) -> float:
        return sum(t.end - t.start for t in self.turns if t.party == party)


def speech_regions(samples: np.ndarray, settings: DiarizeSettings) -> list[tuple[int, int]]:
    """Speech stretches as (first, last + 1) 10 ms frame indices."""
    probs = SpeechProbability().feed(np.asarray(samples, dtype=np.float32))
    window_s = WINDOW / SAMPLE_RATE
    low = max(settings.threshold - 0.15, 0.01)
    regions: list[list[float]] = []
    active = False
    for i, p in enumerate(probs):
        t = i * window_s
        if not active and p >= settings.threshold:
            active = True
            regions.append([t, t + window_s])
        elif active:
            if p >= low:
                regions[-1][1] = t + window_s
            else:
                active = False
    merged: list[list[float]] = []
    for start, end in regions:
        if merged and start - merged[-1][1] < settings.min_gap_s:
            merged[-1][1] = end
        else:
            merged.append([start, end])
    return [(round(s * FRAMES_PER_S), round(e * FRAMES_PER_S)) for s, e in merged if e - s >= settings.min_speech_s]


def _pieces(regions: list[tuple[int, int]], piece_frames: int) -> list[tuple[int, int]]:
    out = []
    for a, b in regions:
        n = max(1, round((b - a) / piece_frames))
        edges = np.linspace(a, b, n + 1).astype(int)
        out += [(int(edges[i]), int(edges[i + 1])) for i in range(n)]
    return out


def _two_groups(vectors: np.ndarray) -> np.ndarray:
    """Average-linkage agglomerative clustering on cosine distance, down to two groups.

    Distances between merged groups are updated in place (Lance-Williams), so a
    merge costs one pass over a row; a long call's pieces are sampled evenly first
    (the two-means that follows places every piece).
    """
    n = len(vectors)
    if n < 2:
        return np.zeros(n, dtype=int)
    picked = np.linspace(0, n - 1, min(n, MAX_LINKED)).astype(int)
    unit = vectors[picked] / (np.linalg.norm(vectors[picked], axis=1, keepdims=True) + 1e-9)
    dist = (1.0 - unit @ unit.T).astype(np.float32)
    np.fill_diagonal(dist, np.inf)
    size = np.ones(len(picked))
    member = np.arange(len(picked))
    alive = len(picked)
    while alive > 2:
        i, j = np.unravel_index(np.argmin(dist), dist.shape)
        i, j = min(i, j), max(i, j)
        merged = (size[i] * dist[i] + size[j] * dist[j]) / (size[i] + size[j])
        dist[i], dist[:, i] = merged, merged
        dist[i, i] = np.inf
        dist[j], dist[:, j] = np.inf, np.inf
        size[i] += size[j]
        member[member == j] = i
        alive -= 1
    first = member[0]
    centres = [vectors[picked][member == first].mean(axis=0), vectors[picked][member != first].mean(axis=0)]
    return np.argmin(((vectors[:, None, :] - np.stack(centres)[None]) ** 2).sum(axis=2), axis=1)


def _refine(vectors: np.ndarray, weights: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Two-means from the clustering's groups: a piece joins the nearer centre until nothing moves."""
    for _ in range(20):
        if len(set(labels.tolist())) < 2:
            return labels
        centres = np.stack([np.average(vectors[labels == k], axis=0, weights=weights[labels == k]) for k in (0, 1)])
        moved = np.argmin(((vectors[:, None, :] - centres[None]) ** 2).sum(axis=2), axis=1)
        if np.array_equal(moved, labels):
            return labels
        labels = moved
    return labels


def agreement(pieces: list[tuple[int, int]], regions: list[tuple[int, int]], labels: np.ndarray) -> tuple[int, int]:
    """(pairs on the same side, pairs) of neighbouring pieces of one stretch of speech.

    One voice split in two by what it says flips sides inside a stretch about half
    the time; two voices almost never do.
    """
    same = pairs = 0
    region_of = np.searchsorted([b for _, b in regions], [a for a, _ in pieces], side="right")
    for k in range(len(pieces) - 1):
        if region_of[k] == region_of[k + 1]:
            pairs += 1
            same += int(labels[k] == labels[k + 1])
    return same, pairs


def agreement_z(same: int, pairs: int, chance: float) -> float:
    """How far ``same`` of ``pairs`` lies above what one voice's content split gives (``chance``), in
    binomial spreads: the same share says more the more pairs it rests on."""
    if pairs == 0:
        return 0.0
    return (same - chance * pairs) / float(np.sqrt(pairs * chance * (1.0 - chance)))


def _stretch_split(
    feats: np.ndarray, regions: list[tuple[int, int]], shrink: float, starts: tuple[np.ndarray, ...] = ()
) -> tuple[float, np.ndarray]:
    """The best split of the stretches into two groups that keeps every stretch whole, and its gain.

    The gain is how much better (in nats per frame) two diagonal Gaussians, one per group, fit the
    speech frames than one Gaussian does.  Why whole stretches: a stretch (speech between pauses)
    is nearly always one speaker, so with two voices the voice is the strongest thing two groups of
    stretches can differ in, and the gain stays about the same however short the call.  One voice
    split in two can only use what its stretches say; those differences average out as stretches
    add up, so its best gain falls about as 1 / stretches (measured: ~3 / n at most).  Hence a bar
    that rises as the stretches get fewer (DiarizeSettings.gain_per_stretch).  Groups start from
    average-linkage clustering of the stretches' statistics and are refined by likelihood.
    """
    if len(regions) < 2:
        return 0.0, np.zeros(len(regions), dtype=int)
    sums = _StretchSums(feats, regions, shrink)
    stats = np.stack([statistics(feats[a:b]) for a, b in regions])
    clustered = _two_groups((stats - stats.mean(axis=0)) / (stats.std(axis=0) + 1e-6))
    return max((sums.improve(np.asarray(g)) for g in (clustered, *starts)), key=lambda found: found[0])


class _StretchSums:
    """Per stretch, its frame count and the sums of its frames and squared frames: enough to fit and
    score diagonal Gaussians over any grouping of whole stretches without touching the frames again."""

    def __init__(self, feats: np.ndarray, regions: list[tuple[int, int]], shrink: float) -> None:
        self.frames = np.array([b - a for a, b in regions], dtype=float)
        self.sums = np.stack([feats[a:b].sum(axis=0) for a, b in regions]).astype(float)
        self.squares = np.stack([(feats[a:b].astype(float) ** 2).sum(axis=0) for a, b in regions])
        self.total = self.frames.sum()
        mean = self.sums.sum(axis=0) / self.total
        self.whole_var = self.squares.sum(axis=0) / self.total - mean**2 + 1e-6
        self.shrink = shrink

    def gaussians(self, groups: np.ndarray) -> list[tuple[float, np.ndarray, np.ndarray]]:
        """(frames, mean, variance) of each group."""
        out = []
        for k in (0, 1):
            mine = groups == k
            count = self.frames[mine].sum()
            mean = self.sums[mine].sum(axis=0) / count
            var = self.squares[mine].sum(axis=0) / count - mean**2
            # A group of a few short stretches has a variance estimated too low; pulled towards the call's.
            out.append((count, mean, (count * var + self.shrink * self.whole_var) / (count + self.shrink) + 1e-6))
        return out

    def improve(self, groups: np.ndarray) -> tuple[float, np.ndarray]:
        """Each stretch to the group that fits it better, until nothing moves; (gain, groups)."""
        for _ in range(30):
            if len(set(groups.tolist())) < 2:
                return 0.0, groups
            fits = self.gaussians(groups)
            loglik = np.stack([self._loglik(mean, var) for _, mean, var in fits], axis=1)
            moved = np.argmax(loglik, axis=1)
            if np.array_equal(moved, groups):
                break
            groups = moved
        if len(set(groups.tolist())) < 2:
            return 0.0, groups
        gain = sum(count / 2 * np.log(self.whole_var / var).sum() for count, _, var in self.gaussians(groups))
        return float(gain / self.total), groups

    def _loglik(self, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
        """Each stretch's log-likelihood under one diagonal Gaussian (constant terms left out)."""
        spread = self.squares - 2 * self.sums * mean + self.frames[:, None] * mean**2
        return -0.5 * (self.frames[:, None] * np.log(var) + spread / var).sum(axis=1)


def separation(vectors: np.ndarray, weights: np.ndarray, labels: np.ndarray) -> float:
    """How far apart the two groups are, in units of how much pieces of one group vary (a Fisher ratio)."""
    if len(set(labels.tolist())) < 2:
        return 0.0
    centres = [np.average(vectors[labels == k], axis=0, weights=weights[labels == k]) for k in (0, 1)]
    spread = np.sqrt(np.average(((vectors - np.stack(centres)[labels]) ** 2).sum(axis=1), weights=weights))
    return float(np.linalg.norm(centres[0] - centres[1]) / (spread + 1e-9))


def _viterbi(llr: np.ndarray, cost: float) -> np.ndarray:
    """Two-state path through per-frame scores (llr > 0 favours party 0), paying ``cost`` per switch."""
    n = len(llr)
    score = np.array([llr[0] / 2, -llr[0] / 2])
    back = np.zeros((n, 2), dtype=np.int8)
    for i in range(1, n):
        stay, switch = score, score[::-1] - cost
        back[i] = np.where(stay >= switch, [0, 1], [1, 0])
        score = np.maximum(stay, switch) + np.array([llr[i] / 2, -llr[i] / 2])
    path = np.zeros(n, dtype=int)
    path[-1] = int(np.argmax(score))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def _runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """(first, last + 1, label) of each run of equal labels."""
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges, [len(labels)]])
    return [(int(a), int(b), int(labels[a])) for a, b in zip(starts, ends, strict=True)]


def _absorb_short(labels: np.ndarray, min_frames: int) -> np.ndarray:
    """Runs shorter than ``min_frames`` take the label of the longer neighbouring run."""
    labels = labels.copy()
    while True:
        runs = _runs(labels)
        short = [i for i, (a, b, _) in enumerate(runs) if b - a < min_frames]
        if not short or len(runs) == 1:
            return labels
        i = min(short, key=lambda k: runs[k][1] - runs[k][0])
        a, b, _ = runs[i]
        left = runs[i - 1] if i > 0 else None
        right = runs[i + 1] if i + 1 < len(runs) else None
        pick = max((r for r in (left, right) if r is not None), key=lambda r: r[1] - r[0])
        labels[a:b] = pick[2]


def _voices(
    feats: np.ndarray,
    regions: list[tuple[int, int]],
    pieces: list[tuple[int, int]],
    vectors: np.ndarray,
    weights: np.ndarray,
    s: DiarizeSettings,
) -> np.ndarray:
    """Each piece's side: all 0 when the call has one voice."""
    region_of = np.searchsorted([b for _, b in regions], [a for a, _ in pieces], side="right")
    clustered = _refine(vectors, weights, _two_groups(vectors))
    # The pieces' clustering, as a vote per stretch, is a second start for the stretch split.
    votes = np.bincount(region_of, weights=weights * clustered, minlength=len(regions))
    sizes = np.bincount(region_of, weights=weights, minlength=len(regions))
    gain, groups = _stretch_split(feats, regions, s.shrink_frames, ((votes * 2 > sizes).astype(int),))
    seconds = float(sizes.sum()) / FRAMES_PER_S
    bar = max(s.gain_floor, s.gain_per_stretch / max(len(regions), 1), s.gain_seconds / max(seconds, 1e-9))
    z = agreement_z(*agreement(pieces, regions, clustered), s.one_voice_agreement)
    if len(regions) >= s.min_stretches and gain >= bar:
        # Two voices by whole stretches: the pieces start on their stretch's side (a clustering of
        # the pieces alone may have split the call by what is said) and move to the nearer voice.
        labels = _refine(vectors, weights, groups[region_of])
    elif z >= s.two_voices_z:
        # Turns with no pause between them leave few stretches: then the pieces must show two voices
        # by landing on the same side inside a stretch far more often than one voice's do.
        labels = clustered
    else:
        labels = np.zeros(len(pieces), dtype=int)
    return labels


def diarize(samples: np.ndarray, settings: DiarizeSettings | None = None) -> Diarization:
    """Who spoke when in 16 kHz mono audio."""
    s = settings or DiarizeSettings()
    seconds = len(samples) / SAMPLE_RATE
    ceps = cepstra(samples)
    regions = [(a, min(b, len(ceps))) for a, b in speech_regions(samples, s) if a < len(ceps)]
    regions = [(a, b) for a, b in regions if b - a >= 10]
    if not regions:
        return Diarization((), 0, 0.0, seconds)
    speech = np.concatenate([np.arange(a, b) for a, b in regions])
    feats = (ceps - ceps[speech].mean(axis=0)) / (ceps[speech].std(axis=0) + 1e-6)

    pieces = _pieces(regions, round(s.piece_s * FRAMES_PER_S))
    raw = np.stack([statistics(feats[a:b]) for a, b in pieces])
    # Each statistic in units of how much it varies over the call, so no one coefficient rules.
    centre, scale = raw.mean(axis=0), raw.std(axis=0) + 1e-6
    vectors = (raw - centre) / scale
    weights = np.array([b - a for a, b in pieces], dtype=float)
    labels = _voices(feats, regions, pieces, vectors, weights, s)
    opening = _opening_block(regions, pieces, weights, labels, s)
    if opening:
        return _after_opening(samples, regions[:opening], s)
    apart = separation(vectors, weights, labels)
    frame_party = np.full(len(feats), NO_PARTY)
    if min(np.bincount(labels, minlength=2)) == 0:
        return _one_voice(frame_party, regions, apart, seconds)

    centres = np.stack([np.average(vectors[labels == k], axis=0, weights=weights[labels == k]) for k in (0, 1)])
    spread = float(np.sqrt(np.average(((vectors - centres[labels]) ** 2).sum(axis=1), weights=weights)))
    # Read every stretch again through a sliding window: where the speaker changes inside a
    # stretch, and which side a short piece is on, is decided by its sound and its neighbours'.
    win, hop = round(s.window_s * FRAMES_PER_S), round(s.hop_s * FRAMES_PER_S)
    min_frames = round(s.min_turn_s * FRAMES_PER_S)
    notes: list[str] = []
    for a, b in regions:
        starts = list(range(a, max(a + 1, b - win + 1), hop))
        windows = [(w, min(b, w + win)) for w in starts]
        z = (np.stack([statistics(feats[w0:w1]) for w0, w1 in windows]) - centre) / scale
        d = np.sqrt(((z[:, None, :] - centres[None]) ** 2).sum(axis=2)) / spread
        path = _viterbi(d[:, 1] - d[:, 0], s.switch_cost)
        far = d.min(axis=1) > s.outlier_spread
        for (w0, w1), label, alien in zip(windows, path, far, strict=True):
            mid0 = w0 if w0 == a else w0 + (win - hop) // 2
            frame_party[mid0:w1] = NO_PARTY if alien else label
        frame_party[a:b] = _absorb_short(frame_party[a:b], min_frames)
    _join_opening(frame_party, regions, min_frames, round(s.opening_gap_s * FRAMES_PER_S))
    for turn in _turns(frame_party, regions):
        if turn.party == NO_PARTY:
            notes.append(f"{turn.start:.1f}-{turn.end:.1f} s fits neither voice")
    turns = _turns(frame_party, regions)
    # Both parties of a conversation take turns (every development call has 4+ turns a side): a
    # "party" heard fewer than min_party_turns times is a sound, not a voice (a stretch of the tune
    # on hold that fits no better elsewhere, a cough), and the file stays one voice.
    if min(sum(1 for t in turns if t.party == k) for k in (0, 1)) < s.min_party_turns:
        return _one_voice(np.full(len(feats), NO_PARTY), regions, apart, seconds)
    # Party 0 is whoever speaks first.
    first = next((t.party for t in turns if t.party != NO_PARTY), 0)
    if first == 1:
        turns = [PartyTurn(t.start, t.end, 1 - t.party if t.party != NO_PARTY else NO_PARTY) for t in turns]
    parties = len({t.party for t in turns} - {NO_PARTY})
    return Diarization(tuple(turns), parties, round(apart, 3), seconds, tuple(notes))


def _join_opening(frame_party: np.ndarray, regions: list[tuple[int, int]], min_frames: int, gap: int) -> None:
    """The call's first stretch, if a lone short word closely followed by more speech, takes that speech's side.

    A short run inside a stretch already joins its neighbour (_absorb_short); the first word of a
    call is often a stretch of its own ("Hello," then a pause), read by its sound alone: on the
    telephone band 0.3 s of it went to the other voice in 7 of 36 development calls.  Nothing was
    said before it that it could be a reply to.
    """
    if len(regions) < 2:
        return
    (a0, b0), (a1, _) = regions[0], regions[1]
    if b0 - a0 < min_frames and a1 - b0 < gap and frame_party[a1] != NO_PARTY:
        frame_party[a0:b0] = frame_party[a1]


def _one_voice(frame_party: np.ndarray, regions: list[tuple[int, int]], apart: float, seconds: float) -> Diarization:
    for a, b in regions:
        frame_party[a:b] = 0
    return Diarization(tuple(_turns(frame_party, regions)), 1, round(apart, 3), seconds)


def _turns(frame_party: np.ndarray, regions: list[tuple[int, int]]) -> list[PartyTurn]:
    out: list[PartyTurn] = []
    for a, b in regions:
        for first, last, party in _runs(frame_party[a:b]):
            out.append(PartyTurn(round((a + first) / FRAMES_PER_S, 2), round((a + last) / FRAMES_PER_S, 2), party))
    return out


def _opening_block(
    regions: list[tuple[int, int]],
    pieces: list[tuple[int, int]],
    weights: np.ndarray,
    labels: np.ndarray,
    s: DiarizeSettings,
) -> int:
    """How many stretches open the file in a voice never heard again (a recorded prompt, music); 0 if none.

    Both parties of a conversation take turns.  When the two groups are instead "the first few
    stretches" and "everything after them", the first group is a third voice, farther from both
    parties than they are from each other: an IVR prompt before the agent answers.  Left in, it
    takes one side and the two real voices share the other (or, a prompt of two sentences being
    too few turns for a party, the whole file stays one voice).
    """
    region_of = np.searchsorted([b for _, b in regions], [a for a, _ in pieces], side="right")
    sizes = np.bincount(region_of, weights=weights, minlength=len(regions))
    side = np.bincount(region_of, weights=weights * labels, minlength=len(regions)) * 2 > sizes
    if side.all() or not side.any():
        return 0
    block = int(np.argmax(side != side[0]))
    rest = side[block:]
    # However short the block (a second of the tune that the VAD took for speech), the split it
    # makes is not the call's two parties.
    return block if (rest != side[0]).all() and len(rest) >= s.min_stretches else 0


def _after_opening(samples: np.ndarray, opening: list[tuple[int, int]], s: DiarizeSettings) -> Diarization:
    """The file diarized again without its opening block, which is given to no party."""
    end = opening[-1][1] * SAMPLE_RATE // FRAMES_PER_S
    rest = diarize(np.concatenate([np.zeros(end, dtype=np.float32), np.asarray(samples[end:], dtype=np.float32)]), s)
    prompt = tuple(PartyTurn(round(a / FRAMES_PER_S, 2), round(b / FRAMES_PER_S, 2), NO_PARTY) for a, b in opening)
    note = f"0.0-{end / SAMPLE_RATE:.1f} s: a voice heard only at the start, given to no party"
    return Diarization(prompt + rest.turns, rest.parties, rest.separation, rest.seconds, (note, *rest.notes))
