"""The booth at 320 CSS px wide and at 200 % zoom (WCAG 2.2 1.4.10 reflow, 1.4.4 resize text):
every screen of a member's path (code, ballot paper with a ranked contest, review, cast) shows
no horizontal scroll bar, and every control lies inside the viewport's width, so it can be
reached without scrolling sideways; after the close, both ballots cast are counted by `verivote
verify`. Zoom is what a browser does at 200 %: the CSS viewport of a 1280 px window halves to
640 px at two device pixels per CSS pixel (Chrome DevTools Protocol
``Emulation.setDeviceMetricsOverride``). Screenshots: tests/browser/artefacts/booth-layout-*."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from selenium.webdriver.common.by import By

from simulation.builder import Member
from simulation.plans import nec_plan
from tests.browser import booth_driver as booth
from tests.browser.boards import OpenElection, open_election, verify_after_the_close
from tests.browser.harness import ARTEFACTS

ELECTION = "nec-layout"
# (name, CSS viewport width and height, device pixels per CSS pixel)
VIEWS = (("320px", 320, 640, 1), ("zoom-200", 640, 450, 2))
# Every control a member may need, and where the page would scroll sideways.
OVERFLOW = """
const width = document.documentElement.clientWidth;
const wide = document.documentElement.scrollWidth > width;
const outside = [...document.querySelectorAll('button, input, select, a, [tabindex]')]
  .filter((e) => e.getClientRects().length)
  .map((e) => [e.id || e.textContent.trim().slice(0, 30) || e.tagName, e.getBoundingClientRect()])
  .filter(([, r]) => r.left < -0.5 || r.right > width + 0.5)
  .filter(([name]) => name !== 'Skip to the ballot' && name !== 'skip')
  .map(([name, r]) => `${name}: ${Math.round(r.left)}..${Math.round(r.right)} of ${width}`);
return { width, scrollWidth: document.documentElement.scrollWidth, wide, outside };
"""


@pytest.fixture(scope="module")
def opened(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OpenElection]:
    folder = tmp_path_factory.mktemp("booth-layout")
    plan = nec_plan(start=datetime(2027, 1, 4, 9, tzinfo=UTC), members=4, election=ELECTION)
    with open_election(plan, f"sqlite:///{folder / 'board.db'}", seed=5) as election:
        yield election


def _fits(browser: Any, view: str, screen: str) -> None:
    """No sideways scrolling on this screen and every control within the width; a full-page
    screenshot at this view."""
    found = browser.execute_script(OVERFLOW)
    assert not found["wide"], f"{view} {screen}: scrolls sideways ({found})"
    assert found["outside"] == [], f"{view} {screen}: controls outside the width: {found}"
    height = browser.execute_script("return document.documentElement.scrollHeight")
    name, width, _, scale = next(v for v in VIEWS if v[0] == view)
    _metrics(browser, width, int(height), scale)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path: Path = ARTEFACTS / f"booth-layout-{view}-{screen}.png"
    browser.save_screenshot(str(path))
    print(f"screenshot: {path}")
    _metrics(browser, width, next(v for v in VIEWS if v[0] == view)[2], scale)
    assert name == view


def _metrics(browser: Any, width: int, height: int, scale: int) -> None:
    browser.set_window_size(width * scale, height * scale)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False},
    )


def _votes_in_view(browser: Any, url: str, member: Member, view: str) -> str:
    """A member's whole path in ``view``, each screen checked; the tracker."""
    _, width, height, scale = next(v for v in VIEWS if v[0] == view)
    _metrics(browser, width, height, scale)
    try:
        booth.open_booth(browser, url)
        assert browser.execute_script("return window.innerWidth") == width
        _fits(browser, view, "code")
        booth.enter_code(browser, member.code.formatted())
        assert booth.error(browser) is None, booth.alert(browser)
        booth.rank(browser, "nec", [2, 0])
        _fits(browser, view, "paper")
        booth.review(browser)
        _fits(browser, view, "review")
        tracker = booth.cast(browser)
        assert booth.error(browser) is None, booth.alert(browser)
        booth.standing(browser)
        _fits(browser, view, "done")
        browser.find_element(By.CSS_SELECTOR, "a[href='#check']").click()
        booth.wait(browser, "return document.getElementById('receipt-file')")
        _fits(browser, view, "check")
        return tracker
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.set_window_size(1280, 900)


def test_every_screen_reflows_without_sideways_scrolling(
    browser: Any, opened: OpenElection
) -> None:
    """Each view in turn (one board: the ballots cast are verified after both)."""
    url = f"{opened.url}/booth/{ELECTION}/"
    members = opened.builder.members
    trackers = [
        _votes_in_view(browser, url, members[k], view) for k, (view, *_) in enumerate(VIEWS)
    ]
    verify_after_the_close(opened, trackers)
