"""``call-companion team init|add-user|sync|status|retention|delete``: the team store from the command line.

``--db`` takes a libpq URL (``postgresql://user:password@host/dbname?sslmode=verify-full``);
without it, ``CALL_COMPANION_TEAM_DB`` is used.  What each login may do is up to the
database: these commands ask, and report the database's answer.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime

from companion.commands.store_location import add_store_option, open_store, store_dir
from companion.errors import InputError
from companion.team import library
from companion.team.connection import connect, describe
from companion.team.outbox import Outbox
from companion.team.sync import sync
from companion.team.users import ROLES, add_user, init_database, set_retention

DB_ENV = "CALL_COMPANION_TEAM_DB"


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        metavar="URL",
        default=None,
        help=f"the team database, postgresql://user:password@host/dbname (default: ${DB_ENV})",
    )


def db_url(args: argparse.Namespace) -> str:
    url = args.db or os.environ.get(DB_ENV, "")
    if not url:
        raise InputError(f"no team database given: pass --db URL or set {DB_ENV}")
    return str(url)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("team", help="the team store on PostgreSQL: set up, add users, sync, status")
    actions = p.add_subparsers(dest="action", required=True)

    init = actions.add_parser("init", help="create or update the schema, roles and policies (admin login)")
    add_db_option(init)
    init.set_defaults(handler=run_init)

    user = actions.add_parser("add-user", help="add an agent or a lead; prints their connection URL last")
    user.add_argument("name", help="the login name (lower-case letters, digits, _)")
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--team", default=None, help="the team the agent belongs to, or the lead leads")
    add_db_option(user)
    user.set_defaults(handler=run_add_user)

    push = actions.add_parser("sync", help="push this store's finished sessions now and pull notes back")
    add_db_option(push)
    add_store_option(push)
    push.set_defaults(handler=run_sync)

    status = actions.add_parser("status", help="what waits in the outbox, the last sync and its errors")
    add_store_option(status)
    status.set_defaults(handler=run_status)

    keep = actions.add_parser("retention", help="keep sessions DAYS days ('off': for ever); admin login")
    keep.add_argument("days", help="a number of days, or off")
    add_db_option(keep)
    keep.set_defaults(handler=run_retention)

    delete = actions.add_parser("delete", help="delete a session from the team database (lead or admin)")
    delete.add_argument("uid", help="the session's uid")
    delete.add_argument("--local", action="store_true", help="delete it from this store too")
    add_db_option(delete)
    add_store_option(delete)
    delete.set_defaults(handler=run_delete)


def run_init(args: argparse.Namespace) -> int:
    print(init_database(db_url(args)))
    return 0


def run_add_user(args: argparse.Namespace) -> int:
    url = add_user(db_url(args), args.name, args.role, args.team)
    where = f" of team {args.team}" if args.team else ""
    print(f"added {args.role} {args.name}{where}; give them this URL (it holds their password, shown only now):")
    print(url)
    return 0


def run_sync(args: argparse.Namespace) -> int:
    url = db_url(args)
    with open_store(args) as store, Outbox(store_dir(args)) as outbox:
        report = sync(store, outbox, url)
    print(f"team database: {describe(url)}")
    for line in report.lines():
        print(line)
    return 2 if report.stopped else 0


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "never"
    return datetime.fromtimestamp(stamp, UTC).isoformat(timespec="seconds")


def run_status(args: argparse.Namespace) -> int:
    with Outbox(store_dir(args)) as outbox:
        st = outbox.status()
    print(f"pending: {st.pending} (waiting to retry: {st.waiting})")
    print(f"sent: {st.sent}")
    print(f"last sync: {_when(st.last_sync)}")
    print(f"last error: {st.last_error or 'none'}")
    for uid, error in st.errors:
        print(f"  {uid}: {error}")
    return 0


def run_retention(args: argparse.Namespace) -> int:
    text = str(args.days).strip().lower()
    if text in ("off", "none", "forever"):
        days = None
    elif text.isdigit():
        days = int(text)
    else:
        raise InputError(f"'{args.days}' is not a number of days (or 'off')")
    print(set_retention(db_url(args), days))
    return 0


def run_delete(args: argparse.Namespace) -> int:
    with connect(db_url(args)) as conn:
        gone = library.delete_session(conn, args.uid)
    print(f"team database: {'deleted' if gone else 'not deleted (not there, or this login may not)'} {args.uid}")
    if args.local:
        with open_store(args) as store:
            local_id = store.find_uid(args.uid)
            if local_id is not None:
                store.delete_session(local_id)
                with Outbox(store_dir(args)) as outbox:
                    outbox.forget(args.uid)
            print(f"this store: {'deleted' if local_id is not None else 'not there'} {args.uid}")
    return 0 if gone else 2
