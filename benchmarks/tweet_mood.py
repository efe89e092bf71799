"""The customer-mood reading against human ratings of tweets (VADER's own ground truth).

    tweet_mood.py TWEETS_FILE

TWEETS_FILE is ``tweets_GroundTruth.txt`` from the VADER authors
(github.com/cjhutto/vaderSentiment, additional_resources/hutto_ICWSM_2014):
tab-separated id, mean human rating (-4..+4), tweet.  Issue 10 asks that the
coach's mood reading keep this correlation at least plain VADER's.

Printed, for plain VADER's compound score, the coach's corrected VADER alone,
and the reading the app shows for a customer line (corrected VADER blended with
the sentence reader's meaning, ``Coach._utterance``): Pearson and Spearman
correlation with the human mean, and the share of tweets whose sign is right
(tweets rated within 0.5 of neutral are left out of that one).  Only figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from companion.analysis.reader.mood import blend, load_mood_reader
from companion.analysis.sentiment import SentimentReader
from companion.errors import CompanionError
from companion.exit_codes import USER_ERROR

NEUTRAL_BAND = 0.5  # |human rating| below this: no sign to get right


def read_tweets(path: Path) -> tuple[np.ndarray, list[str]]:
    ratings: list[float] = []
    texts: list[str] = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            parts = line.rstrip("\n").split("\t")
            try:
                ratings.append(float(parts[1]))
            except (IndexError, ValueError):
                raise ValueError(f"{path}, line {number}: expected id<TAB>rating<TAB>text") from None
            texts.append("\t".join(parts[2:]))
    if not texts:
        raise ValueError(f"{path}: no tweets in it")
    return np.array(ratings), texts


def _ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="mergesort")
    ranks = np.empty(len(x))
    ranks[order] = np.arange(len(x))
    # Ties share their mean rank, as Spearman's rho asks.
    _, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    sums = np.bincount(inverse, weights=ranks)
    return (sums / counts)[inverse]


def figures(scores: np.ndarray, human: np.ndarray) -> dict[str, float]:
    signed = np.abs(human) >= NEUTRAL_BAND
    return {
        "pearson": round(float(np.corrcoef(scores, human)[0, 1]), 4),
        "spearman": round(float(np.corrcoef(_ranks(scores), _ranks(human))[0, 1]), 4),
        "sign_accuracy": round(float(np.mean(np.sign(scores[signed]) == np.sign(human[signed]))), 4),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("tweets", type=Path)
    args = ap.parse_args()
    try:
        human, texts = read_tweets(args.tweets)
        moods = load_mood_reader()
    except OSError as exc:
        print(f"tweet_mood: cannot read {args.tweets}: {exc.strerror or exc}", file=sys.stderr)
        return USER_ERROR
    except (ValueError, CompanionError) as exc:
        print(f"tweet_mood: {exc}", file=sys.stderr)
        return USER_ERROR
    plain = SentimentIntensityAnalyzer()
    coach = SentimentReader()
    vader = np.array([plain.polarity_scores(t)["compound"] for t in texts])
    corrected = np.array([coach.read(t, "customer").score for t in texts])
    senses = [moods.sense(t) for t in texts]
    shown = np.array([blend(c, s) for c, s in zip(corrected, senses, strict=True)])
    report = {
        "tweets": len(texts),
        "signed_tweets": int(np.sum(np.abs(human) >= NEUTRAL_BAND)),
        "plain_vader": figures(vader, human),
        "coach_vader_corrected": figures(corrected, human),
        "coach_customer_mood": figures(shown, human),
    }
    print(f"tweets {report['tweets']} (sign scored on {report['signed_tweets']} with |rating| >= {NEUTRAL_BAND})")
    for name in ("plain_vader", "coach_vader_corrected", "coach_customer_mood"):
        f = report[name]
        print(f"{name} pearson {f['pearson']} spearman {f['spearman']} sign_accuracy {f['sign_accuracy']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
