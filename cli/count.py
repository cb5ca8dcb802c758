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

from cli._stages import print_stages, say
from crypto.errors import MalformedInput
from election.counting.constraints import Constraints
from election.counting.irv import count_irv
from election.counting.lot import Lot
from election.counting.meek import count_meek
from election.counting.readers import BallotFile, read_attributes, read_ballot_csv, read_blt
from election.counting.report import render_csv, render_html
from election.counting.scottish import count_scottish


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
    say(
        console,
        f"{result.title or ballot_file.name}: {result.method}, {result.seats} seat(s), "
        f"{result.valid_ballots} valid and {result.invalid_ballots} invalid ballots, "
        f"{result.distinct_sequences} distinct preference lists, "
        f"quota {result.value(result.quota)}",
    )
    if result.constraints:
        say(console, "constraints: " + "; ".join(result.constraints))
    default = "" if seed is not None else " (SHA-256 of the ballot file)"
    say(console, f"lot seed {lot.seed.hex()}{default}")
    print_stages(console, result)
    say(console, "elected, in order: " + (", ".join(result.elected_names) or "nobody"))
    if json_out is not None:
        json_out.write_bytes(result.to_json())
    if csv_out is not None:
        csv_out.write_text(render_csv(result), encoding="utf-8", newline="")
    if html_out is not None:
        html_out.write_text(render_html(result), encoding="utf-8")
