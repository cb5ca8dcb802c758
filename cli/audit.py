"""``verivote audit check``: did an audited ballot encrypt what it was said to? (Spec §11.9)

Reads an ``audit`` entry from the board (by leaf index) or from a file, re-encrypts every
opened choice with the randomness shown, checks the inner ballot's signature and proofs, and
prints the choices it encrypted so the member can compare them with what they marked.
"""

from __future__ import annotations

from pathlib import Path

import click

from bulletin_board.wire import parse_entry
from cli._context import BoardSession, board_options, show_rehearsal
from cli._paper import ballot_paper, describe, opened_choices
from crypto import canonical
from crypto.errors import MalformedInput, VerificationFailed
from election.rules import Refusal, precheck
from election.wire import AUDIT, Audit, election_schemes


@click.group("audit")
def command() -> None:
    """Check an audited (Benaloh-challenged) ballot (docs/spec.md §11.9)."""


@command.command("check")
@board_options()
@click.option("--index", type=int, default=None, help="the audit's leaf index on the board")
@click.option("--file", "entry_file", type=click.Path(dir_okay=False, exists=True,
              path_type=Path), default=None, help="the audit entry (JSON) instead")  # fmt: skip
def check(session: BoardSession, index: int | None, entry_file: Path | None) -> None:
    """Re-encrypt an audited ballot's choices and say whether the ballot matches them."""
    if (index is None) == (entry_file is None):
        raise MalformedInput("give --index N or --file ENTRY.json")
    show_rehearsal(session.client)
    log = session.fold(setup_only=True)  # the parameters: no ballot needed
    params = log.params
    if params is None or params.public_key is None:
        raise MalformedInput("the election has no election key yet: nothing to audit")
    if index is not None:
        entry = session.client.entry(index)
    else:
        assert entry_file is not None
        # a file a person handles (§4.2): read as JSON, checked over its canonical bytes
        value = canonical.decode_document(entry_file.read_bytes().strip())
        entry = parse_entry(canonical.encode(value), election_schemes(params.fingerprint))
    if entry.type != AUDIT:
        raise MalformedInput(f"that entry is a {entry.type}, not an audit")
    try:
        # the board's own check of an audit (§11.9): the inner ballot's signature and proofs,
        # and every ciphertext re-encrypted from its opening
        audit = precheck(params, entry).payload
    except Refusal as exc:
        raise VerificationFailed(f"the audited ballot does NOT match its openings: {exc}") from None
    assert isinstance(audit, Audit)
    inner = audit.ballot
    paper = ballot_paper(params, inner.ballot.style)
    click.echo(f"audited ballot, tracker {inner.tracker.hex()}")
    click.echo("MATCHES: re-encrypting the opened choices gives exactly this ballot. It encrypted:")
    for line in describe(paper, opened_choices(paper, audit.openings)):
        click.echo(f"  {line}")
    click.echo("if that is not what you marked, your voting device cheated: report it")
