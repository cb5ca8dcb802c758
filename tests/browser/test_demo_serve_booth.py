"""Issue 12's "done when", as a new user: ``verivote demo --serve`` (a real process), the booth
URL it prints opened in Chromium, a demo member's code from the codes file it prints, a vote
audited (the choices read back), a revote, the receipt downloaded and checked in the booth's
"check my receipt" page and with ``verivote receipt check`` (it counts: the revote replaced
the first vote), then Ctrl-C stops the board cleanly."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from tests.board.server import VERIVOTE
from tests.browser import booth_driver as booth
from tests.demo_serve import served_demo

pytestmark = pytest.mark.slow


def test_a_new_user_votes_audits_revotes_and_checks_a_receipt(browser: Any, tmp_path: Path) -> None:
    with served_demo(tmp_path / "demo", seed=5) as demo:
        printed = demo.labelled()
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

        out = demo.stop()
    assert demo.process.returncode == 0, out
    assert "stopping the board" in out
