"""The booth's modules in a real browser: served from 127.0.0.1 under a strict
Content-Security-Policy, loaded as ES modules with no build step, they pass every known-answer
vector inside headless Chromium (booth/tests/vectors.html)."""

from __future__ import annotations

import json
import urllib.request
from typing import Any
from urllib.parse import quote

import pytest
from selenium.webdriver.support.ui import WebDriverWait

from tests.bench_modules import load
from tests.browser import harness


def _open(browser: Any, url: str, timeout: float = 120) -> None:
    browser.get(url)
    WebDriverWait(browser, timeout).until(
        lambda d: d.execute_script("return document.body && document.body.dataset.done === 'true'")
    )


def test_the_server_sends_a_strict_policy(booth_url: str) -> None:
    with urllib.request.urlopen(f"{booth_url}/tests/vectors.html") as response:
        policy = response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "'sha256-" in policy  # the import map, and nothing else inline


def test_vectors_pass_inside_chromium(browser: Any, booth_url: str) -> None:
    _open(browser, f"{booth_url}/tests/vectors.html")
    data = browser.execute_script("return Object.assign({}, document.body.dataset)")
    failures = browser.find_element("id", "failures").text
    assert "error" not in data, f"the modules did not load: {data['error']}"
    assert data["fail"] == "0", failures
    assert int(data["pass"]) >= 200
    assert data["evalBlocked"] == "true", "the policy let the page eval"
    assert browser.find_element("id", "status").text == f"{data['pass']} passed, 0 failed"


def test_inline_script_is_refused(browser: Any, booth_url: str) -> None:
    browser.get(f"{booth_url}/csp-probe.html")
    assert browser.find_element("tag name", "h1").text == "CSP probe"
    assert browser.title == "probe", "an inline script ran despite the policy"


def test_the_page_is_accessible_and_captured(browser: Any, booth_url: str) -> None:
    _open(browser, f"{booth_url}/tests/vectors.html")
    result = harness.run_axe(browser)
    assert "target-size" in result["ran"], "axe did not run the target-size rule"
    assert "color-contrast" in result["ran"]
    assert result["violations"] == [], json.dumps(result["violations"], indent=1)
    paths = harness.save_screenshots(browser, "booth-vectors")
    assert [p.stat().st_size > 1000 for p in paths] == [True, True]


def test_the_benchmark_page_measures(
    browser: Any, booth_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both papers benchmarks/booth_bench.py measures: the vote-for-1 and the demo's paper,
    which it passes as ?demo=."""
    demo = load("booth_bench", monkeypatch).demo_paper()
    _open_bench = f"{booth_url}/tests/bench.html?runs=1&demo={quote(json.dumps(demo))}"
    browser.get(_open_bench)
    WebDriverWait(browser, 120).until(
        lambda d: d.execute_script("return document.body.dataset.results")
    )
    results = json.loads(browser.execute_script("return document.body.dataset.results"))
    assert len(results) == 2
    assert all(r["median_ms"] > 0 for r in results.values())
