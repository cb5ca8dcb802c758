"""``verivote receipt check``: is my ballot still on the board, and does it count? (§11.13)

The receipt file (§11.13) holds the board's receipt for the ballot: the leaf with the
ballot entry, a signed tree head and the inclusion proof. Checking it against the board now:

1. the receipt itself: the ballot's signature, the tree head's signature, the inclusion proof;
2. the tree head is signed by the board's key (leaf 0's);
3. the board's current tree head is consistent with the receipt's (a consistency proof): the
   board has not rewritten the log since;
4. the ballot is at the same index of the current tree (an inclusion proof);
5. the log (folded and checked) counts it: it is the credential's last ballot, or it is
   superseded by a later revote (leaf named), or the credential was revoked.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Final

import click

from bulletin_board.client import BoardClient
from bulletin_board.wire import Receipt
from crypto import canonical
from crypto.canonical import JsonValue
from crypto.errors import (
    InclusionProofMismatch,
    InconsistentLog,
    MalformedInput,
    VerificationFailed,
)
from crypto.merkle import verify_consistency, verify_inclusion
from crypto.wire import expect_int, expect_object, expect_str, parse_hex
from election.wire import BALLOT

FORMAT: Final = "verivote-receipt"


def write_receipt(path: Path, *, board: str, tracker: str, receipt: Receipt) -> None:
    """Spec §11.13 Save a ballot's receipt file (canonical JSON; it holds no secret)."""
    document: dict[str, JsonValue] = {
        "format": FORMAT,
        "version": 1,
        "board": board,
        "election": receipt.sth.election,
        "tracker": tracker,
        "receipt": canonical.decode(receipt.to_bytes()),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(canonical.encode(document) + b"\n")


def _document(data: bytes) -> dict[str, Any]:
    """Raises: MalformedInput (not a version-1 receipt file)."""
    obj = expect_object(
        canonical.decode(data.strip()),
        "receipt file",
        required={"format", "version", "board", "election", "tracker", "receipt"},
    )
    if obj["format"] != FORMAT:
        raise MalformedInput("not a verivote receipt file")
    expect_int(obj["version"], "receipt file version", minimum=1, maximum=1)
    expect_str(obj["board"], "receipt board")
    expect_str(obj["election"], "receipt election")
    return obj


def read_receipt(data: bytes, client: BoardClient) -> Receipt:
    """Spec §11.13 Parse a receipt file for ``client``'s election and check it offline (step 1)
    and against the board's key (step 2).

    Raises:
        MalformedInput: not a receipt file, of another election, or the tracker or entry is
            not a ballot's.
        InvalidSignature, InclusionProofMismatch, InconsistentLog.
    """
    obj = _document(data)
    if obj["election"] != client.election:
        raise MalformedInput(f"the receipt is for election {obj['election']!r}")
    tracker = parse_hex(obj["tracker"], 32, "tracker")
    receipt = Receipt.from_json(obj["receipt"], client.schemes())
    if receipt.leaf.entry.type != BALLOT:
        raise MalformedInput("the receipt is not for a ballot")
    if hashlib.sha256(receipt.leaf.entry.raw).digest() != tracker:
        raise MalformedInput("the receipt's tracker is not the hash of its ballot")
    receipt.check(entry=receipt.leaf.entry.raw, board_key=client.key())
    return receipt


@click.group("receipt")
def command() -> None:
    """Check a ballot's receipt against the board (docs/spec.md §11.13)."""


@command.command("check")
@click.argument("receipt_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--board", "board_url", default=None, envvar="VERIVOTE_BOARD",
              help="the board's URL (default: the one in the receipt)")  # fmt: skip
def check(receipt_file: Path, board_url: str | None) -> None:
    """Check that your ballot is still on the board, unchanged, and whether it counts."""
    data = receipt_file.read_bytes()
    header = _document(data)
    with BoardClient(board_url or header["board"], header["election"]) as client:
        receipt = read_receipt(data, client)
        index, old = receipt.leaf.index, receipt.sth
        head = client.tree_head()
        try:
            verify_consistency(
                old_size=old.tree_size,
                new_size=head.tree_size,
                old_root=old.root_hash,
                new_root=head.root_hash,
                proof=client.consistency_proof(old.tree_size, head.tree_size),
            )
            verify_inclusion(
                leaf_hash=receipt.leaf.hash,
                index=index,
                tree_size=head.tree_size,
                proof=client.inclusion_proof(index, head.tree_size),
                root=head.root_hash,
            )
        except (InconsistentLog, InclusionProofMismatch) as exc:
            raise InconsistentLog(
                f"the board CONTRADICTS your receipt (keep it as evidence, report it): {exc}"
            ) from None
        click.echo(
            f"your ballot is on the board at leaf {index}, unchanged; the board's tree "
            f"(size {head.tree_size}) is consistent with your receipt's (size {old.tree_size})"
        )
        log, _ = client.fold()
    credential = log.credentials.credentials.get(receipt.leaf.entry.key)
    if credential is None:
        raise VerificationFailed("your ballot's credential is not on the published lists")
    if credential.revoked:
        raise VerificationFailed("your credential was REVOKED: this ballot does not count")
    if credential.last_ballot == index:
        click.echo("it is your counted ballot (your last)")
    else:
        click.echo(
            f"it is SUPERSEDED by a later ballot of your credential (leaf "
            f"{credential.last_ballot}): only your last ballot counts"
        )
