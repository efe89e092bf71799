"""``--channels A,C``: which channels of a multichannel recording carry the agent and the customer."""

from __future__ import annotations

import argparse


def add_channels_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--channels",
        default=None,
        metavar="A,C",
        help="the agent's and the customer's channel of a recording with more than two (1-based, e.g. 1,3); "
        "without it such a file uses channels 1 and 2 and says so",
    )
