"""``verivote cast``: a member votes (Spec §11.8), or audits a ballot (§11.9).

The board's log up to its first ballot is read and checked (every signature; a consistency
proof to the current tree head), the member's ballot paper shown (their style's contests,
candidates in the published order), the choices checked, encrypted with every proof bound to
the credential, signed with the credential key and posted. Asked contest by contest, the member
confirms the choices read back before anything is sent. The tracker is printed once the board
has accepted the ballot, and the receipt (§11.13: tracker, leaf, tree head, inclusion proof)
saved to ``--receipt-out`` for ``verivote receipt check``; a revote's receipt goes beside the
earlier ones (``receipt-2.json``, ...), never over them.

The credential code comes from ``--credential``, the VERIVOTE_CREDENTIAL variable, or a hidden
prompt; it is never printed, logged or written anywhere.

``--audit`` is a Benaloh challenge: the ballot is built, its tracker shown, then opened (its
randomness revealed) and posted as an ``audit`` entry, never counted. Check it from a second
device with ``verivote audit check``, then cast afresh.
"""

from __future__ import annotations

from pathlib import Path

import click

from cli._context import BoardSession, board_options, show_rehearsal
from cli._paper import (
    PaperContest,
    ballot_paper,
    describe,
    member_style,
    read_choices,
    show_paper,
)
from cli.receipt import write_receipt
from crypto.envelope import entry_hash
from crypto.errors import MalformedInput
from election.voter import audit_payload, encrypt_ballot, sign_voter_entry
from election.wire import AUDIT, BALLOT


@click.command("cast")
@board_options()
@click.option(
    "--credential",
    "code",
    default=None,
    envvar="VERIVOTE_CREDENTIAL",
    help="your credential code (default: the VERIVOTE_CREDENTIAL variable, else a hidden prompt)",
)
@click.option(
    "--choices",
    "given",
    multiple=True,
    metavar="CONTEST=MARKS",
    help="e.g. nec=1,3 (numbers on the paper, or candidate ids; nec= for none); repeat per "
    "contest. Without it you are asked contest by contest.",
)
@click.option("--audit", is_flag=True, help="audit a ballot instead of casting it (§11.9)")
@click.option(
    "--receipt-out",
    type=click.Path(dir_okay=False, path_type=Path),
    default="receipt.json",
    show_default=True,
    help="where to save the receipt (it does not reveal your vote); kept beside an earlier "
    "one, never over it: receipt-2.json, ...",
)
def command(
    session: BoardSession, code: str | None, given: tuple[str, ...], audit: bool, receipt_out: Path
) -> None:
    """Vote: show your ballot paper, encrypt your choices, post the ballot, save a receipt."""
    client = session.client
    show_rehearsal(client)
    definition, credential = session.member_credential(code)
    # What was published before the first ballot is all a ballot needs; the ballots
    # themselves are not downloaded (§9.3 proves the prefix). A credential reissued while
    # voting is open is after them: then the whole log is read.
    log = session.fold(setup_only=True)
    if credential.public.to_bytes() not in log.credentials.credentials:
        log = session.fold()
    params = log.params
    if params is None or params.public_key is None:
        raise MalformedInput("the election is not ready for voting (no election key yet)")
    style = member_style(log, credential.public.to_bytes())
    paper = ballot_paper(params, style)
    click.echo(f"{definition.title}: your ballot paper (style {style})")
    show_paper(paper)
    click.echo()
    choices = _choose(paper, given, audit=audit)
    encrypted = encrypt_ballot(
        params.layout, style, choices, public_key=params.public_key, credential=credential
    )
    signed = sign_voter_entry(
        election=client.election,
        type=BALLOT,
        payload=encrypted.ballot.to_json(),
        credential=credential,
    )
    tracker = entry_hash(signed).hex()
    if audit:
        raw = sign_voter_entry(
            election=client.election,
            type=AUDIT,
            payload=audit_payload(signed, encrypted.openings),
            credential=credential,
        )
        receipt = client.post(raw, what="audited ballot")
        click.echo(f"the audited ballot's tracker: {tracker}")
        click.echo(f"AUDITED, not cast: leaf {receipt.leaf.index}. It encrypted:")
        for line in describe(paper, choices):
            click.echo(f"  {line}")
        click.echo(
            f"check it on another device: verivote audit check --board {session.board_url} "
            f"--election {client.election} --index {receipt.leaf.index}"
        )
        click.echo("then cast your vote afresh (verivote cast without --audit)")
        return
    receipt = client.post(signed, what="ballot")  # the tracker only once it is accepted
    saved = write_receipt(receipt_out, board=session.board_url, receipt=receipt)
    head = receipt.sth
    click.echo(f"ballot cast: leaf {receipt.leaf.index} of {client.election}")
    click.echo(f"your ballot's tracker: {tracker}")
    click.echo(f"tree head: size {head.tree_size}, root {head.root_hash.hex()}")
    kept = f" (your earlier receipt {receipt_out} is kept)" if saved != receipt_out else ""
    click.echo(f"receipt saved to {saved}{kept}: check it later with verivote receipt check")


def _choose(
    paper: tuple[PaperContest, ...], given: tuple[str, ...], *, audit: bool
) -> dict[str, tuple[int, ...]]:
    """The member's choices: from ``--choices``, or asked contest by contest and then read back
    for the member to confirm before anything is sent (answering no asks again)."""
    if given:
        return read_choices(paper, given, interactive=False)
    while True:
        choices = read_choices(paper, given, interactive=True)
        click.echo("you marked:")
        for line in describe(paper, choices):
            click.echo(f"  {line}")
        question = "audit this ballot (it will not count)?" if audit else "cast this ballot?"
        if click.confirm(question, default=False, err=True):
            return choices
        click.echo("nothing was sent: mark your choices again", err=True)
