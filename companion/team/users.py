"""What an admin does: set the database up, add agents and leads, set the retention period.

A user is a PostgreSQL login (``CREATE ROLE ... LOGIN``) in one of the group roles
the schema made, plus a row in ``team.members`` saying which team it belongs to or
leads.  The password is made here, shown once (in the login's URL), and never stored.
"""

from __future__ import annotations

import re
import secrets

import psycopg
from psycopg import sql

from companion.team.connection import connect, database_error, make_url, parse_url
from companion.team.errors import TeamError
from companion.team.schema import GROUP_ROLES, migrate

ROLES = ("agent", "lead", "admin")
_LOGIN = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


def init_database(url: str) -> str:
    """Create or update the schema, roles and policies; what it did, in one line."""
    with connect(url, check=False) as conn:
        try:
            before, after = migrate(conn)
        except psycopg.errors.InsufficientPrivilege as exc:
            raise TeamError(
                "team init needs an admin login (the database's owner with the right to create roles): "
                f"{str(exc).splitlines()[0]}"
            ) from exc
        except psycopg.Error as exc:
            raise database_error(exc, "team init failed") from exc
    if before == after:
        return f"the team database is up to date (schema {after}); nothing changed"
    return f"the team database is set up: schema {before} -> {after}, roles agent, lead and admin, policies on"


def check_login_name(name: str) -> str:
    login = name.strip().lower()
    if not _LOGIN.match(login):
        raise TeamError(
            f"'{name}' cannot be a user name: use lower-case letters, digits and _ (starting with a letter)"
        )
    return login


def add_user(url: str, name: str, role: str, team: str | None) -> str:
    """Create a login in ``role`` (for ``team``); return its connection URL with the new password."""
    login = check_login_name(name)
    if role not in ROLES:
        raise TeamError(f"unknown role '{role}': use agent, lead or admin")
    if role != "admin" and not (team and team.strip()):
        raise TeamError(f"an {role} belongs to a team: pass --team NAME")
    password = secrets.token_urlsafe(18)
    with connect(url) as conn:
        try:
            with conn.transaction():
                exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone()
                if exists:
                    raise TeamError(f"there is already a login '{login}' on this server; choose another name")
                conn.execute(
                    sql.SQL(
                        "CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}" + (" CREATEROLE" if role == "admin" else "")
                    ).format(sql.Identifier(login), sql.Literal(password), sql.Identifier(GROUP_ROLES[role]))
                )
                if team and team.strip():
                    team_id = _team_id(conn, team.strip())
                    conn.execute(
                        "INSERT INTO team.members (login, team_id, role) VALUES (%s, %s, %s)", (login, team_id, role)
                    )
        except psycopg.Error as exc:
            raise database_error(exc, f"cannot add the user '{login}'") from exc
    parts = parse_url(url)
    parts["user"] = login
    parts["password"] = password
    return make_url(parts)


def add_lead_team(url: str, name: str, team: str) -> None:
    """Let an existing lead lead one more team."""
    login = check_login_name(name)
    with connect(url) as conn:
        try:
            with conn.transaction():
                team_id = _team_id(conn, team.strip())
                conn.execute(
                    "INSERT INTO team.members (login, team_id, role) VALUES (%s, %s, 'lead') ON CONFLICT DO NOTHING",
                    (login, team_id),
                )
        except psycopg.Error as exc:
            raise database_error(exc, f"cannot make '{login}' a lead of {team}") from exc


def _team_id(conn: psycopg.Connection, team: str) -> int:
    row = conn.execute(
        "INSERT INTO team.teams (name) VALUES (%s) ON CONFLICT (name) DO UPDATE SET name = excluded.name RETURNING id",
        (team,),
    ).fetchone()
    assert row is not None
    return int(row[0])


def set_retention(url: str, days: int | None) -> str:
    """Keep sessions ``days`` days (None: for ever); the database hides and purges older ones."""
    if days is not None and days <= 0:
        raise TeamError("the retention period is a number of days above 0 (or 'off')")
    with connect(url) as conn:
        try:
            with conn.transaction():
                conn.execute("UPDATE team.settings SET retention_days = %s", (days,))
                (gone,) = conn.execute("SELECT team.purge_expired()").fetchone() or (0,)
        except psycopg.Error as exc:
            raise database_error(exc, "cannot set the retention period") from exc
    kept = "for ever" if days is None else f"{days} days"
    return f"sessions are kept {kept}; {gone} older session(s) deleted"
