"""``call-companion export SESSION --format ... -o OUT``: a stored call as a file."""

from __future__ import annotations

import argparse
from pathlib import Path

from companion.commands.store_location import add_store_option, open_store
from companion.errors import StoreError
from companion.store.bundle import export_bundle
from companion.store.export import FORMATS, PdfRenderer, export_session
from companion.store.session_data import load_session


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="write a stored call as a transcript, a scorecard or a bundle")
    p.add_argument("session", help="the session's number or id (see 'sessions list')")
    p.add_argument("--format", required=True, choices=[*FORMATS, "bundle"], help="what to write")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="OUT", help="the file to write")
    p.add_argument("--no-redact", action="store_true", help="keep card numbers, e-mails and the like in the clear")
    add_store_option(p)
    p.set_defaults(handler=run)


def pdf_renderer() -> PdfRenderer:
    """The window's PDF printer; the core has none, as it never loads Qt."""
    try:
        from companion.ui.pdf import render_pdf  # type: ignore[import-not-found]
    except ImportError as exc:
        raise StoreError("PDF export is not available in this build; use --format html") from exc
    return render_pdf  # type: ignore[no-any-return]


def run(args: argparse.Namespace) -> int:
    redact = not args.no_redact
    with open_store(args, readonly=True) as store:
        if args.format == "bundle":
            out = export_bundle(store, args.session, args.output, redact=redact)
        else:
            session = load_session(store, args.session, redact=redact)
            renderer = pdf_renderer() if args.format == "pdf" else None
            out = export_session(session, args.format, args.output, render_pdf=renderer)
    print(f"wrote {out}")
    return 0
