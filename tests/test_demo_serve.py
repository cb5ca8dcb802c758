"""``verivote demo --serve`` (issue 12 item 7) as a user runs it: a real process that runs the
demo election to its result, then leaves the board running with a second election open for
voting; it prints the booth's URL, each election's page and the path of the demo members'
codes (0600); the served booth is the published release (``verivote booth check``); Ctrl-C
(SIGINT) stops it cleanly."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from crypto.credentials import CredentialCode
from tests.board.server import VERIVOTE
from tests.demo_serve import served_demo

pytestmark = pytest.mark.slow


def test_demo_serve_runs_until_ctrl_c(tmp_path: Path) -> None:
    with served_demo(tmp_path, seed=3) as demo:
        found: dict[str, str] = {}
        for line in demo.printed:
            label, _, value = line.partition(": ")
            if label == "booth" or label.startswith("demo members' codes"):
                found[label.split(" for ")[0]] = value
            elif m := re.fullmatch(r"election page \(([a-z-]+), [^)]*\)", label):
                found[m.group(1)] = value
        board = demo.board
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

        out = demo.stop()
    assert demo.process.returncode == 0, out
    assert "stopping the board" in out
    assert "Traceback" not in out
    with pytest.raises(httpx.ConnectError, match=r"[Cc]onnect"):
        httpx.get(found["booth"], timeout=5)
