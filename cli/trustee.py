"""``verivote trustee``: one trustee's part in the key ceremony, on their own machine.

``keygen``, ``share``, ``verify``, ``publish`` each read the board, do one step of §7 and post
its entries; every secret (the encryption key, the polynomial, the shares received, the key
share) lives only in the trustee's state file, sealed with the passphrase of their key file
(§7.1). Run each step when the board is ready for it; a step the board is not ready for says
what it is waiting for. ``trustee decrypt`` (after the close) reads the same state file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli._common import STRENGTH_CHOICE, replace_secret, write_new_secret
from cli._context import TRUSTEE, BoardSession, board_options
from crypto.errors import MalformedInput
from crypto.sealing import STRENGTHS
from election.rules import ElectionState
from election.trustee import (
    TrusteeState,
    decrypt,
    keygen,
    publish,
    share,
    trustee_index,
    verify,
)
from election.wire import (
    COMPLAINT,
    DEALING,
    DECRYPTION,
    KEY_CONFIRMATION,
    SHARES_ACCEPTED,
    TRUSTEE_KEY,
)


@click.group("trustee")
def command() -> None:
    """A trustee's key ceremony (keygen, share, verify, publish) and the tally's decryption
    (decrypt) (docs/spec.md §7, §11.6, §11.11)."""


def _trustee(f: Any) -> Any:
    """The board, election and trustee key options, and ``--state FILE`` (``state_path``)."""
    f = click.option(
        "--state",
        "state_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default="trustee-state.sealed",
        show_default=True,
        envvar="VERIVOTE_TRUSTEE_STATE",
        help="this trustee's sealed state file (all its ceremony secrets)",
    )(f)
    return board_options(role=TRUSTEE)(f)


def _save(path: Path, state: TrusteeState, passphrase: bytes) -> None:
    """Re-seal the state with the strength its file was sealed with."""
    header = path.read_bytes()[7:15]
    strength = next(
        (
            name
            for name, (ops, mem) in STRENGTHS.items()
            if header == ops.to_bytes(4, "big") + mem.to_bytes(4, "big")
        ),
        "moderate",
    )
    replace_secret(path, state.seal(passphrase, strength=strength))


def _load_state(path: Path, session: BoardSession) -> TrusteeState:
    if not path.exists():
        raise MalformedInput(f"no trustee state {path}: run verivote trustee keygen first")
    state = TrusteeState.open(path.read_bytes(), session.passphrase())
    if state.election != session.election:
        raise MalformedInput(f"{path} is the state of election {state.election!r}")
    return state


def _step(session: BoardSession, state_path: Path) -> tuple[TrusteeState, ElectionState]:
    """A step after keygen: the trustee's key opened, its state, the log folded."""
    session.key()
    state = _load_state(state_path, session)
    return state, session.fold()


@command.command("keygen")
@_trustee
@click.option("--kdf", "strength", default="moderate", show_default=True, type=STRENGTH_CHOICE)
def keygen_command(session: BoardSession, state_path: Path, strength: str) -> None:
    """Step 1: draw this trustee's encryption key, keep it sealed, publish its public part."""
    key = session.key()
    definition = session.definition()
    j = trustee_index(definition, key.public.raw)
    log = session.fold()
    if state_path.exists():
        state = _load_state(state_path, session)
        if j in log.ceremony.trustee_keys:
            click.echo(f"trustee {j}'s key is on the board already")
            return
        payload = state.key_pair.public.to_json()
    else:
        if j in log.ceremony.trustee_keys:
            raise MalformedInput(
                f"the board holds a key for trustee {j} and {state_path} is missing"
            )
        state, public = keygen(definition, j)
        write_new_secret(state_path, state.seal(session.passphrase(), strength=strength))
        payload = public.key.to_json()
    session.post(TRUSTEE_KEY, {"key": payload}, what=f"trustee {j}'s key")
    click.echo(f"secrets sealed in {state_path}: keep it (and a backup) safe")


@command.command("share")
@_trustee
def share_command(session: BoardSession, state_path: Path) -> None:
    """Step 2: once every trustee key is published, deal shares of a secret to the others."""
    state, log = _step(session, state_path)
    state, dealing = share(state, log)
    _save(state_path, state, session.passphrase())
    session.post(DEALING, dealing.to_json(), what=f"trustee {state.trustee}'s dealing")


@command.command("verify")
@_trustee
def verify_command(session: BoardSession, state_path: Path) -> None:
    """Step 3: once every dealing is published, check each share addressed to this trustee;
    complain about every bad one, then post shares-accepted."""
    state, log = _step(session, state_path)
    state, complaints, accepted = verify(state, log)
    _save(state_path, state, session.passphrase())
    for complaint in complaints:
        dealer = complaint.complaint.dealer
        what = f"complaint against trustee {dealer} (its share does not check)"
        session.post(COMPLAINT, complaint.to_json(), what=what)
    assert state.received is not None
    click.echo(
        f"shares checked: {len(state.received)} valid, complaints against "
        f"{list(state.complaints) or 'nobody'}"
    )
    session.post(SHARES_ACCEPTED, accepted.to_json(), what=f"trustee {state.trustee} done")


@command.command("publish")
@_trustee
def publish_command(session: BoardSession, state_path: Path) -> None:
    """Step 4: once the election key is published, check it against the ceremony on the board,
    derive this trustee's key share (sealed) and confirm it."""
    state, log = _step(session, state_path)
    if state.trustee in log.ceremony.confirmations:
        click.echo(f"trustee {state.trustee}'s confirmation is on the board already")
        return
    state, confirmation = publish(state, log)
    _save(state_path, state, session.passphrase())
    click.echo("the published election key is what the ceremony on the board gives")
    what = f"trustee {state.trustee}'s key confirmation"
    session.post(KEY_CONFIRMATION, confirmation.to_json(), what=what)


@command.command("decrypt")
@_trustee
def decrypt_command(session: BoardSession, state_path: Path) -> None:
    """After the tally is posted: decrypt this trustee's share of every aggregate, with a proof
    of each (docs/spec.md §7.6, §11.11), and post it."""
    state, log = _step(session, state_path)
    if state.trustee in log.tallying.decryptions:
        click.echo(f"trustee {state.trustee}'s decryption is on the board already")
        return
    payload = decrypt(state, log)
    shares = sum(p is not None for row in payload.shares for p in row)
    click.echo(f"{shares} partial decryption(s) with proofs of the tally")
    session.post(DECRYPTION, payload.to_json(), what=f"trustee {state.trustee}'s decryption")
