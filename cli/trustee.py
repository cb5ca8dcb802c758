"""``verivote trustee``: one trustee's part in the key ceremony, on their own machine.

``keygen``, ``share``, ``verify``, ``publish`` each read the board, do one step of §7 and post
its entries; every secret (the encryption key, the polynomial, the shares received, the key
share) lives only in the trustee's state file, sealed with the passphrase of their key file
(§7.1). Run each step when the board is ready for it; a step the board is not ready for says
what it is waiting for. ``trustee decrypt`` (after the close) reads the same state file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from bulletin_board.client import BoardClient
from bulletin_board.wire import sign_entry
from cli._common import (
    STRENGTH_CHOICE,
    board_options,
    election_id,
    key_option,
    open_client,
    read_passphrase,
    replace_secret,
    write_new_secret,
)
from crypto.errors import MalformedInput
from crypto.sealing import STRENGTHS
from election.role_keys import RoleKey
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
    f = click.option(
        "--passphrase-env",
        default=None,
        metavar="VAR",
        help="read the passphrase (of the key and state files) from this variable",
    )(f)
    f = click.option(
        "--state",
        "state_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default="trustee-state.sealed",
        show_default=True,
        envvar="VERIVOTE_TRUSTEE_STATE",
        help="this trustee's sealed state file (all its ceremony secrets)",
    )(f)
    f = key_option(
        "trustee.key",
        envvar="VERIVOTE_TRUSTEE_KEY",
        help="the sealed trustee key (verivote keys generate --role trustee)",
    )(f)
    return board_options(f)


def _open(key_path: Path, passphrase_env: str | None) -> tuple[RoleKey, bytes]:
    passphrase = read_passphrase(passphrase_env, what=f"{key_path} and the state file")
    return RoleKey.open(key_path.read_bytes(), passphrase, role="trustee"), passphrase


def _post(client: BoardClient, key: RoleKey, type: str, payload: dict[str, Any], what: str) -> int:
    raw = sign_entry(
        election=client.election, type=type, role="trustee", payload=payload, key=key.key
    )
    receipt = client.post(raw, what=what)
    click.echo(f"{what} posted: leaf {receipt.leaf.index}")
    return receipt.leaf.index


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


def _load_state(path: Path, passphrase: bytes, client: BoardClient) -> TrusteeState:
    if not path.exists():
        raise MalformedInput(f"no trustee state {path}: run verivote trustee keygen first")
    state = TrusteeState.open(path.read_bytes(), passphrase)
    if state.election != client.election:
        raise MalformedInput(f"{path} is the state of election {state.election!r}")
    return state


@contextmanager
def _session(
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    state_path: Path,
    passphrase_env: str | None,
) -> Iterator[tuple[RoleKey, bytes, BoardClient, TrusteeState, ElectionState]]:
    """A step after keygen: the trustee's key and passphrase, a client of the board, the
    opened state and the log folded from the board."""
    key, passphrase = _open(key_path, passphrase_env)
    with open_client(board_url, election_id(election, definition_path)) as client:
        state = _load_state(state_path, passphrase, client)
        log, _ = client.fold()
        yield key, passphrase, client, state, log


@command.command("keygen")
@_trustee
@click.option("--kdf", "strength", default="moderate", show_default=True, type=STRENGTH_CHOICE)
def keygen_command(
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    state_path: Path,
    passphrase_env: str | None,
    strength: str,
) -> None:
    """Step 1: draw this trustee's encryption key, keep it sealed, publish its public part."""
    key, passphrase = _open(key_path, passphrase_env)
    with open_client(board_url, election_id(election, definition_path)) as client:
        definition = client.definition()
        if definition is None:
            raise MalformedInput("the election definition is not on the board yet")
        j = trustee_index(definition, key.public.raw)
        log, _ = client.fold()
        if state_path.exists():
            state = _load_state(state_path, passphrase, client)
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
            write_new_secret(state_path, state.seal(passphrase, strength=strength))
            payload = public.key.to_json()
        _post(client, key, TRUSTEE_KEY, {"key": payload}, f"trustee {j}'s key")
    click.echo(f"secrets sealed in {state_path}: keep it (and a backup) safe")


@command.command("share")
@_trustee
def share_command(
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    state_path: Path,
    passphrase_env: str | None,
) -> None:
    """Step 2: once every trustee key is published, deal shares of a secret to the others."""
    session = _session(board_url, election, definition_path, key_path, state_path, passphrase_env)
    with session as (key, passphrase, client, state, log):
        state, dealing = share(state, log)
        _save(state_path, state, passphrase)
        _post(client, key, DEALING, dealing.to_json(), f"trustee {state.trustee}'s dealing")


@command.command("verify")
@_trustee
def verify_command(
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    state_path: Path,
    passphrase_env: str | None,
) -> None:
    """Step 3: once every dealing is published, check each share addressed to this trustee;
    complain about every bad one, then post shares-accepted."""
    session = _session(board_url, election, definition_path, key_path, state_path, passphrase_env)
    with session as (key, passphrase, client, state, log):
        state, complaints, accepted = verify(state, log)
        _save(state_path, state, passphrase)
        for complaint in complaints:
            dealer = complaint.complaint.dealer
            _post(
                client,
                key,
                COMPLAINT,
                complaint.to_json(),
                f"complaint against trustee {dealer} (its share does not check)",
            )
        assert state.received is not None
        click.echo(
            f"shares checked: {len(state.received)} valid, complaints against "
            f"{list(state.complaints) or 'nobody'}"
        )
        _post(client, key, SHARES_ACCEPTED, accepted.to_json(), f"trustee {state.trustee} done")


@command.command("publish")
@_trustee
def publish_command(
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    state_path: Path,
    passphrase_env: str | None,
) -> None:
    """Step 4: once the election key is published, check it against the ceremony on the board,
    derive this trustee's key share (sealed) and confirm it."""
    session = _session(board_url, election, definition_path, key_path, state_path, passphrase_env)
    with session as (key, passphrase, client, state, log):
        if state.trustee in log.ceremony.confirmations:
            click.echo(f"trustee {state.trustee}'s confirmation is on the board already")
            return
        state, confirmation = publish(state, log)
        _save(state_path, state, passphrase)
        click.echo("the published election key is what the ceremony on the board gives")
        _post(
            client,
            key,
            KEY_CONFIRMATION,
            confirmation.to_json(),
            f"trustee {state.trustee}'s key confirmation",
        )


@command.command("decrypt")
@_trustee
def decrypt_command(
    board_url: str,
    election: str | None,
    definition_path: Path,
    key_path: Path,
    state_path: Path,
    passphrase_env: str | None,
) -> None:
    """After the tally is posted: decrypt this trustee's share of every aggregate, with a proof
    of each (docs/spec.md §7.6, §11.11), and post it."""
    session = _session(board_url, election, definition_path, key_path, state_path, passphrase_env)
    with session as (key, _, client, state, log):
        if state.trustee in log.tallying.decryptions:
            click.echo(f"trustee {state.trustee}'s decryption is on the board already")
            return
        payload = decrypt(state, log)
        shares = sum(p is not None for row in payload.shares for p in row)
        click.echo(f"{shares} partial decryption(s) with proofs of the tally")
        _post(client, key, DECRYPTION, payload.to_json(), f"trustee {state.trustee}'s decryption")
