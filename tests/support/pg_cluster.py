"""A throwaway PostgreSQL cluster owned by one test run (or one benchmark).

`start()` runs initdb into a fresh temporary folder and `pg_ctl start` on 127.0.0.1 with a
free port; `Cluster.stop()` stops it and deletes the folder. A run killed before it could
stop its cluster leaves it behind; the next `start()` sweeps it away. The binaries are found on
PATH, else under /usr/lib/postgresql/<version>/bin (Debian's place), else in
$PASSPORT_TEST_PG_BIN. As root (CI), the server runs as the `postgres` system user.

TCP logins need a password (scram-sha-256): clients find it in PGPASSWORD, libpq's own
mechanism, which `Cluster.environ()` provides. The default collation is ICU English, not
"C", so a store that forgets COLLATE "C" on its keys sorts them wrongly and tests notice.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psycopg

PREFIX = "passport-pg-"
USER = "passport"
DATABASE = "passport"
SERVER_SETTINGS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=200 -c shared_buffers=256MB"
)


class Postgres:
    """A running server as tests use it: a fresh schema (a fresh store) per `new_url()`."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def url(self, schema: str) -> str:
        return self.cluster.url(schema)

    def new_url(self, prefix: str = "t") -> str:
        return self.cluster.url(f"{prefix}_{uuid.uuid4().hex[:12]}")


class Unavailable(RuntimeError):
    """PostgreSQL's server binaries are not installed here."""


@dataclass
class Cluster:
    root: Path
    bindir: Path
    port: int
    password: str
    run_as: str | None

    @property
    def data(self) -> Path:
        return self.root / "data"

    def url(self, schema: str | None = None, database: str = DATABASE) -> str:
        """A store URL without a password (it comes from PGPASSWORD)."""
        query = f"?schema={schema}" if schema else ""
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{database}{query}"

    def environ(self) -> dict[str, str]:
        return {"PGPASSWORD": self.password}

    def connect(self, database: str = DATABASE) -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=USER,
            password=self.password,
            dbname=database,
            autocommit=True,
        )

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            command = [str(self.bindir / "pg_ctl"), "stop", "-D", str(self.data), "-m", "fast"]
            with contextlib.suppress(subprocess.CalledProcessError):
                _run(self, command)
        shutil.rmtree(self.root, ignore_errors=True)


def find_bindir() -> Path:
    given = os.environ.get("PASSPORT_TEST_PG_BIN")
    candidates = [Path(given)] if given else []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(on_path).resolve().parent)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)],
        reverse=True,
    )
    candidates += versions
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise Unavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found on PATH, under "
        "/usr/lib/postgresql/*/bin or in $PASSPORT_TEST_PG_BIN; install them "
        "(Debian: apt-get install postgresql, as .ci/apt-packages lists)"
    )


def start(settings: str = SERVER_SETTINGS) -> Cluster:
    """initdb, start on a free loopback port, create the `passport` database.

    `settings` are server options (`-c name=value ...`); the default trades durability
    for speed, as tests may."""
    bindir = find_bindir()
    run_as = _system_user()
    _sweep(bindir, run_as)
    root = Path(tempfile.mkdtemp(prefix=PREFIX))
    (root / "owner").write_text(str(os.getpid()))
    if run_as:
        shutil.chown(root, user=run_as, group=run_as)
    cluster = Cluster(root, bindir, 0, secrets.token_hex(16), run_as)
    try:
        _initdb(cluster)
        _start_server(cluster, settings)
        with cluster.connect("postgres") as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _sweep(bindir: Path, run_as: str | None) -> None:
    """Stop and delete the clusters of earlier runs that were killed before they could."""
    for owner in Path(tempfile.gettempdir()).glob(f"{PREFIX}*/owner"):
        try:
            pid = int(owner.read_text())
            os.kill(pid, 0)
            continue  # its run is still going
        except ProcessLookupError:
            pass
        except (OSError, ValueError):
            continue
        Cluster(owner.parent, bindir, 0, "", run_as).stop()


def _system_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        raise Unavailable(
            "running as root, but there is no `postgres` user to run the server"
        ) from None
    return "postgres"


def _initdb(cluster: Cluster) -> None:
    pwfile = cluster.root / "pwfile"
    pwfile.write_text(cluster.password + "\n")
    if cluster.run_as:
        shutil.chown(pwfile, user=cluster.run_as)
    command = [
        str(cluster.bindir / "initdb"),
        "-D",
        str(cluster.data),
        "-U",
        USER,
        f"--pwfile={pwfile}",
        "--auth-host=scram-sha-256",
        "--auth-local=trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        "--locale-provider=icu",
        "--icu-locale=en",
        "--no-sync",
    ]
    _run(cluster, command)


def _start_server(cluster: Cluster, settings: str) -> None:
    last = ""
    for _ in range(5):  # a free port may be taken between the check and the start
        cluster.port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {cluster.port} "
            f"-c unix_socket_directories={cluster.root} {settings}"
        )
        log = cluster.root / "server.log"
        command = [str(cluster.bindir / "pg_ctl"), "start", "-D", str(cluster.data)]
        command += ["-w", "-t", "60", "-l", str(log), "-o", options]
        try:
            _run(cluster, command)
            return
        except subprocess.CalledProcessError:
            last = log.read_text(errors="replace") if log.exists() else ""
            time.sleep(0.2)
    raise RuntimeError(f"the PostgreSQL test server did not start:\n{last[-2000:]}")


def _run(cluster: Cluster, command: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    subprocess.run(
        command,
        check=True,
        capture_output=True,
        env=env,
        cwd=cluster.root,
        user=cluster.run_as,
        group=cluster.run_as,
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
