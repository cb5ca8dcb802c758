"""Booth benchmark (issue 12): the voter's device in headless Chromium.

    .venv/bin/python benchmarks/booth_bench.py [--runs 15]        (or: make bench-booth)

Serves booth/ from 127.0.0.1 under the browser tests' Content-Security-Policy
(tests/browser/harness.py), opens booth/tests/bench.html in Debian's headless Chromium and
reads what the page measured with booth/js: building and signing a whole ballot entry
(``castBallot``: every encryption, range, sum and randomness proof, the credential signature
and the canonical bytes), median of ``--runs`` after one warm-up, for

* the 10-candidate vote-for-1 ballot (target <= 150 ms), and
* the demo's paper: the NEC block vote, 9 of 20; the youth seat, 1 of 2; a referendum
  (target <= 300 ms);

and the compressed size of what the booth loads: its own modules (booth/js) and the vendored
libraries (booth/vendor), each file gzipped at level 9, summed (target <= 200 KB).

Chromium runs on the machine's shared cores: figures are indicative; the lead measures on a
quiet machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser import harness  # noqa: E402 - after the path is set

TARGETS_MS: Final = {
    "vote-for-1 of 10": 150.0,
    "demo paper (9 of 20, youth 1 of 2, referendum)": 300.0,
}
SIZE_TARGET_KB: Final = 200.0


def compressed_size() -> tuple[int, int, int]:
    """(bytes gzipped, bytes raw, files) of booth/js and booth/vendor's JavaScript."""
    files = sorted((ROOT / "booth" / "js").glob("*.js")) + sorted(
        (ROOT / "booth" / "vendor").rglob("*.js")
    )
    raw = [f.read_bytes() for f in files]
    return sum(len(gzip.compress(data, 9)) for data in raw), sum(len(d) for d in raw), len(files)


def measure(runs: int) -> dict[str, dict[str, float]]:
    from selenium.webdriver.support.ui import WebDriverWait

    with harness.booth_server() as url, harness.chromium() as driver:
        driver.get(f"{url}/tests/bench.html?runs={runs}")
        WebDriverWait(driver, 600).until(
            lambda d: d.execute_script("return document.body.dataset.results")
        )
        results: dict[str, dict[str, float]] = json.loads(
            driver.execute_script("return document.body.dataset.results")
        )
        version = driver.capabilities.get("browserVersion", "?")
    print(f"headless Chromium {version}, {runs} runs after one warm-up")
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    problem = harness.missing_browser()
    if problem:
        print(problem, file=sys.stderr)
        return 1
    rows: list[tuple[str, str, str, str]] = []
    failed = False
    for name, result in measure(args.runs).items():
        target = TARGETS_MS[name]
        ok = result["median_ms"] <= target
        failed |= not ok
        figure = (
            f"{result['median_ms']:.1f} ms (min {result['min_ms']:.1f}, max {result['max_ms']:.1f})"
        )
        rows.append(
            (f"build and sign: {name}", figure, f"<= {target:.0f} ms", "PASS" if ok else "FAIL")
        )
    gz, raw, files = compressed_size()
    ok = gz / 1024 <= SIZE_TARGET_KB
    failed |= not ok
    rows.append(
        (
            f"booth JS + vendored libraries, gzip -9 ({files} files)",
            f"{gz / 1024:.1f} KB ({raw / 1024:.0f} KB raw)",
            f"<= {SIZE_TARGET_KB:.0f} KB",
            "PASS" if ok else "FAIL",
        )
    )
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure':<{width}}  {'result':<36}  {'target':<10}  verdict")
    for what, figure, goal, verdict in rows:
        print(f"{what:<{width}}  {figure:<36}  {goal:<10}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
