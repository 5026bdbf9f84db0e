"""A throwaway PostgreSQL server for integration tests, started from Debian's packages.

`initdb` + `pg_ctl` on a temporary data directory, listening on 127.0.0.1 on a free port, with
password (scram) authentication over TCP so the code under test connects the way production does.
PostgreSQL refuses to run as root, so when the tests run as root the server runs as the `postgres`
OS user (created by the Debian package) and the temporary directory is handed to that user.

One server per test process: the `postgres_server` fixture starts it on first use and stops it at
the end of the session (and at interpreter exit as a safety net). Tests isolate themselves with
`server.create_database()`. When the binaries are missing the fixture skips with the reason, unless
OKR_REQUIRE_POSTGRES=1 (set by CI), where a missing server is an error instead of a silent skip.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest

APT_PACKAGES = "postgresql-15 (or the 'postgresql' metapackage)"
SUPERUSER = "okr"
DEFAULT_DATABASE = "okr"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started on this machine (binaries or OS user missing)."""


def find_pg_bin() -> Path | None:
    """The directory holding initdb and pg_ctl: OKR_PG_BIN_DIR, Debian's newest, or PATH."""
    candidates: list[Path] = []
    if os.environ.get("OKR_PG_BIN_DIR"):
        candidates.append(Path(os.environ["OKR_PG_BIN_DIR"]))

    def version(p: str) -> int:
        m = re.search(r"/postgresql/(\d+)/bin", p)
        return int(m.group(1)) if m else 0

    candidates += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)]
    on_path = shutil.which("pg_ctl")
    if on_path:
        candidates.append(Path(on_path).parent)
    for c in candidates:
        if (c / "initdb").is_file() and (c / "pg_ctl").is_file():
            return c
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    password: str = field(repr=False)
    database: str
    base_dir: Path
    bin_dir: Path
    os_user: str | None = None  # who the server runs as, when not the current user
    _stopped: bool = field(default=False, repr=False)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    def env(self, database: str | None = None) -> dict[str, str]:
        """The OKR_PG_* variables that point the dbt profile and the storage layer here."""
        return {
            "OKR_PG_HOST": self.host,
            "OKR_PG_PORT": str(self.port),
            "OKR_PG_USER": self.user,
            "OKR_PG_PASSWORD": self.password,
            "OKR_PG_DATABASE": database or self.database,
        }

    def connect(self, database: str | None = None, autocommit: bool = True):  # -> psycopg2 connection
        con = psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=database or self.database,
            connect_timeout=10,
        )
        con.autocommit = autocommit
        return con

    def create_database(self, name: str | None = None) -> str:
        """A new empty database (cheap with fsync off), so each test starts from nothing."""
        name = name or f"t_{secrets.token_hex(6)}"
        if not _NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        con = self.connect("postgres")
        try:
            with con.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{name}"')
        finally:
            con.close()
        return name

    def _run(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        if self.os_user:
            args = ["runuser", "-u", self.os_user, "--", *args]
        return subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        self._run([str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.base_dir, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """Initialise and start a new server; raises PostgresUnavailable when that is impossible here."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        raise PostgresUnavailable(
            "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin, "
            f"OKR_PG_BIN_DIR or PATH: install the Debian package {APT_PACKAGES}"
        )
    os_user = None
    if os.geteuid() == 0:  # postgres refuses to run as root
        try:
            os_user = pwd.getpwnam("postgres").pw_name
        except KeyError:
            raise PostgresUnavailable(
                "running as root and there is no 'postgres' OS user to run the server as "
                f"(the Debian package {APT_PACKAGES} creates it)"
            ) from None
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("running as root and 'runuser' (util-linux) is missing")

    # Directly under /tmp: short enough for the unix socket path, and reachable by the postgres
    # user (pytest's own tmp dirs are private to the current user).
    base = Path(tempfile.mkdtemp(prefix="okr-pg-"))
    password = secrets.token_urlsafe(18)
    pwfile = base / "pwfile"
    pwfile.write_text(password + "\n", encoding="utf-8")
    pwfile.chmod(0o600)
    if os_user:
        entry = pwd.getpwnam(os_user)
        for p in (base, pwfile):
            os.chown(p, entry.pw_uid, entry.pw_gid)

    server = PostgresServer(
        host="127.0.0.1",
        port=0,
        user=SUPERUSER,
        password=password,
        database=DEFAULT_DATABASE,
        base_dir=base,
        bin_dir=bin_dir,
        os_user=os_user,
    )
    try:
        init = server._run(
            [
                str(bin_dir / "initdb"),
                "-D",
                str(server.data_dir),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "--encoding=UTF8",
                # C collation: byte order like DuckDB, so ORDER BY on text agrees between engines.
                "--locale=C",
                "--no-sync",
            ]
        )
        pwfile.unlink()
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed ({init.returncode}):\n{init.stdout}\n{init.stderr}")
        last = ""
        for _ in range(5):  # a free port can be taken between probing and binding: retry
            server.port = _free_port()
            opts = (
                f"-c listen_addresses=127.0.0.1 -p {server.port} -k {base} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c TimeZone=UTC "
                "-c max_connections=50"
            )
            start = server._run(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(server.data_dir),
                    "-l",
                    str(server.log_file),
                    "-o",
                    opts,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            )
            if start.returncode == 0:
                break
            last = start.stdout + start.stderr
            with contextlib.suppress(OSError):
                last += "\n" + server.log_file.read_text(encoding="utf-8", errors="replace")[-2000:]
        else:
            raise RuntimeError(f"pg_ctl start failed 5 times; last output:\n{last}")
        server.create_database(DEFAULT_DATABASE)
    except BaseException:
        server.stop()
        raise
    return server


_shared: PostgresServer | None = None


def shared_server() -> PostgresServer:
    """The one server of this test process, started on first use."""
    global _shared
    if _shared is None or _shared._stopped:
        _shared = start_postgres()
        atexit.register(_shared.stop)
    return _shared


def stop_shared_server() -> None:
    if _shared is not None:
        _shared.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A running throwaway PostgreSQL (skips when it cannot be started here, fails under CI)."""
    try:
        server = shared_server()
    except PostgresUnavailable as exc:
        if os.environ.get("OKR_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"OKR_REQUIRE_POSTGRES=1 but {exc}")
        pytest.skip(str(exc))
    yield server
    # Several conftests may import this fixture (one definition each); stopping is idempotent.
    stop_shared_server()
