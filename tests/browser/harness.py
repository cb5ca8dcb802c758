"""The browser harness: the booth served from a real HTTP server on 127.0.0.1 with a strict
Content-Security-Policy, headless Debian Chromium driven by selenium, axe-core (vendored) run
with the WCAG 2.2 A/AA rules and ``target-size``, and screenshots at phone and desktop widths.

Used by tests/browser/conftest.py and benchmarks/booth_bench.py. Nothing is fetched: Chromium
and chromedriver are Debian's (``make test`` installs them), axe-core is tests/browser/vendor.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from tests.serving import serve_handler

ROOT: Final = Path(__file__).resolve().parents[2]
BOOTH: Final = ROOT / "booth"
VECTORS: Final = ROOT / "tests" / "vectors"
AXE: Final = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
ARTEFACTS: Final = Path(__file__).resolve().parent / "artefacts"
CHROMIUM: Final = "/usr/bin/chromium"
CHROMEDRIVER: Final = "/usr/bin/chromedriver"
# The flags that work on this machine's closed network (see the machine notes).
CHROMIUM_FLAGS: Final = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
WIDTHS: Final = (375, 1280)
AXE_TAGS: Final = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa")
_IMPORT_MAP: Final = re.compile(rb'<script type="importmap">(.*?)</script>', re.S)


def import_map_hashes() -> list[str]:
    """CSP sources for the inline import maps of the booth's pages: the only inline script a
    page may have (an import map cannot be loaded from a file), each allowed by its hash."""
    hashes = set()
    for page in sorted(BOOTH.rglob("*.html")):
        for body in _IMPORT_MAP.findall(page.read_bytes()):
            hashes.add(base64.b64encode(hashlib.sha256(body).digest()).decode())
    return [f"'sha256-{h}'" for h in sorted(hashes)]


def content_security_policy() -> str:
    """Spec-independent page policy: everything from the board's origin, no inline script (but
    the import maps' hashes), no eval, no plugins, no framing, no other origin."""
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {' '.join(import_map_hashes())}",
            "style-src 'self'",
            "img-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# A page that must not run its inline script: proof that the policy is enforced.
PROBE_PAGE: Final = (
    b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>probe</title>'
    b"<script>document.title = 'inline script ran'</script></head>"
    b"<body><main><h1>CSP probe</h1></main></body></html>"
)


class _Handler(http.server.SimpleHTTPRequestHandler):
    policy = ""
    extensions_map = {  # noqa: RUF012 - the stdlib's class attribute
        ".html": "text/html; charset=utf-8",
        ".js": "text/javascript; charset=utf-8",
        ".mjs": "text/javascript; charset=utf-8",
        ".json": "application/json",
        ".css": "text/css; charset=utf-8",
        "": "application/octet-stream",
    }

    def translate_path(self, path: str) -> str:
        clean = unquote(urlsplit(path).path)
        base, rest = (
            (VECTORS, clean[len("/vectors/") :])
            if clean.startswith("/vectors/")
            else (BOOTH, clean)
        )
        target = (base / rest.lstrip("/")).resolve()
        if base.resolve() not in target.parents and target != base.resolve():
            return str(base / "missing")
        return str(target)

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/csp-probe.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PROBE_PAGE)))
            self.end_headers()
            self.wfile.write(PROBE_PAGE)
            return
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Content-Security-Policy", self.policy)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def list_directory(self, path: str | os.PathLike[str]) -> None:
        self.send_error(404, "not found")

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def booth_server() -> Iterator[str]:
    """Serve booth/ at / and tests/vectors at /vectors/ on 127.0.0.1; yields the base URL."""
    handler = type("BoothHandler", (_Handler,), {"policy": content_security_policy()})
    with serve_handler(handler) as url:
        yield url


def missing_browser() -> str | None:
    """One line saying what is missing, or None."""
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not Path(path).exists() and not shutil.which(Path(path).name):
            return (
                f"{path} is missing: run make test (it installs Debian's {package}) "
                f"or apt-get install {package}"
            )
    return None


@contextmanager
def chromium(*, language: str | None = None, network_log: bool = False) -> Iterator[Any]:
    """A headless Chromium with a new, empty profile, driven through Debian's chromedriver;
    with ``language`` its own language (``--lang`` and the Accept-Language preference, so
    ``navigator.languages``); with ``network_log`` the DevTools performance log on
    (``driver.get_log("performance")``: every Network event)."""
    problem = missing_browser()
    if problem:
        raise RuntimeError(problem)
    os.environ.setdefault("SE_OFFLINE", "true")  # selenium must never try to download a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="booth-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,900"):
        options.add_argument(flag)
    if language is not None:
        options.add_argument(f"--lang={language}")
        options.add_experimental_option("prefs", {"intl.accept_languages": language})
    if network_log:
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def run_axe(driver: Any) -> dict[str, Any]:
    """axe-core on the current page with the WCAG 2.0-2.2 A and AA rules and ``target-size``;
    returns {"violations": [...], "ran": [rule ids that ran]}."""
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(
        """
        const done = arguments[arguments.length - 1];
        axe.run(document, {
          runOnly: { type: 'tag', values: arguments[0] },
          rules: { 'target-size': { enabled: true } },
          resultTypes: ['violations'],
        }).then((r) => done({
          violations: r.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => n.target.join(' ')),
          })),
          ran: [...r.violations, ...r.passes, ...r.incomplete, ...r.inapplicable].map((x) => x.id),
        }), (e) => done({ error: String(e) }));
        """,
        list(AXE_TAGS),
    )
    if "error" in result:
        raise RuntimeError(f"axe-core failed: {result['error']}")
    return dict(result)


def save_screenshots(driver: Any, name: str, directory: Path = ARTEFACTS) -> list[Path]:
    """Full-page screenshots of the current page at 375 px and 1280 px wide; prints the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for width in WIDTHS:
        driver.set_window_size(width, 900)
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, max(int(height), 600))
        path = directory / f"{name}-{width}.png"
        driver.save_screenshot(str(path))
        paths.append(path)
        print(f"screenshot: {path}")
    driver.set_window_size(1280, 900)
    return paths
