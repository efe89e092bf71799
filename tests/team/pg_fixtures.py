"""One PostgreSQL cluster for every test that needs one (started once, stopped at the end).

Registered in tests/conftest.py, so the team tests and the window's team test share it.

Each test gets its own database in that cluster (``team_db``), set up with
``team init`` through the command line, so tests never see each other's rows;
logins are cluster-wide, so each test names its users with its own prefix.
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from companion.cli import main
from tests.team.pg_cluster import BIN, Cluster

_counter = itertools.count()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    if not (BIN / "initdb").exists():
        pytest.fail("PostgreSQL 15 is needed for the team tests: run scripts/setup.sh --test")
    root = Path(tempfile.mkdtemp(prefix="cc-pg-"))
    cluster = Cluster(root / "cluster")
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class TeamDb:
    cluster: Cluster
    name: str
    prefix: str  # for login names, unique to this test

    @property
    def admin_url(self) -> str:
        return self.cluster.url(self.name)

    def login(self, short: str) -> str:
        return f"{self.prefix}_{short}"

    def add_user(self, short: str, role: str, team: str | None, capsys: pytest.CaptureFixture[str]) -> str:
        """The new login's URL, as ``team add-user`` prints it (its last line)."""
        argv = ["team", "add-user", self.login(short), "--role", role, "--db", self.admin_url]
        if team:
            argv += ["--team", team]
        capsys.readouterr()
        assert main(argv) == 0
        return capsys.readouterr().out.strip().splitlines()[-1]

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin_url, autocommit=True)


@pytest.fixture
def team_db(pg_cluster: Cluster, capsys: pytest.CaptureFixture[str]) -> TeamDb:
    n = next(_counter)
    name = f"team_{n}"
    with psycopg.connect(pg_cluster.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    db = TeamDb(pg_cluster, name, f"t{n}")
    assert main(["team", "init", "--db", db.admin_url]) == 0
    capsys.readouterr()
    return db
