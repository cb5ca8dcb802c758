"""Printing a count's stages (spec §12.1.5) as tables: ``verivote count`` and ``verivote admin
result`` (a ranked contest's count) show the same."""

from __future__ import annotations

from typing import Final

from rich.console import Console
from rich.table import Table

from election.counting.lot import decided_by_lot
from election.counting.record import CountResult
from election.counting.report import candidate_status, describe_action

__all__ = ["print_stages", "say"]

_STYLE: Final = {"elected": "bold green", "excluded": "dim", "doomed": "red", "continuing": ""}


def say(console: Console, text: str) -> None:
    """One plain line, never wrapped (logs and scripts grep these)."""
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def print_stages(console: Console, result: CountResult) -> None:
    """Each stage's totals as tables (as many stages side by side as the console's width
    allows), then one line per stage: its action, who was elected, how ties were decided."""
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
        say(console, line)
