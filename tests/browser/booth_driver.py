"""A member at the booth, driven through headless Chromium: the steps the browser tests take
(open the booth, type the code, mark, rank, review, cast, audit), each waiting for the page."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser import harness

TIMEOUT = 60


def wait(browser: Any, script: str, timeout: float = TIMEOUT) -> Any:
    return WebDriverWait(browser, timeout).until(lambda d: d.execute_script(script))


def open_booth(browser: Any, url: str, *, lang: str = "en") -> None:
    browser.get(f"{url}?lang={lang}")
    wait(browser, "return document.body.dataset.ready")
    ready = browser.execute_script("return document.body.dataset.ready")
    detail = browser.execute_script("return document.body.dataset.detail")
    problem = f"{error(browser)}: {alert(browser)} ({detail})"
    assert ready == "true", f"the booth did not start: {problem}"


def alert(browser: Any) -> str:
    return str(browser.find_element(By.ID, "alert").text)


def error(browser: Any) -> str | None:
    value = browser.execute_script("return document.body.dataset.error ?? null")
    return None if value is None else str(value)


def heading(browser: Any) -> str:
    return str(browser.find_element(By.TAG_NAME, "h1").text)


def focused_heading(browser: Any) -> bool:
    return bool(browser.execute_script("return document.activeElement.tagName === 'H1'"))


def enter_code(browser: Any, code: str) -> None:
    field = browser.find_element(By.ID, "code")
    field.clear()
    field.send_keys(code)
    browser.find_element(By.ID, "continue").click()
    wait(browser, "return document.getElementById('paper') || document.body.dataset.error")


def mark(browser: Any, contest: str, *options: int) -> None:
    for k in options:
        box = browser.find_element(By.ID, f"c-{contest}-{k}")
        if not box.is_selected():
            box.click()


def rank(browser: Any, contest: str, order: list[int]) -> None:
    """Type the numbers 1, 2, ... against the options in ``order``."""
    for number, k in enumerate(order, start=1):
        field = browser.find_element(By.ID, f"r-{contest}-{k}")
        field.clear()
        field.send_keys(str(number))


def review(browser: Any) -> None:
    browser.find_element(By.ID, "review").click()
    wait(browser, "return document.getElementById('cast') || document.body.dataset.error")


def cast(browser: Any) -> str:
    """Cast from the review (or audit) screen; the tracker shown."""
    browser.find_element(By.ID, "cast").click()
    wait(browser, "return document.getElementById('tracker') || document.body.dataset.error")
    return str(browser.find_element(By.ID, "tracker").text)


def cast_refused(browser: Any) -> str | None:
    """Cast from the review screen when the booth should refuse: the error it shows."""
    browser.find_element(By.ID, "cast").click()
    wait(browser, "return document.body.dataset.error")
    return error(browser)


def standing(browser: Any) -> str:
    """After casting: the outcome of the receipt check the booth makes at once (data-standing)."""
    return str(wait(browser, "return document.body.dataset.standing"))


def audit(browser: Any) -> tuple[str, str]:
    """Audit from the review screen: the audited ballot's tracker and the choices read back."""
    browser.find_element(By.ID, "audit").click()
    wait(browser, "return document.getElementById('audit-tracker') || document.body.dataset.error")
    tracker = str(browser.find_element(By.ID, "audit-tracker").text)
    return tracker, str(browser.find_element(By.CSS_SELECTOR, "dl.review").text)


def press(browser: Any, *keys: str) -> None:
    browser.switch_to.active_element.send_keys(*keys)


# Issue 12 item 4 asks 44 px targets (WCAG 2.5.5 AAA size; axe's target-size checks 2.5.8's
# 24 px). Every visible control whose own box, or a label wrapping it (clicking the label
# activates it: a check box's row), is smaller than 44 x 44 CSS px; a link inside a sentence is
# exempt (2.5.5's "inline" exception). A control off the page until focused (the skip link) is
# measured when focused.
SMALL_TARGETS = """
const MIN = 43.5;
const big = (r) => r.width >= MIN && r.height >= MIN;
const inSentence = (a) => getComputedStyle(a).display === 'inline'
  && a.parentElement.textContent.trim().length > a.textContent.trim().length;
const name = (e) => e.id || e.getAttribute('aria-label')
  || e.textContent.trim().slice(0, 40) || e.tagName;
const small = [];
const controls = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
  + '[tabindex]:not([tabindex="-1"])';
for (const e of document.querySelectorAll(controls)) {
  if (!e.getClientRects().length || getComputedStyle(e).visibility === 'hidden') continue;
  if (e.getBoundingClientRect().right <= 0) e.focus();  // shown on focus (the skip link)
  const box = e.getBoundingClientRect();
  const labels = [...(e.labels ?? [])].filter((l) => l.contains(e));
  if (big(box) || labels.some((l) => big(l.getBoundingClientRect()))) continue;
  if (e.tagName === 'A' && inSentence(e)) continue;
  const size = `${Math.round(box.width)} x ${Math.round(box.height)}`;
  small.push(`${e.tagName.toLowerCase()} ${name(e)}: ${size}`);
}
document.activeElement?.blur?.();
return small;
"""


def viewport(browser: Any, width: int, height: int, *, scale: int = 1) -> None:
    """A CSS viewport of ``width`` x ``height`` px at ``scale`` device pixels each (Chrome
    DevTools Protocol: the window itself cannot be made narrower than ~500 px)."""
    browser.set_window_size(max(width * scale, 500), height * scale)
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False},
    )


def look(browser: Any, name: str) -> None:
    """At 375 and 1280 px wide: axe-core (WCAG 2.2 A/AA and target-size) finds nothing on this
    screen, every control is a 44 x 44 px target (SMALL_TARGETS), and a full-page screenshot
    is saved as tests/browser/artefacts/booth-NAME-WIDTH.png."""
    harness.ARTEFACTS.mkdir(parents=True, exist_ok=True)
    focused = browser.execute_script("return document.activeElement")
    try:
        for width in harness.WIDTHS:
            viewport(browser, width, 900)
            assert browser.execute_script("return window.innerWidth") == width
            result = harness.run_axe(browser)
            assert "target-size" in result["ran"]
            violations = json.dumps(result["violations"], indent=1)
            assert result["violations"] == [], f"{name} at {width} px: {violations}"
            small = browser.execute_script(SMALL_TARGETS)
            assert small == [], f"{name} at {width} px: targets under 44 x 44 px: {small}"
            height = int(browser.execute_script("return document.documentElement.scrollHeight"))
            viewport(browser, width, max(height, 600))
            path = harness.ARTEFACTS / f"booth-{name}-{width}.png"
            browser.save_screenshot(str(path))
            print(f"screenshot: {path}")
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.set_window_size(1280, 900)
        browser.execute_script("arguments[0]?.focus?.()", focused)


def allow_downloads(browser: Any, folder: Path) -> None:
    browser.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(folder)}
    )


def download_receipt(browser: Any, folder: Path) -> Path:
    """Click "Download your receipt" and wait for the file."""
    before = set(folder.glob("*.json"))
    browser.find_element(By.ID, "receipt").click()
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        new = set(folder.glob("*.json")) - before
        if new and not list(folder.glob("*.crdownload")):
            path = new.pop()
            if path.stat().st_size > 0 and path.read_bytes().endswith(b"\n"):
                return path
        time.sleep(0.05)  # polling for the browser's download, not synchronising on time
    raise AssertionError("the receipt was not downloaded")


def check_receipt(browser: Any, path: Path) -> str:
    """On the booth's "check my receipt" page, check the file; the outcome (data-check)."""
    browser.execute_script("document.body.removeAttribute('data-check')")
    browser.find_element(By.ID, "receipt-file").send_keys(str(path))
    browser.find_element(By.ID, "check").click()
    return str(wait(browser, "return document.body.dataset.check"))
