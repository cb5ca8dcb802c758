"""A real ``verivote board serve`` process for tests, on 127.0.0.1 and a free port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

VERIVOTE = str(Path(sys.executable).parent / "verivote")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def post_admin(board: str, type: str, payload: dict[str, Any]) -> None:
    """Post an administrator's entry of tests/election/scenario's election to ``board``."""
    from tests.election.scenario import ELECTION, admin

    answer = httpx.post(
        f"{board}/v1/elections/{ELECTION}/entries",
        content=admin(type, payload).raw,
        headers={"content-type": "application/json"},
    )
    assert answer.status_code == 201, answer.text


def publish_booth(board: str) -> str:
    """Spec §11.14 Post scenario's definition and a release of the installed booth to ``board``
    (its rules the election's); the booth's URL."""
    from bulletin_board.booth import BoothFiles
    from election.wire import BoothRelease, DefinitionPayload
    from tests.election.scenario import DEFINITION, ELECTION

    post_admin(board, "election-definition", DefinitionPayload(DEFINITION).to_json())
    release = BoothRelease.of_files(BoothFiles.read().files, version="test")
    post_admin(board, "booth-release", release.to_json())
    return f"{board}/booth/{ELECTION}/"


class BoardServer:
    """Starts ``verivote board serve`` in its own process group; ``kill`` sends SIGKILL to it."""

    def __init__(
        self,
        db: str,
        key: Path,
        *,
        workers: int = 1,
        create: str = "e1",
        rules: str | None = "generic",
        env: dict[str, str] | None = None,
        write_rate: float = 0,
        options: tuple[str, ...] = (),
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = [
            VERIVOTE, "board", "serve", "--db", db, "--key", str(key), "--host", "127.0.0.1",
            "--port", str(self.port), "--workers", str(workers), "--write-rate", str(write_rate),
            *(["--rules", rules] if rules is not None else []), *options,
        ]  # fmt: skip
        if create:
            args += ["--create-election", create]
        self.log = key.parent / f"serve-{self.port}.log"
        self._log = self.log.open("wb")
        self.process = subprocess.Popen(
            args,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=None if env is None else {**os.environ, **env},
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"board server exited: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.url}/v1/elections", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)  # polling a readiness check, not synchronising on time
        self.kill()
        raise RuntimeError(f"board server not ready: {self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the server and its workers (its own process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        self._log.close()

    def __enter__(self) -> BoardServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()
