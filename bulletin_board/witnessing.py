"""Spec §10.5 The board's side of witnessing: it stores witnesses' cosignatures of its tree heads
beside the log (never in it) and serves them with the head they cosign.

``accept_cosignature`` takes a posted cosignature only if it verifies, names a tree head the
board published (same board key, size, root and timestamp), comes from a witness the log's
definition (leaf 1) lists, and is later than any the board holds from that witness for that head.
``cosignatures_of`` reads them back, each stored row checked against its own bytes (a row the
board did not write is ``LogCorrupted``, as for the log's tables, §10.2).
"""

from __future__ import annotations

from bulletin_board.cosignature import Cosignature
from bulletin_board.errors import EntryRefused, LogCorrupted, UnknownTreeSize, WrongElection
from bulletin_board.log import Board
from bulletin_board.rehearsal import stored_definition
from bulletin_board.storage import Storage, StoredCosignature
from bulletin_board.wire import SignedTreeHead, check_election_id
from crypto.errors import MalformedInput, VerificationFailed

__all__ = ["accept_cosignature", "cosignatures_of", "stored_cosignatures"]


def accept_cosignature(board: Board, election: str, raw: bytes) -> tuple[Cosignature, bool]:
    """Spec §10.5 Store a witness's cosignature of one of ``election``'s tree heads; whether it
    is new (False: the same cosignature was stored before).

    Raises:
        MalformedInput, NonCanonicalEncoding, InvalidSignature, WrongElection: the cosignature.
        UnknownElection, UnknownTreeSize, LogCorrupted: no such log or head, or a bad store.
        EntryRefused: ``cosignature_mismatch``, ``no_definition``, ``unknown_witness``,
            ``cosignature_not_later``.
    """
    check_election_id(election)
    cosignature = Cosignature.from_bytes(raw)
    if cosignature.election != election:
        raise WrongElection(f"the cosignature is for election {cosignature.election!r}")
    head = board.tree_head(election, cosignature.tree_size)
    if not cosignature.matches(head):
        raise EntryRefused(
            "cosignature_mismatch",
            f"the cosignature's board key, root or timestamp are not those of tree head "
            f"{head.tree_size}",
        )
    definition = stored_definition(board.storage, election)
    if definition is None:
        raise EntryRefused("no_definition", "publish the election definition first")
    if cosignature.witness not in {w.key.raw for w in definition.witnesses}:
        raise EntryRefused(
            "unknown_witness",
            f"key {cosignature.witness.hex()} is not a witness of {election!r} (its definition)",
        )
    with board.storage.write(election) as tx:
        latest = tx.latest_cosignature(cosignature.tree_size, cosignature.witness)
        if latest == cosignature.cosigned:
            return cosignature, False  # the same fields: the same (deterministic) signature
        if latest is not None and latest > cosignature.cosigned:
            raise EntryRefused(
                "cosignature_not_later",
                f"this witness's cosignature of tree head {head.tree_size} stored here is later",
            )
        tx.add_cosignature(
            StoredCosignature(cosignature.tree_size, cosignature.witness, cosignature.cosigned, raw)
        )
    return cosignature, True


def cosignatures_of(
    board: Board, election: str, tree_size: int | None = None
) -> tuple[SignedTreeHead, list[Cosignature]]:
    """Spec §10.5 The tree head of ``tree_size`` (default: the largest cosigned) and the latest
    cosignature of each witness of it, in the definition's order of witnesses.

    Raises:
        UnknownElection, UnknownTreeSize (no such head, or none cosigned), LogCorrupted.
    """
    check_election_id(election)
    if tree_size is None:
        board.latest_tree_head(election)  # an unknown or corrupted log says so first
        tree_size = board.storage.latest_cosigned_size(election)
        if tree_size is None:
            raise UnknownTreeSize(f"no tree head of {election!r} is cosigned yet")
    head = board.tree_head(election, tree_size)
    return head, stored_cosignatures(board.storage, head)


def stored_cosignatures(storage: Storage, head: SignedTreeHead) -> list[Cosignature]:
    """Spec §10.5 The latest stored cosignature of each witness of ``head`` (a head the caller
    checked), in the definition's order of witnesses, each row checked against its bytes.

    Raises:
        LogCorrupted: a row that does not parse, or whose bytes are not the row's or the head's.
    """
    election = head.election
    definition = stored_definition(storage, election)
    order = {} if definition is None else {w.key.raw: i for i, w in enumerate(definition.witnesses)}
    found = []
    for row in storage.cosignatures(election, head.tree_size):
        try:
            cosignature = Cosignature.from_bytes(row.raw)
        except (MalformedInput, VerificationFailed) as exc:
            raise LogCorrupted(_stored(election, row, f"does not parse: {exc}")) from None
        if (
            not cosignature.matches(head)
            or (cosignature.witness, cosignature.cosigned) != (row.witness, row.cosigned)
            or cosignature.witness not in order
        ):
            raise LogCorrupted(_stored(election, row, "its bytes disagree with the row or head"))
        found.append(cosignature)
    return sorted(found, key=lambda c: order[c.witness])


def _stored(election: str, row: StoredCosignature, what: str) -> str:
    return (
        f"cosignatures row (size {row.tree_size}, witness {row.witness.hex()[:16]}) of "
        f"{election!r}: {what}"
    )
