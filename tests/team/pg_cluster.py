"""A throwaway PostgreSQL 15 cluster for the team tests: initdb in a temp folder, a unix socket there.

The server refuses to run as root and CI runs as root, so the cluster belongs to
the unprivileged ``postgres`` user (``runuser``) when the tests run as root.
Passwords are checked (scram-sha-256) for every login but the cluster's own
superuser, so the tests exercise the same authentication a team database uses.
"""

from __future__ import annotations

import _socket
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

BIN = Path("/usr/lib/postgresql/15/bin")
SUPERUSER = "postgres"


def free_port() -> int:
    """A TCP port nobody listens on now (the server also listens on 127.0.0.1, and other runs may be going)."""
    # The C-level socket: the store tests' privacy guard replaces socket.socket while a call runs, and the
    # session-wide cluster may be started under it; this port probe is loopback-only and no part of a call.
    probe = _socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
    finally:
        probe.close()


HBA = """\
local all postgres trust
local all all scram-sha-256
host  all all 127.0.0.1/32 scram-sha-256
"""


def _as_owner(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", SUPERUSER, "--", *cmd]
    return cmd


@dataclass
class Cluster:
    root: Path
    durable: bool = False  # fsync on (the benchmark); the tests run without it
    port: int = field(default_factory=free_port)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    def url(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@/{dbname}?host={self.socket_dir}&port={self.port}"

    def run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(_as_owner(list(cmd)), capture_output=True, text=True, check=check, timeout=120)

    def start(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            # The server runs as postgres: it needs the folders it writes to, and a way in.
            shutil.chown(self.root, SUPERUSER)
            shutil.chown(self.socket_dir, SUPERUSER)
            for parent in self.root.parents:
                mode = parent.stat().st_mode
                if not mode & 0o001:
                    parent.chmod(mode | 0o001)  # traverse only, nothing listed
        # Other users (and the test process, as root) must reach the socket: 0711 on the root.
        self.root.chmod(0o711)
        self.socket_dir.chmod(0o777)
        self.run(
            str(BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "-E",
            "UTF8",
            "--no-sync",
            "--locale=C.UTF-8",
        )
        (self.data / "pg_hba.conf").write_text(HBA)
        options = (
            f"-k {self.socket_dir} -p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c fsync={'on' if self.durable else 'off'} "
            f"-c shared_buffers={'256MB' if self.durable else '64MB'} -c max_connections=60"
        )
        self.run(
            str(BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.root / "server.log"), "-w", "start"
        )

    def stop(self) -> None:
        self.run(str(BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""
