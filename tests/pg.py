"""A throwaway PostgreSQL cluster for tests: initdb in a temp dir, a free loopback port, trust auth.

As root the server runs as the `postgres` system user (initdb refuses root). Nothing outside the
temp dir is touched; `stop()` (pg_ctl stop -m immediate) is safe to call more than once.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import psycopg


def find_bindir() -> Path | None:
    """The directory holding initdb and pg_ctl: $PG_BINDIR, /usr/lib/postgresql/<newest>/bin, or PATH."""
    candidates = [os.environ.get("PG_BINDIR", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for cand in candidates:
        if cand and (Path(cand) / "initdb").is_file() and (Path(cand) / "pg_ctl").is_file():
            return Path(cand)
    return None


def unavailable_reason() -> str | None:
    """Why a test cluster cannot be started here, or None."""
    if find_bindir() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl) not found: run scripts/install_postgres.sh"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no 'postgres' user to run the test server as"
        if not shutil.which("runuser"):
            return "running as root and runuser is missing"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgCluster:
    def __init__(self) -> None:
        bindir = find_bindir()
        if bindir is None:
            raise RuntimeError(unavailable_reason() or "no PostgreSQL")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="storyline-pg-"))
        self.datadir = self.root / "data"
        self.sockdir = self.root / "sock"
        self.log = self.root / "server.log"
        self.port = 0
        self.as_root = os.geteuid() == 0
        if self.as_root:
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, "postgres", "postgres")
        self.sockdir.mkdir()
        if self.as_root:
            shutil.chown(self.sockdir, "postgres", "postgres")

    # -- processes ----------------------------------------------------------------------------------
    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.as_root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=timeout, cwd=self.root)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.datadir), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")

    def start(self) -> None:
        """Start (or restart after a crash) on a free port; waits until connections are accepted."""
        if not self.port:
            self.port = free_port()
        opts = (
            f"-k {self.sockdir} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=60 -c shared_buffers=32MB"
        )
        for attempt in range(3):
            res = self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.datadir), "-l", str(self.log),
                            "-o", opts, check=False)
            if res.returncode == 0:
                return
            if attempt < 2 and "could not bind" in self.log_tail():  # the port was taken meanwhile
                self.port = free_port()
                opts = opts.replace(opts.split(" -p ")[1].split()[0], str(self.port))
                continue
            raise RuntimeError(f"pg_ctl start failed: {res.stderr}\n{self.log_tail()}")

    def stop(self) -> None:
        if self.datadir.exists():
            self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.datadir), check=False)

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.datadir / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def crash(self) -> None:
        """kill -9 the postmaster and every server process it started, as a power cut would."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        children = _children(pid)
        for p in [pid, *children]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(p) for p in [pid, *children]):
            time.sleep(0.05)
        # A killed postmaster may linger as a zombie until its (adopting) parent reaps it, and a
        # zombie still "exists" for the stale-lock checks at the next start: the lock files go.
        for stale in [self.datadir / "postmaster.pid", *self.sockdir.glob(".s.PGSQL.*")]:
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, n: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    # -- databases ------------------------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, prefix: str = "t") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _children(pid: int) -> list[int]:
    out = []
    for stat in glob.glob("/proc/[0-9]*/stat"):
        try:
            fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(Path(stat).parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"


def start_cluster() -> PgCluster:
    cluster = PgCluster()
    try:
        cluster.init()
        cluster.start()
    except BaseException:
        cluster.cleanup()
        raise
    return cluster
