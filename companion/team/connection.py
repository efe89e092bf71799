"""Connecting to the team database: one message for each way it fails, and connection URLs.

A URL is a libpq URI (``postgresql://user:password@host:port/db?sslmode=verify-full``);
for a unix socket the host goes in the query (``?host=/run/postgresql``).  Nothing here
talks to any server but the one the URL names.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import psycopg
from psycopg import conninfo

from companion.team.errors import TeamError
from companion.team.schema import check_schema

CONNECT_TIMEOUT_S = 5


def parse_url(url: str) -> dict[str, str]:
    """The URL's parts, or a TeamError naming what is wrong with it."""
    if not url or not url.strip():
        raise TeamError("no team database given: pass --db postgresql://user:password@host/dbname")
    try:
        parts = conninfo.conninfo_to_dict(url.strip())
    except psycopg.ProgrammingError as exc:
        raise TeamError(f"the team database URL is not valid: {_first_line(exc)}") from exc
    return {k: str(v) for k, v in parts.items() if v is not None}


def make_url(parts: dict[str, str]) -> str:
    """A ``postgresql://`` URL from libpq parameters (a socket folder goes in the query)."""
    user = quote(parts.get("user", ""), safe="")
    password = parts.get("password")
    auth = f"{user}:{quote(password, safe='')}@" if password else (f"{user}@" if user else "")
    host = parts.get("host", "")
    query = {k: v for k, v in parts.items() if k not in ("user", "password", "host", "port", "dbname")}
    netloc = ""
    if host.startswith("/"):
        query = {"host": host, **({"port": parts["port"]} if "port" in parts else {}), **query}
    else:
        netloc = host + (f":{parts['port']}" if "port" in parts else "")
    url = f"postgresql://{auth}{netloc}/{quote(parts.get('dbname', ''), safe='')}"
    return url + ("?" + urlencode(query) if query else "")


def without_password(url: str) -> tuple[str, str | None]:
    """(the URL with its password taken out, the password): what the settings keep apart."""
    parts = parse_url(url)
    password = parts.pop("password", None)
    return make_url(parts), password


def with_password(url: str, password: str | None) -> str:
    if not password:
        return url
    parts = parse_url(url)
    parts["password"] = password
    return make_url(parts)


def describe(url: str) -> str:
    """``user@host/db`` for messages: never the password."""
    parts = parse_url(url)
    return f"{parts.get('user', '?')}@{parts.get('host', 'localhost')}/{parts.get('dbname', '?')}"


def connect(url: str, check: bool = True, autocommit: bool = False) -> psycopg.Connection:
    """A connection to the team database; ``check`` refuses one whose schema this app does not know."""
    parse_url(url)
    try:
        conn = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=autocommit)
    except psycopg.OperationalError as exc:
        raise connection_error(exc, url) from exc
    if check:
        try:
            check_schema(conn)
            if not autocommit:
                conn.commit()
        except BaseException:
            conn.close()
            raise
    return conn


def connection_error(exc: BaseException, url: str) -> TeamError:
    """A failure to reach or log in to the server, said for a person."""
    text = _first_line(exc)
    lower = text.lower()
    where = describe(url)
    if "password authentication failed" in lower or "no password supplied" in lower:
        return TeamError(f"the team database refused the login {where}: wrong user name or password")
    if "does not exist" in lower and "database" in lower:
        return TeamError(f"the team database {where} does not exist: {text}")
    if "certificate" in lower or "ssl" in lower:
        return TeamError(f"the secure connection to {where} failed: {text}")
    return TeamError(f"cannot reach the team database {where}: {text}")


def database_error(exc: psycopg.Error, what: str) -> TeamError:
    """A refused statement (a policy, a missing right) or a lost connection, for a person."""
    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return TeamError(f"{what}: this login is not allowed to ({_first_line(exc)})")
    if isinstance(exc, psycopg.OperationalError):
        return TeamError(f"{what}: the connection to the team database was lost ({_first_line(exc)})")
    return TeamError(f"{what}: {_first_line(exc)}")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
