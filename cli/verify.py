"""``verivote verify SOURCE``: the independent verifier (spec §13) over an export or a board URL.

Exit status (spec §13.3): 0 a result verified (or, with ``--in-progress``, every check passed
so far), 1 a check failed, 2 the input could not be read, 3 every check passed but the log holds
no result. The last line starts with the outcome: RESULT VERIFIED, FAILED, NO RESULT or IN
PROGRESS.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

from bulletin_board.client import check_board_url
from cli._common import console
from crypto.errors import MalformedInput
from verifier import Report, UnreadableInput, verify_source


def verify_with_progress(
    source: str,
    *,
    jobs: int | None = None,
    receipt: bytes | None = None,
    since: bytes | None = None,
    quiet: bool = False,
    in_progress: bool = False,
    index_head: bytes | None = None,
) -> Report:
    """Spec §13 ``verifier.verify_source`` with a progress bar on a terminal.

    Raises:
        UnreadableInput, OSError: the input cannot be read.
    """
    with Progress(
        TextColumn("verifying"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
        console=console, disable=quiet or not console.is_terminal, transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("verify", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return verify_source(
            source,
            jobs=jobs,
            receipt=receipt,
            since=since,
            progress=progress,
            in_progress=in_progress,
            index_head=index_head,
        )


@click.command("verify")
@click.argument("source")
@click.option(
    "--json",
    "json_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="also write the report as JSON to this file",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="worker processes verifying ballots (default: all cores)",
)
@click.option(
    "--receipt",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="check this ballot receipt: in the log, same bytes, counted or revoted",
)
@click.option(
    "--since",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a signed tree head kept earlier: the log must be consistent with it",
)
@click.option(
    "--in-progress",
    is_flag=True,
    help="check an election in progress: no result yet is exit status 0 (IN PROGRESS), not 3",
)
@click.option(
    "--index-head",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="a credential index head kept by receipt check --keep-index: it must match the log",
)
@click.option("--quiet", is_flag=True, help="no progress bar")
def command(
    source: str,
    json_path: Path | None,
    jobs: int | None,
    receipt: Path | None,
    since: Path | None,
    in_progress: bool,
    index_head: Path | None,
    quiet: bool,
) -> None:
    """Verify a whole election from SOURCE, an export file or a board URL
    (http://host/v1/elections/ID): every signature, proof, aggregate and count (spec §13).
    The last line says whether a RESULT was verified (exit 0), a check FAILED (1), or the log
    holds NO RESULT (3); unreadable input exits 2."""
    if source.startswith(("http://", "https://")):
        check_board_url(source)
    try:
        report = verify_with_progress(
            source,
            jobs=jobs,
            receipt=receipt.read_bytes() if receipt is not None else None,
            since=since.read_bytes() if since is not None else None,
            quiet=quiet,
            in_progress=in_progress,
            index_head=index_head.read_bytes() if index_head is not None else None,
        )
    except FileNotFoundError:
        raise MalformedInput(f"no such export file: {source}") from None
    except UnreadableInput as exc:  # one line: httpx says more about a 4xx on a second line
        raise UnreadableInput(str(exc).splitlines()[0]) from None
    for line in report.lines():
        click.echo(line)
    if json_path is not None:
        json_path.write_text(json.dumps(report.to_json(), indent=2) + "\n")
    sys.exit(report.exit_status)
