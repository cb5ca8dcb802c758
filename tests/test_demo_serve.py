"""``verivote demo --serve`` (issue 12 item 7) as a user runs it: a real process that runs the
demo election to its result, then leaves the board running with a second election open for
voting; it prints the booth's URL, each election's page and the path of the demo members'
codes (0600); the served booth is the published release (``verivote booth check``); Ctrl-C
(SIGINT) stops it cleanly."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from crypto.credentials import CredentialCode
from tests.board.server import VERIVOTE, free_port

pytestmark = pytest.mark.slow


def _read_until(lines: queue.Queue[str], last: str, timeout: float) -> list[str]:
    """The process's output lines (read by a thread into ``lines``) up to the one starting
    with ``last``."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=1.0)
        except queue.Empty:
            continue
        assert line, "the demo exited early:\n" + "\n".join(seen)
        seen.append(line.rstrip("\n"))
        if line.startswith(last):
            return seen
    raise AssertionError("no Ctrl-C line in time:\n" + "\n".join(seen))


def _reader(process: subprocess.Popen[str], lines: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
    lines.put("")


def test_demo_serve_runs_until_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [VERIVOTE, "demo", "--serve", "--voters", "8", "--port", str(port), "--seed", "3",
         "--out", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
        # a test runner's worker may ignore SIGINT, and a child inherits that: Ctrl-C as a user
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    output: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_reader, args=(process, output), daemon=True).start()
    try:
        lines = _read_until(output, "the board runs until Ctrl-C", timeout=900)
        found: dict[str, str] = {}
        for line in lines:
            label, _, value = line.partition(": ")
            if label == "booth" or label.startswith("demo members' codes"):
                found[label.split(" for ")[0]] = value
            elif m := re.fullmatch(r"election page \(([a-z-]+), [^)]*\)", label):
                found[m.group(1)] = value
        board = f"http://127.0.0.1:{port}"
        assert found["booth"] == f"{board}/booth/nec-open/"
        assert found["nec-demo"] == f"{board}/e/nec-demo/"
        assert found["nec-open"] == f"{board}/e/nec-open/"

        booth = httpx.get(found["booth"])
        assert booth.status_code == 200
        assert booth.headers["content-type"] == "text/html; charset=utf-8"
        assert "script-src 'self'" in booth.headers["content-security-policy"]
        for page in (found["nec-demo"], found["nec-open"]):
            assert httpx.get(page).status_code == 200, page
        # The finished demo election's results page shows its results: winners named, each a
        # candidate of its nominations page, and no contest unread.
        results = httpx.get(found["nec-demo"] + "results", timeout=60).text
        winners = re.findall(r"Elected: ([^<.]+)", results)
        assert len(winners) >= 3, results  # the NEC, the youth seat, the mayoral primary
        listed = httpx.get(found["nec-demo"] + "nominations", timeout=60).text
        for name in {n.strip() for w in winners for n in w.split(", ")}:
            assert name in listed, name
        assert "could not be read" not in results
        assert "Result published" in httpx.get(found["nec-demo"] + "decisions").text
        checked = subprocess.run(
            [VERIVOTE, "booth", "check", found["booth"]],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert checked.stdout.startswith("OK: ")

        codes = Path(found["demo members' codes"])
        assert codes.stat().st_mode & 0o777 == 0o600
        rows = [r.split("\t") for r in codes.read_text().splitlines() if not r.startswith("#")]
        assert len(rows) == 20
        for _member, _style, code in rows:
            CredentialCode.parse(code)  # each a well-formed code (§8.3)
        # voting is open on the real clock: the board's clock for nec-open is now
        clock = httpx.get(f"{board}/v1/elections/nec-open/clock").json()
        assert abs(clock["now"] - time.time() * 1000) < 120_000

        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)
        rest = []
        while (line := output.get(timeout=30)) != "":
            rest.append(line)
        out = "".join(rest)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, out
    assert "stopping the board" in out
    assert "Traceback" not in out
    with pytest.raises(httpx.ConnectError, match=r"[Cc]onnect"):
        httpx.get(found["booth"], timeout=5)
