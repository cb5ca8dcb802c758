"""``verivote trustee``: one trustee's part in the key ceremony, on their own machine.

``keygen``, ``share``, ``verify``, ``publish`` each read the board, do one step of §7 and post
its entries; every secret (the encryption key, the polynomial, the shares received, the key
share) lives only in the trustee's state file, sealed with the passphrase of their key file
(§7.1). Run each step when the board is ready for it; a step the board is not ready for says
what it is waiting for. After the close, ``trustee mix`` shuffles each ranked contest's latest
list (§6.8, §11.11) and ``trustee decrypt`` decrypts the tally and each ranked contest's mixed
list (§7.6, §7.8), reading the same state file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from cli._common import STRENGTH_CHOICE, progress, replace_secret, write_new_secret
from cli._context import TRUSTEE, BoardSession, board_options
from crypto.errors import MalformedInput
from crypto.sealing import STRENGTHS
from crypto.shuffle import PROOF_UNITS
from election.definition import ContestKind
from election.rules import ElectionState
from election.trustee import (
    TrusteeState,
    decrypt,
    decrypt_ranked,
    keygen,
    mix,
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
    MIX,
    RANKED_DECRYPTION,
    SHARES_ACCEPTED,
    TRUSTEE_KEY,
)

#: Seconds a mix may take to post (the board checks its proof first: tens of seconds at
#: 100,000 ballots, a ~60 MB entry), and may wait for the board to finish checking another.
MIX_TIMEOUT = 1800.0


@click.group("trustee")
def command() -> None:
    """A trustee's key ceremony (keygen, share, verify, publish), the ranked contests' mixes
    (mix) and the decryptions (decrypt) (docs/spec.md §7, §11.6, §11.11)."""


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
    """Step 2: once every trustee key is published (or trustee keys have closed), deal shares
    of a secret to the other participants."""
    state, log = _step(session, state_path)
    state, dealing = share(state, log, session.client.clock())
    _save(state_path, state, session.passphrase())
    session.post(DEALING, dealing.to_json(), what=f"trustee {state.trustee}'s dealing")


@command.command("verify")
@_trustee
def verify_command(session: BoardSession, state_path: Path) -> None:
    """Step 3: check each share addressed to this trustee in the dealings published; complain
    about every bad one, then, once every participant has dealt, post shares-accepted."""
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
    if accepted is None:
        waiting = sorted(set(log.ceremony.trustee_keys) - set(log.ceremony.dealings))
        click.echo(
            f"trustee(s) {waiting} have not dealt: run verify again when they do (the ceremony "
            "closes without them at ceremony_close)"
        )
        return
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


def _ranked(log: ElectionState) -> list[str]:
    assert log.params is not None
    return [c.id for c in log.params.definition.contests if c.kind is ContestKind.RANKED]


@command.command("mix")
@click.option(
    "--contest",
    "contests",
    multiple=True,
    metavar="ID",
    help="a ranked contest to mix (repeatable; default: every ranked contest)",
)
@_trustee
def mix_command(session: BoardSession, state_path: Path, contests: tuple[str, ...]) -> None:
    """After the tally: shuffle each ranked contest's latest list (re-encrypted, permuted) with
    a proof of the shuffle, and post it as the contest's next mix (docs/spec.md §6.8, §11.11).
    Once t trustees have mixed a contest, any trustee may decrypt it (verivote trustee decrypt),
    which closes its mixing."""
    session.timeout = session.patience = MIX_TIMEOUT
    state, log = _step(session, state_path)
    tallying = log.tallying
    if tallying.tally is None:
        raise MalformedInput("the tally is not on the board yet: mixing starts after it")
    for contest in contests or _ranked(log):
        latest = tallying.lists.get(contest)
        if latest is None:
            raise MalformedInput(f"{contest} is not a ranked contest of this election")
        if state.trustee in latest.mixers:
            click.echo(f"{contest}: trustee {state.trustee}'s mix is on the board already")
            continue
        if tallying.ranked.get(contest) or tallying.result:
            click.echo(f"{contest}: mixing is closed (its decryption began) after {latest.mixes}")
            continue
        size = len(latest.ciphertexts)
        work = (1 + PROOF_UNITS) * size
        with progress(f"{contest}: shuffling and proving {size:,} ballots", work) as advance:
            payload = mix(state, log, contest, progress=advance)
        what = f"mix {payload.mix} of {contest} ({size:,} ballots)"
        session.post(MIX, payload.to_json(), what=what)


@command.command("decrypt")
@_trustee
def decrypt_command(session: BoardSession, state_path: Path) -> None:
    """After the tally is posted: decrypt this trustee's share of every aggregate, with a proof
    of each (docs/spec.md §7.6, §11.11), and of each ranked contest's mixed list once t
    trustees have mixed it, with one proof per list (§7.8); post them."""
    session.timeout = session.patience = MIX_TIMEOUT
    state, log = _step(session, state_path)
    j = state.trustee
    if j in log.tallying.decryptions:
        click.echo(f"trustee {j}'s decryption of the tally is on the board already")
    else:
        payload = decrypt(state, log)
        shares = sum(p is not None for row in payload.shares for p in row)
        click.echo(f"{shares} partial decryption(s) with proofs of the tally")
        session.post(DECRYPTION, payload.to_json(), what=f"trustee {j}'s decryption")
    assert log.params is not None
    t = log.params.threshold.threshold
    for contest in _ranked(log):
        latest = log.tallying.lists[contest]
        if j in log.tallying.ranked.get(contest, {}):
            click.echo(f"{contest}: trustee {j}'s decryption is on the board already")
        elif latest.mixes < t:
            click.echo(
                f"{contest}: {latest.mixes} of the {t} mixes needed are on the board: run "
                "verivote trustee decrypt again once they are (verivote trustee mix)"
            )
        else:
            ranked = decrypt_ranked(state, log, contest)
            what = f"trustee {j}'s decryption of {contest} ({len(latest.ciphertexts):,} papers)"
            session.post(RANKED_DECRYPTION, ranked.to_json(), what=what)
