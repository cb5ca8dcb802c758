"""The booth's JavaScript tests (booth/tests/*.test.mjs) under node's own test runner.

They run every known-answer vector of tests/vectors through booth/js, so the voter's device and
the Python agree byte for byte. Node is required: without it this test fails with one line
saying what to install, never a silent skip.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

BOOTH = Path(__file__).resolve().parents[1] / "booth"
MINIMUM_NODE = (20, 19)


def test_booth_javascript_under_node() -> None:
    node = shutil.which("node")
    assert node is not None, (
        "node is not installed: install Node.js >= 20.19 (apt-get install nodejs)"
    )
    version = subprocess.run([node, "--version"], capture_output=True, text=True, check=True).stdout
    found = tuple(int(x) for x in re.findall(r"\d+", version)[:2])
    assert found >= MINIMUM_NODE, f"node {version.strip()} is too old: the booth needs >= 20.19"
    tests = sorted(str(p.relative_to(BOOTH)) for p in (BOOTH / "tests").glob("*.test.mjs"))
    assert len(tests) >= 2, "booth/tests/*.test.mjs are missing"
    done = subprocess.run(
        [node, "--import", "./tests/vendor-hooks.mjs", "--test", "--test-reporter=spec", *tests],
        cwd=BOOTH,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    summary = re.search(r"ℹ pass (\d+)\s+ℹ fail (\d+)", done.stdout)
    failures = "\n".join(line for line in done.stdout.splitlines() if "✖" in line)[:4000]
    assert done.returncode == 0, f"node --test failed:\n{failures}\n{done.stderr[-2000:]}"
    assert summary is not None, f"no test summary from node:\n{done.stdout[-2000:]}"
    assert int(summary.group(1)) >= 200
    assert int(summary.group(2)) == 0
