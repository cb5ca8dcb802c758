"""Every `Spec §n.m` cited in the code resolves to a heading of docs/spec.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("crypto", "election", "bulletin_board", "verifier", "cli")


def _headings() -> set[str]:
    text = (ROOT / "docs" / "spec.md").read_text()
    return set(re.findall(r"^#{2,4} (\d+(?:\.\d+)*) ", text, flags=re.M))


def _citations() -> dict[str, set[str]]:
    cited: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for ref in re.findall(r"§(\d+(?:\.\d+)*)", path.read_text()):
                cited.setdefault(ref, set()).add(str(path.relative_to(ROOT)))
    return cited


def test_every_cited_section_exists() -> None:
    headings = _headings()
    missing = {ref: files for ref, files in _citations().items() if ref not in headings}
    assert not missing, f"sections cited but absent from docs/spec.md: {missing}"


def test_the_checker_can_fail() -> None:
    assert "999.9" not in _headings()
    assert "2.3" in _headings()


def test_cited_sections_are_written() -> None:
    """A cited section must have text under its heading, not just the heading."""
    text = (ROOT / "docs" / "spec.md").read_text()
    parts = re.split(r"^(#{2,4} \d+(?:\.\d+)* .*)$", text, flags=re.M)
    body = {}
    for heading, content in zip(parts[1::2], parts[2::2], strict=True):
        number = heading.split()[1]
        body[number] = content.strip()
    empty = sorted(
        ref
        for ref in _citations()
        if not body.get(ref) and not any(k.startswith(ref + ".") and body.get(k) for k in body)
    )
    assert not empty, f"cited sections with no text: {empty}"
