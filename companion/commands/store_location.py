"""Where the command line finds the session store: ``--store-dir`` or the default the window uses too."""

from __future__ import annotations

import argparse
from pathlib import Path

from companion.paths import default_store_dir
from companion.store.db import DB_NAME, SessionStore
from companion.store.migrate import adopt_default_stores


def add_store_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--store-dir",
        type=Path,
        default=None,
        metavar="DIR",
        help=f"the session store to use (default {default_store_dir()}, which the window uses too)",
    )


def store_dir(args: argparse.Namespace) -> Path:
    if args.store_dir:
        return Path(args.store_dir).expanduser().absolute()
    folder = default_store_dir()
    adopt_default_stores(folder)  # sessions an older window kept in its own folder
    return folder


def store_exists(args: argparse.Namespace) -> bool:
    """Whether there is a store to read: a folder named with ``--store-dir`` is taken to be one
    (a mistyped path is an error, said in words); the default has none until the first call is kept."""
    return bool(args.store_dir) or (store_dir(args) / DB_NAME).exists()


def open_store(args: argparse.Namespace, readonly: bool = False) -> SessionStore:
    return SessionStore(store_dir(args), readonly=readonly)
