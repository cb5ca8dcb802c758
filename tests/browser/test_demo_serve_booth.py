"""Issue 12's "done when", as a new user: ``verivote demo --serve`` (a real process), the booth
URL it prints opened in Chromium, a demo member's code from the codes file it prints, a vote
audited (the choices read back), a revote, the receipt downloaded and checked in the booth's
"check my receipt" page and with ``verivote receipt check`` (it counts: the revote replaced
the first vote), then Ctrl-C stops the board cleanly."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.board.server import VERIVOTE, free_port
from tests.browser import booth_driver as booth

pytestmark = pytest.mark.slow


def _lines(process: subprocess.Popen[str], into: queue.Queue[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        into.put(line)
    into.put("")


def _until(output: queue.Queue[str], last: str, timeout: float) -> dict[str, str]:
    """The ``label: value`` lines the demo printed up to the one starting with ``last``."""
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
            return dict(s.partition(": ")[::2] for s in seen if ": " in s)
    raise AssertionError(f"no {last!r} line in time:\n" + "\n".join(seen))


def test_a_new_user_votes_audits_revotes_and_checks_a_receipt(browser: Any, tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen(
        [VERIVOTE, "demo", "--serve", "--voters", "8", "--port", str(port), "--seed", "5",
         "--out", str(tmp_path / "demo")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "COLUMNS": "200"},
        # a test runner's worker may ignore SIGINT, and a child inherits that: Ctrl-C as a user
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    output: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process, output), daemon=True).start()
    try:
        printed = _until(output, "the board runs until Ctrl-C", timeout=900)
        url = printed["booth"]
        codes = next(v for k, v in printed.items() if k.startswith("demo members' codes"))
        rows = [r.split("\t") for r in Path(codes).read_text().splitlines() if r[:1] != "#"]
        _member, style, code = rows[0]
        downloads = tmp_path / "downloads"
        downloads.mkdir()
        booth.allow_downloads(browser, downloads)

        booth.open_booth(browser, url)
        booth.enter_code(browser, code)
        assert booth.error(browser) is None, booth.alert(browser)
        assert booth.heading(browser) == "Your ballot paper"
        mayor = browser.find_element(By.CSS_SELECTOR, "label[for='r-mayor-1'] [aria-hidden]")
        first_choice = mayor.text
        booth.rank(browser, "mayor", [1])
        booth.rank(browser, "nec", [0, 1, 2])
        booth.mark(browser, "rule-change", 0)
        if "youth-rep" in style.split("+"):
            booth.mark(browser, "youth-rep", 0)
        booth.review(browser)
        audited, read_back = booth.audit(browser)
        assert booth.error(browser) is None, booth.alert(browser)
        assert f"1. {first_choice}" in read_back
        assert "Yes" in read_back
        booth.look(browser, "demo-audit")
        first = booth.cast(browser)
        assert first != audited
        assert booth.standing(browser) == "counts", booth.alert(browser)

        booth.open_booth(browser, url)  # the member votes again
        booth.enter_code(browser, code)
        booth.mark(browser, "rule-change", 1)
        booth.review(browser)
        again = booth.cast(browser)
        assert again != first
        assert booth.standing(browser) == "counts", booth.alert(browser)
        assert "only your last vote counts" in browser.find_element(By.ID, "main").text
        booth.look(browser, "demo-revoted")
        receipt = booth.download_receipt(browser, downloads)

        browser.find_element(By.CSS_SELECTOR, "a[href='#check']").click()
        booth.wait(browser, "return document.getElementById('receipt-file')")
        assert booth.check_receipt(browser, receipt) == "counts", booth.alert(browser)
        assert "It is the vote that counts" in browser.find_element(By.ID, "check-result").text
        booth.look(browser, "demo-check")
        checked = subprocess.run(
            [VERIVOTE, "receipt", "check", str(receipt)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert "it is your counted ballot" in checked.stdout

        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)
        rest = []
        while (line := output.get(timeout=30)) != "":
            rest.append(line)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, "".join(rest)
    assert "stopping the board" in "".join(rest)
