"""The real API server as a subprocess on a free loopback port, for tests and benchmarks.

Needs httpx (the `test` extra) to see when the server answers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import storyline

SRC = Path(storyline.__file__).resolve().parents[1]


class ServerStartError(AssertionError):
    """The server exited, or did not answer in time."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db: str, port: int, log: Path, *, write_rate: str, timeout: float, cwd: str | None = None
) -> subprocess.Popen[bytes]:
    """`python -m storyline.cli serve` over `db`, output appended to `log`, once GET /api/v1/stories is 200.

    No token and no STORYLINE_DB from this environment; STORYLINE_WRITE_RATE is `write_rate`. Raises
    ServerStartError when the server exits first, or (after killing it) when it does not answer
    within `timeout` seconds.
    """
    import httpx

    env = {k: v for k, v in os.environ.items() if k not in ("STORYLINE_TOKEN", "STORYLINE_DB")}
    env["STORYLINE_WRITE_RATE"] = write_rate
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    with open(log, "ab") as handle:
        proc = subprocess.Popen(
            [sys.executable, "-m", "storyline.cli", "serve", "--db", db, "--host", "127.0.0.1",
             "--port", str(port)], stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=cwd)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerStartError(f"server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/stories", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise ServerStartError(f"server did not start within {timeout:g} s")
