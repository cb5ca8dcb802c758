"""``verivote witness``: a witness checks the board's tree heads and cosigns each consistent,
newer one (docs/spec.md §10.5).

It keeps, in ``--state DIR``, the last head it cosigned per election; for each election on the
board whose definition lists its key (or each ``--election``), it fetches the latest head, checks
it against the kept one with a consistency proof, cosigns it and posts the cosignature. A board
that rolled back or forked is refused in one line (exit status 1), the refused head kept as
evidence. ``--once`` does one round; ``--every SECONDS`` goes on until stopped, and stops only on
such a refusal (an unreachable board is reported and tried again next round).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Final

import click

from bulletin_board.client import BoardUnreachable, list_elections
from bulletin_board.witness import Witness, WitnessState
from cli._context import BoardSession, Role, board_options
from crypto.errors import MalformedInput

WITNESS: Final = Role(
    "witness",
    "witness.key",
    "VERIVOTE_WITNESS_KEY",
    "the sealed witness key (verivote keys generate --role witness)",
)


@click.command("witness")
@click.option("--state", "state_dir", required=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="directory keeping the last tree head cosigned per election")  # fmt: skip
@click.option("--once", is_flag=True, help="one round, then exit")
@click.option("--every", type=click.IntRange(min=1), metavar="SECONDS",
              help="a round every SECONDS until stopped")  # fmt: skip
@click.option("--election", "elections", multiple=True, metavar="ID",
              help="only this election (repeatable; default: every election on the board that "
              "lists this witness)")  # fmt: skip
@board_options(role=WITNESS, election=False)
def command(
    session: BoardSession,
    state_dir: Path,
    once: bool,
    every: int | None,
    elections: tuple[str, ...],
) -> None:
    """Cosign the board's tree heads as a witness (docs/spec.md §10.5)."""
    if once == (every is not None):
        raise MalformedInput("give --once or --every SECONDS")
    witness = Witness(session.key().key, WitnessState(state_dir))
    while True:
        try:
            _round(witness, session.board_url, elections, session.timeout)
        except BoardUnreachable as exc:
            if every is None:
                raise
            click.echo(f"warning: {exc} (trying again in {every} s)", err=True)
        if every is None:
            return
        time.sleep(every)


def _round(witness: Witness, url: str, elections: tuple[str, ...], timeout: float) -> None:
    named = bool(elections)
    for election in elections or tuple(list_elections(url, timeout=timeout)):
        outcome = witness.check_and_cosign(url, election, timeout=timeout)
        if outcome.head is not None or named:
            click.echo(outcome.line())
