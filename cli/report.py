"""``verivote report SOURCE --html FILE --pdf FILE``: the scrutineer's report of an election.

SOURCE is an export file or a board URL (``http://host/v1/elections/ID``, downloaded once).
The independent verifier checks it (spec §13); the report is one self-contained HTML file
(inline stylesheet, SVG charts, no script, nothing loaded from anywhere) with the fingerprints
a scrutineer keeps (the definition's fingerprint, the final signed tree head), the verifier's
numbered checks, and every public page's content: timetable, contests, nominations, results
(with the stage-by-stage count of a ranked contest), participation, every signed decision.
``--pdf`` prints that same file to PDF with headless Chromium (Debian's ``chromium``).

Exit status as ``verify``'s (spec §13.3, README "Exit status"): 0 a result verified, 1 a check
failed (the report is written and says so), 3 every check passed but the log holds no result
(the report is written and says so), 2 the input could not be read or the PDF could not be
printed (no renderer, or it failed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import click

from bulletin_board.pages.digest import digest_export
from bulletin_board.pages.i18n import catalogues
from bulletin_board.pages.render import render_report
from bulletin_board.pages.verdict import verdict_view
from cli.verify import verify_with_progress
from crypto.errors import MalformedInput, VerivoteError
from verifier import download_export

__all__ = ["ReportError", "command", "find_chromium", "print_to_pdf"]

CHROMIUM_NAMES: Final = ("chromium", "chromium-browser", "google-chrome", "chrome")
PDF_TIMEOUT: Final = 300


class ReportError(VerivoteError):
    """The report could not be printed (exit status 2, could not do what was asked): the PDF
    renderer is missing or failed."""

    exit_status: Final = 2


def find_chromium() -> str | None:
    """The headless browser that prints the PDF: ``$VERIVOTE_CHROMIUM``, else the first of
    ``CHROMIUM_NAMES`` on the PATH."""
    configured = os.environ.get("VERIVOTE_CHROMIUM")
    if configured:
        return configured if shutil.which(configured) else None
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_to_pdf(html: Path, pdf: Path) -> None:
    """Print ``html`` (a local, self-contained file) to ``pdf`` with headless Chromium, its
    print stylesheet applied, no header or footer, networking off.

    Raises:
        ReportError: no Chromium, or it failed.
    """
    browser = find_chromium()
    if browser is None:
        raise ReportError(
            "no PDF renderer: install Chromium (apt-get install chromium) or set "
            "VERIVOTE_CHROMIUM, or write only --html"
        )
    with tempfile.TemporaryDirectory(prefix="verivote-pdf-") as profile:
        target = pdf.resolve()
        flags = [
            "--headless", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage", f"--user-data-dir={profile}", "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
        ]  # fmt: skip
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
        try:
            done = subprocess.run(  # noqa: S603 - a browser we located, on our own file
                [browser, *flags, html.resolve().as_uri()],
                capture_output=True,
                timeout=PDF_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ReportError(f"the PDF renderer {browser} failed: {exc}") from None
    if done.returncode != 0 or not target.exists() or target.stat().st_size == 0:
        last = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        raise ReportError(f"the PDF renderer {browser} failed: {' '.join(last) or 'no PDF'}")


@contextmanager
def _export(source: str) -> Iterator[Path]:
    if not source.startswith(("http://", "https://")):
        path = Path(source)
        if not path.is_file():
            raise MalformedInput(f"no such export file: {source}")
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="verivote-report-") as folder:
        path = Path(folder) / "export.jsonl"
        with path.open("wb") as target:
            download_export(source, target)
        yield path


@click.command("report")
@click.argument("source")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="write the self-contained HTML report here",
)
@click.option(
    "--pdf",
    "pdf_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="also print it to PDF here (headless Chromium)",
)
@click.option(
    "--lang",
    type=click.Choice(sorted(catalogues())),
    default="en",
    show_default=True,
    help="the report's language",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="worker processes verifying ballots (default: all cores)",
)
@click.option("--quiet", is_flag=True, help="no progress bar")
def command(
    source: str,
    html_path: Path | None,
    pdf_path: Path | None,
    lang: str,
    jobs: int | None,
    quiet: bool,
) -> None:
    """The scrutineer's report of SOURCE, an export file or a board URL
    (http://host/v1/elections/ID): verified, as one self-contained HTML file and a PDF."""
    if html_path is None and pdf_path is None:
        raise MalformedInput("give --html FILE, --pdf FILE or both")
    t = catalogues()[lang]
    with _export(source) as export:
        report = verify_with_progress(str(export), jobs=jobs, quiet=quiet)
        with export.open("rb") as lines:
            digest, sth = digest_export(lines)
    verdict = verdict_view(
        t,
        {"json": report.to_json(), "lines": list(report.lines())},
        has_result=digest.result is not None,
        size=sth.tree_size,
        root=sth.root_hash.hex(),
    )
    page = render_report(
        t=t,
        digest=digest,
        sth=sth,
        verdict=verdict,
        source=source,
        generated=t.when(int(datetime.now(UTC).timestamp() * 1000), "UTC"),
    )
    with tempfile.TemporaryDirectory(prefix="verivote-report-") as folder:
        html = html_path or Path(folder) / "report.html"
        html.write_text(page, encoding="utf-8")
        if html_path is not None:
            click.echo(f"report: {html_path}")
        if pdf_path is not None:
            print_to_pdf(html, pdf_path)
            click.echo(f"report: {pdf_path}")
    click.echo(verdict["outcome"])
    if report.exit_status:
        raise SystemExit(report.exit_status)
