"""The public pages in headless Chromium (tests/browser/harness.py): axe-core with the WCAG 2.2
A/AA rules and target-size finds no violation on any page, in English and Welsh, at 375 and
1280 px; nothing scrolls sideways at 320 px but tables and charts in their own regions; the
policy blocks nothing the page needs; a screenshot of every page is saved (artefacts) to look at.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from bulletin_board.pages.i18n import catalogues
from bulletin_board.pages.render import render_election_page
from bulletin_board.pages.views import Links
from tests.browser import harness
from tests.browser.conftest import browser
from tests.pages.elections import Served
from tests.pages.ranked import ranked_election

__all__ = ["browser"]  # the harness's fixture, used here

PAGES = ("", "nominations", "decisions", "participation", "results", "report.html", "leaf/40",
         "leaf/70")  # fmt: skip


def _wait_for_the_verdict(served: Served) -> None:
    deadline = time.monotonic() + 240
    while "verivote verify, which" not in httpx.get(served.page("results")).text or (
        "The verifier is checking" in httpx.get(served.page("results")).text
    ):
        assert time.monotonic() < deadline, "the verifier did not finish"
        time.sleep(1)  # polling a background run


def _check(browser: Any, name: str) -> None:
    for width in harness.WIDTHS:
        browser.set_window_size(width, 900)
        result = harness.run_axe(browser)
        assert "target-size" in result["ran"]
        assert "color-contrast" in result["ran"]
        assert result["violations"] == [], f"{name} at {width}px: " + json.dumps(
            result["violations"], indent=1
        )
    browser.set_window_size(320, 900)
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{name} scrolls sideways at 320 px"
    paths = harness.save_screenshots(browser, name)
    assert all(p.stat().st_size > 5000 for p in paths)


@pytest.mark.parametrize("lang", ["en", "cy"])
@pytest.mark.parametrize("page", PAGES)
def test_every_page_passes_axe_at_both_widths(
    browser: Any, served: Served, page: str, lang: str
) -> None:
    if page in ("results", "report.html"):
        _wait_for_the_verdict(served)
    browser.get(served.page(page) + f"?lang={lang}")
    assert browser.find_element("tag name", "html").get_attribute("lang") == lang
    logs = browser.get_log("browser") if hasattr(browser, "get_log") else []
    assert not [e for e in logs if "Content Security Policy" in e.get("message", "")]
    _check(browser, f"pages-{lang}-{page.replace('/', '-') or 'home'}")


def test_the_front_page_passes_axe(browser: Any, served: Served) -> None:
    browser.get(f"{served.url}/")
    _check(browser, "pages-front")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_404_page_passes_axe(browser: Any, served: Served, lang: str) -> None:
    browser.get(served.page("nowhere") + f"?lang={lang}")
    assert browser.find_element("tag name", "html").get_attribute("lang") == lang
    _check(browser, f"pages-{lang}-404")


def test_the_ranked_results_pass_axe(browser: Any, served: Served, tmp_path: Path) -> None:
    digest, sth, _ = ranked_election()
    body = render_election_page(
        "results", t=catalogues()["en"], digest=digest, sth=sth, links=Links(digest.election),
        now=sth.timestamp, board_url=served.url,
    )  # fmt: skip
    css = (Path(harness.ROOT) / "bulletin_board/pages/static/pages.css").read_text()
    page = tmp_path / "ranked.html"
    page.write_text(body.replace('<link rel="stylesheet" href="/static/pages.css">',
                                 f"<style>{css}</style>"))  # fmt: skip
    browser.get(page.as_uri())
    assert browser.find_elements("css selector", "section.stage")
    _check(browser, "pages-en-ranked-results")
