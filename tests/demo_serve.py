"""``verivote demo --serve`` as a user runs it, for the tests that drive it: a real process
whose output a thread reads line by line; the lines up to "the board runs until Ctrl-C" are
what the demo printed for the user (the booth's URL, each election's page, the codes file);
``stop`` is Ctrl-C (SIGINT) and returns what the demo printed after it."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.board.server import VERIVOTE, free_port

READY = "the board runs until Ctrl-C"


@dataclass
class ServedDemo:
    port: int
    process: subprocess.Popen[str]
    output: queue.Queue[str]
    printed: list[str]

    @property
    def board(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def labelled(self) -> dict[str, str]:
        """The ``label: value`` lines printed before the board was ready."""
        return dict(line.partition(": ")[::2] for line in self.printed if ": " in line)

    def stop(self) -> str:
        """Ctrl-C, then what the demo printed until it exited."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=120)
        rest = []
        while (line := self.output.get(timeout=30)) != "":
            rest.append(line)
        return "".join(rest)


def _read(process: subprocess.Popen[str], into: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        into.put(line)
    into.put("")


def _until(output: queue.Queue[str], last: str, timeout: float) -> list[str]:
    """The lines read up to the one starting with ``last``."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = output.get(timeout=1.0)
        except queue.Empty:
            continue
        assert line, "the demo exited early:\n" + "\n".join(seen)
        seen.append(line.rstrip("\n"))
        if line.startswith(last):
            return seen
    raise AssertionError(f"no {last!r} line in time:\n" + "\n".join(seen))


@contextmanager
def served_demo(out: Path, *, seed: int, voters: int = 8) -> Iterator[ServedDemo]:
    """``verivote demo --serve`` writing into ``out``, once its board is ready; killed on the
    way out if the test did not stop it."""
    port = free_port()
    process = subprocess.Popen(
        [VERIVOTE, "demo", "--serve", "--voters", str(voters), "--port", str(port),
         "--seed", str(seed), "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"},
        # a test runner's worker may ignore SIGINT, and a child inherits that: Ctrl-C as a user
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    output: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read, args=(process, output), daemon=True).start()
    try:
        yield ServedDemo(port, process, output, _until(output, READY, timeout=900))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
