"""``verivote report``: a verified, self-contained HTML report (nothing loaded from any origin,
no script) and a PDF printed by headless Chromium, whose pages are real pages; a missing
renderer or an unreadable input is one line and a non-zero exit."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli.main import verivote
from tests.browser.harness import missing_browser
from tests.pages.elections import Served

_URL_ATTRIBUTE = re.compile(r"""\b(?:src|href|action|srcset|data)\s*=\s*["']?([^"'\s>]*)""", re.I)


def _report(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(verivote, ["report", *args, "--jobs", "1", "--quiet"])
    return result.exit_code, result.output


def test_the_html_report_is_verified_and_self_contained(export: Path, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    code, output = _report(str(export), "--html", str(html))
    assert code == 0, output
    assert output.strip().endswith("RESULT VERIFIED: every check passed.")
    body = html.read_text(encoding="utf-8")
    assert "<script" not in body.lower()
    assert [u for u in _URL_ATTRIBUTE.findall(body) if not u.startswith("#")] == []
    assert "url(" not in body
    assert "@import" not in body
    assert "<style>" in body
    assert "@media print" in body
    for fact in (
        "Definition fingerprint", "Final signed tree head", "RESULT VERIFIED",
        "Extended by one day: a postal strike delayed CLP nomination forms",
        "Withdrew on health grounds", "Hustings", "Ian Iqbal", "Members who voted",
    ):  # fmt: skip
        assert fact in body, fact
    assert body.count('<span class="check-pass">pass</span>') == 10


def test_the_report_names_the_fingerprints_a_scrutineer_keeps(
    served: Served, export: Path, tmp_path: Path
) -> None:
    html = tmp_path / "report.html"
    assert _report(str(export), "--html", str(html))[0] == 0
    body = html.read_text(encoding="utf-8")
    head = served.client.tree_head()
    assert served.builder.definition.fingerprint.hex() in body
    assert head.root_hash.hex() in body
    assert head.to_bytes().decode().replace('"', "&#34;") in body


def test_a_welsh_report(export: Path, tmp_path: Path) -> None:
    html = tmp_path / "adroddiad.html"
    code, output = _report(str(export), "--html", str(html), "--lang", "cy")
    assert code == 0, output
    body = html.read_text(encoding="utf-8")
    assert '<html lang="cy">' in body
    assert "Adroddiad y craffwr" in body
    assert "CANLYNIAD WEDI'I DDILYSU" in output


def test_the_pdf_is_printed_by_chromium_and_its_pages_are_pictures(
    export: Path, tmp_path: Path
) -> None:
    problem = missing_browser()
    if problem:
        pytest.fail(problem, pytrace=False)
    pdf = tmp_path / "report.pdf"
    code, output = _report(str(export), "--pdf", str(pdf))
    assert code == 0, output
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    assert pages >= 3
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")],
                       check=True)  # fmt: skip
        pictures = sorted(tmp_path.glob("page-*.png"))
        assert len(pictures) == pages
        assert all(p.stat().st_size > 2000 for p in pictures)


def test_a_missing_renderer_is_one_line(
    export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VERIVOTE_CHROMIUM", str(tmp_path / "no-such-browser"))
    code, output = _report(str(export), "--pdf", str(tmp_path / "r.pdf"))
    assert code == 2  # could not do what was asked (README, "Exit status")
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert lines == [
        "error: no PDF renderer: install Chromium (apt-get install chromium) or set "
        "VERIVOTE_CHROMIUM, or write only --html"
    ]
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-file.export", "--html", "r.html"], "error: no such export file"),
        (["{export}"], "error: give --html FILE, --pdf FILE or both"),
        (["{garbage}", "--html", "r.html"], "error: "),
    ],
)
def test_unreadable_input_exits_2_with_one_line(
    export: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    garbage = tmp_path / "garbage.export"
    garbage.write_bytes(b"not an export\n")
    args = [a.format(export=export, garbage=garbage) for a in args]
    code, output = _report(*args)
    assert code == 2, output
    assert output.strip().count("\n") == 0
    assert output.startswith(message)
