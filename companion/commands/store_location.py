"""Where the command line finds the session store: ``--store-dir`` or the user's data folder.

The store itself never decides this; the window passes the QStandardPaths
folder and the command line passes the XDG one computed here.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from companion.store.db import SessionStore


def default_store_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "call-companion"


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"the session store to use (default {default_store_dir()})",
    )


def store_dir(args: argparse.Namespace) -> Path:
    return args.store_dir or default_store_dir()


def open_store(args: argparse.Namespace, readonly: bool = False) -> SessionStore:
    return SessionStore(store_dir(args), readonly=readonly)
