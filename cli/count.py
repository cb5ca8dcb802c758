"""``verivote count``: count a ranked contest from a BLT or CSV ballot file (spec §12).

Reads the ballot file (and an attributes file for constraints), counts by the chosen rule,
prints the stages as tables, and writes the JSON record, CSV and HTML report on request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from crypto.errors import MalformedInput
from election.counting.constraints import Constraints
from election.counting.irv import count_irv
from election.counting.lot import Lot, decided_by_lot
from election.counting.meek import count_meek
from election.counting.readers import BallotFile, read_attributes, read_ballot_csv, read_blt
from election.counting.record import CountResult
from election.counting.report import candidate_status, describe_action, render_csv, render_html
from election.counting.scottish import count_scottish

_STYLE = {"elected": "bold green", "excluded": "dim", "doomed": "red", "continuing": ""}


def _bounds(values: Sequence[str], option: str) -> dict[str, int]:
    bounds: dict[str, int] = {}
    for text in values:
        group, sep, number = text.partition("=")
        if not sep or not group or not number.isdigit() or not number.isascii():
            raise MalformedInput(f"{option} {text!r}: expected GROUP=N with N a whole number")
        if group in bounds:
            raise MalformedInput(f"{option}: group {group!r} given twice")
        bounds[group] = int(number)
    return bounds


def _read_ballots(path: Path, data: bytes, fmt: str) -> BallotFile:
    if fmt == "auto":
        fmt = "csv" if path.suffix.lower() == ".csv" else "blt"
    if fmt == "csv":
        return read_ballot_csv(data, title=path.stem)
    return read_blt(data)


def _say(console: Console, text: str) -> None:
    """One plain line, never wrapped (logs and scripts grep these)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _print_tables(console: Console, result: CountResult) -> None:
    width = max(console.width, 60)
    name_width = min(max(len(n) for n in result.candidates), 32)
    cell = len(result.value(result.valid_ballots * 10**result.decimals)) + 2
    per_table = max(1, (width - name_width - 6) // (cell + 3))
    stages = result.stages
    final = candidate_status(result, len(stages))
    for start in range(0, len(stages), per_table):
        chunk = stages[start : start + per_table]
        table = Table(title=f"Stages {chunk[0].number}-{chunk[-1].number}", show_lines=False)
        table.add_column("Candidate", no_wrap=True, max_width=name_width)
        for s in chunk:
            table.add_column(str(s.number), justify="right", no_wrap=True)
        for c, name in enumerate(result.candidates):
            table.add_row(name, *(result.value(s.totals[c]) for s in chunk), style=_STYLE[final[c]])
        table.add_section()
        table.add_row("Non-transferable", *(result.value(s.exhausted) for s in chunk))
        table.add_row("Loss to fractions", *(result.value(s.lost) for s in chunk))
        console.print(table)
    for s in stages:
        line = f"stage {s.number}: {describe_action(result, s)}"
        if s.elected:
            line += "; elected: " + ", ".join(result.candidates[c] for c in s.elected)
        for tie in s.ties:
            how = (
                f"decided by stage {tie.decided_by}"
                if tie.decided_by
                else decided_by_lot(result.lot_seed)
            )
            line += f"; tie ({tie.purpose}) {how}"
        _say(console, line)


@click.command("count")
@click.argument("ballot_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--method",
    type=click.Choice(["scottish", "meek", "irv"]),
    default="scottish",
    show_default=True,
    help="Counting rule: Scottish STV (§12.2), Meek STV (§12.3) or IRV (§12.4).",
)
@click.option("--seats", type=int, help="Seats to fill (default: the BLT header; 1 for IRV).")
@click.option("--min", "minimums", multiple=True, metavar="GROUP=N", help="At least N seats.")
@click.option("--max", "maximums", multiple=True, metavar="GROUP=N", help="At most N seats.")
@click.option(
    "--attributes",
    type=click.Path(path_type=Path, dir_okay=False),
    help="CSV 'candidate,group' file (§12.1.4), needed by --min/--max.",
)
@click.option(
    "--seed",
    metavar="HEX",
    help="Lot seed, 64 hex digits (§12.6); default: SHA-256 of the ballot file's bytes.",
)
@click.option("--contest", default="", help="Contest identifier hashed into lots (§12.6).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "blt", "csv"]),
    default="auto",
    show_default=True,
    help="Ballot file format; auto: CSV for a .csv file, BLT otherwise.",
)
@click.option("--no-batch", is_flag=True, help="IRV: eliminate one candidate per round.")
@click.option(
    "--json",
    "json_out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the count record as canonical JSON (§12.1.5).",
)
@click.option(
    "--csv",
    "csv_out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the stages as CSV: totals and transfers per stage.",
)
@click.option(
    "--html",
    "html_out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write a self-contained HTML report with a bar chart per stage.",
)
def command(
    ballot_file: Path,
    method: str,
    seats: int | None,
    minimums: tuple[str, ...],
    maximums: tuple[str, ...],
    attributes: Path | None,
    seed: str | None,
    contest: str,
    fmt: str,
    no_batch: bool,
    json_out: Path | None,
    csv_out: Path | None,
    html_out: Path | None,
) -> None:
    """Count BALLOT_FILE (BLT or CSV, spec §12.1) and print the stages."""
    data = ballot_file.read_bytes()
    ballots = _read_ballots(ballot_file, data, fmt)
    profile = ballots.profile
    lot = (
        Lot.from_hex(seed, contest=contest)
        if seed is not None
        else Lot(seed=hashlib.sha256(data).digest(), contest=contest)
    )
    lows, highs = _bounds(minimums, "--min"), _bounds(maximums, "--max")
    constraints = Constraints.none()
    if lows or highs:
        if attributes is None:
            raise MalformedInput("--min/--max need --attributes FILE (candidate,group)")
        groups = read_attributes(attributes.read_bytes(), candidates=profile.candidates)
        constraints = Constraints.build(
            candidates=profile.candidates, groups=groups, minimums=lows, maximums=highs
        )
    if method == "irv":
        if seats not in (None, 1):
            raise MalformedInput(f"--seats {seats}: IRV fills one seat; use --method scottish")
        result = count_irv(
            profile, lot=lot, constraints=constraints, batch_elimination=not no_batch
        )
    else:
        n_seats = seats if seats is not None else ballots.seats
        if n_seats is None:
            raise MalformedInput("--seats is needed for a CSV ballot file")
        counter = count_scottish if method == "scottish" else count_meek
        result = counter(profile, seats=n_seats, lot=lot, constraints=constraints)
    console = Console(highlight=False)
    _say(
        console,
        f"{result.title or ballot_file.name}: {result.method}, {result.seats} seat(s), "
        f"{result.valid_ballots} valid and {result.invalid_ballots} invalid ballots, "
        f"{result.distinct_sequences} distinct preference lists, "
        f"quota {result.value(result.quota)}",
    )
    if result.constraints:
        _say(console, "constraints: " + "; ".join(result.constraints))
    default = "" if seed is not None else " (SHA-256 of the ballot file)"
    _say(console, f"lot seed {lot.seed.hex()}{default}")
    _print_tables(console, result)
    _say(console, "elected, in order: " + (", ".join(result.elected_names) or "nobody"))
    if json_out is not None:
        json_out.write_bytes(result.to_json())
    if csv_out is not None:
        csv_out.write_text(render_csv(result), encoding="utf-8", newline="")
    if html_out is not None:
        html_out.write_text(render_html(result), encoding="utf-8")
