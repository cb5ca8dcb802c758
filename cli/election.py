"""``verivote election``: check an election definition before it is published."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.table import Table

from cli._common import load_definition


@click.group("election")
def command() -> None:
    """Write and check election definitions (administrator)."""


@command.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def check(path: Path) -> None:
    """Validate PATH (an election.toml) and show what would be published."""
    definition = load_definition(path)
    console = Console()
    zone = ZoneInfo(definition.time_zone)
    console.print(f"[bold]{definition.title}[/bold] ({definition.id}), {definition.organisation}")
    console.print(f"fingerprint {definition.fingerprint.hex()}")
    times = definition.timetable
    for label, moment in (
        ("nominations open", times.nominations_open),
        ("nominations close", times.nominations_close),
        ("trustee keys close", times.trustee_keys_close),
        ("ceremony closes", times.ceremony_close),
        ("voting opens", times.voting_open),
        ("voting closes", times.voting_close),
    ):
        console.print(f"  {label:18} {moment.astimezone(zone):%a %d %b %Y %H:%M %Z}")
    console.print(
        f"trustees: any {definition.threshold} of {len(definition.trustees)} decrypt "
        f"({', '.join(t.name for t in definition.trustees)})"
    )
    if definition.witnesses:
        console.print(
            f"witnesses: {definition.witness_quorum} of {len(definition.witnesses)} cosign each "
            f"tree head a verifier accepts ({', '.join(w.name for w in definition.witnesses)})"
        )
    else:
        console.print("witnesses: none (only a kept tree head catches a board that rolls back)")
    table = Table("contest", "kind", "seats", "voters", "constraints")
    for c in definition.contests:
        table.add_row(
            c.id,
            c.kind.value + (f" ({c.method.value})" if c.method else ""),
            str(c.seats),
            ", ".join(c.sections) or "all members",
            "; ".join(
                f"{k.attribute}={k.value}: min {k.minimum}"
                + (f", max {k.maximum}" if k.maximum is not None else "")
                for k in c.constraints
            ),
        )
    console.print(table)
    click.echo(f"{path}: valid")
