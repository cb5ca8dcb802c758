"""Spec §10.2 The board checks its own stored state before it serves or signs from it.

The append-only triggers stop UPDATE and DELETE, but a database role that may SELECT and
INSERT can still add rows at the next index: a leaf the board never accepted, its node, and a
tree-head row whose columns say "latest" while its signed bytes are an old genuine head. So the
board trusts no stored row for what its columns say:

- ``check_tree_head_row``: a stored tree head's exact bytes parse (§10.2), are signed by this
  board's key for this election, carry the log's rehearsal flag, and agree with the row's
  columns (size, root, timestamp);
- ``check_latest``: the latest tree head is such a row and covers exactly the stored leaves
  (every write, under the append lock, and every read of a tree head);
- ``check_log``: every leaf's hash and columns, every stored node recomputed from the leaves,
  every tree head checked and its root recomputed (on start).

Each raises ``LogCorrupted`` with one line naming the table, the index or size, and what
differs. ``Quarantine`` keeps the logs a board process found corrupted: it logs each once, in
that line, and refuses every later request on them (HTTP 503 ``log_corrupted``) until the board
restarts on a repaired database.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from typing import Final

from bulletin_board.errors import LogCorrupted
from bulletin_board.storage import LeafRow, Storage, StoredTreeHead
from bulletin_board.wire import ED25519, BoardKeyPayload, Leaf, SignedTreeHead
from crypto.errors import MalformedInput, VerivoteError
from crypto.merkle import Frontier, NodeId, leaf_hash

__all__ = [
    "Quarantine",
    "check_latest",
    "check_leaf_row",
    "check_log",
    "check_tree_head_row",
    "log_origin",
    "signed_here",
]

_LOG: Final = logging.getLogger("verivote.board")

_NODE_CHUNK: Final = 4096  # leaves per read of the nodes they create (one query)
_LEAF_HEAD: Final = b'{"entry":'
# Spec §10.1 A leaf's bytes end with its index and reception time, in canonical form.
_LEAF_TAIL: Final = re.compile(rb',"index":(0|[1-9][0-9]{0,15}),"received":(0|[1-9][0-9]{0,15}),'
                               rb'"version":1\}\Z')  # fmt: skip


def _short(h: bytes) -> str:
    return h.hex()[:16] + "..."


# Tree heads whose exact bytes parsed and verified, or why not: a stored head never changes, and
# the board reads the latest one on every write and every read of it.
_PARSED: dict[bytes, SignedTreeHead | str] = {}
_PARSED_MAX: Final = 4096


def _parse_head(raw: bytes) -> SignedTreeHead | str:
    found = _PARSED.get(raw)
    if found is None:
        try:
            found = SignedTreeHead.from_bytes(raw)
        except VerivoteError as exc:
            found = str(exc)
        _remember(raw, found)
    return found


def _remember(raw: bytes, head: SignedTreeHead | str) -> None:
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.clear()
    _PARSED[raw] = head


def signed_here(head: SignedTreeHead) -> bytes:
    """The bytes of a tree head this process just signed, known valid without verifying them
    again when the board reads them back; ``head.to_bytes()``."""
    raw = head.to_bytes()
    _remember(raw, head)
    return raw


def check_tree_head_row(
    row: StoredTreeHead, *, election: str, board_key: bytes, rehearsal: bool
) -> SignedTreeHead:
    """Spec §10.2 The signed tree head a stored row holds, checked against its columns.

    Raises:
        LogCorrupted: the bytes do not parse or verify, are signed by another key or for
            another election, say another rehearsal flag than the log's (``rehearsal``), or
            say another size, root or timestamp than the columns.
    """
    where = f"tree_heads row of size {row.tree_size!r} of {election!r}"
    head = _parse_head(row.raw)
    if isinstance(head, str):
        raise LogCorrupted(f"{where}: its signed bytes do not verify: {head}")
    if head.board_key != board_key:
        raise LogCorrupted(
            f"{where}: signed by key {_short(head.board_key)}, not this board's "
            f"{_short(board_key)} (another board's database, or the wrong key file)"
        )
    if head.election != election:
        raise LogCorrupted(f"{where}: its signed bytes are for election {head.election!r}")
    if head.rehearsal != rehearsal:
        raise LogCorrupted(f"{where}: signed rehearsal {head.rehearsal}, the log's is {rehearsal}")
    differs = []
    if head.tree_size != row.tree_size:
        differs.append(f"tree_size column {row.tree_size!r}, signed {head.tree_size}")
    if head.root_hash != row.root_hash:
        differs.append(f"root_hash column {_short(row.root_hash)}, signed {_short(head.root_hash)}")
    if head.timestamp != row.timestamp:
        differs.append(f"timestamp column {row.timestamp!r}, signed {head.timestamp}")
    if differs:
        raise LogCorrupted(
            f"{where}: its columns disagree with its signed bytes ({'; '.join(differs)}): "
            "a row the board did not write"
        )
    return head


def check_latest(
    row: StoredTreeHead | None, size: int, *, election: str, board_key: bytes, rehearsal: bool
) -> SignedTreeHead | None:
    """Spec §10.2 The latest stored tree head, checked (``check_tree_head_row``) and covering
    exactly the ``size`` stored leaves (every append stores its leaves and its tree head in
    one transaction). None for a log with no leaf yet.

    Raises:
        LogCorrupted: as ``check_tree_head_row``, or the head does not cover every leaf.
    """
    if row is None:
        if size:
            raise LogCorrupted(
                f"leaves of {election!r}: {size} stored but no tree head: leaves the board did "
                "not write"
            )
        return None
    head = check_tree_head_row(row, election=election, board_key=board_key, rehearsal=rehearsal)
    if head.tree_size != size:
        raise LogCorrupted(
            f"leaves of {election!r}: {size} stored, the latest tree head covers "
            f"{head.tree_size}: leaves from index {head.tree_size} on are not the board's"
        )
    return head


def log_origin(storage: Storage, election: str) -> BoardKeyPayload:
    """Spec §10.1 The board key and rehearsal flag of a stored log: its leaf 0's, the
    board-key entry.

    Raises:
        LogCorrupted: leaf 0 is absent or is not a board-key entry signed by its key.
    """
    row = storage.leaf(election, 0)
    try:
        if row is None:
            raise MalformedInput("absent")
        return BoardKeyPayload.of(Leaf.from_bytes(row.raw, {"board": ED25519}).entry)
    except VerivoteError as exc:
        raise LogCorrupted(f"leaves row 0 of {election!r}: {exc}") from None


def check_leaf_row(row: LeafRow, index: int, *, election: str) -> None:
    """Spec §10.1 A stored leaf at its place, its columns agreeing with its exact bytes: the
    leaf hash, and the index, reception time and entry hash those bytes hold.

    Raises:
        LogCorrupted: it does not.
    """
    where = f"leaves row {row.index!r} of {election!r}"
    if row.index != index:
        raise LogCorrupted(f"{where}: out of place (expected index {index})")
    if leaf_hash(row.raw) != row.leaf_hash:
        raise LogCorrupted(f"{where}: leaf_hash column is not the hash of its bytes")
    tail = _LEAF_TAIL.search(row.raw, max(0, len(row.raw) - 64))
    if not row.raw.startswith(_LEAF_HEAD) or tail is None:
        raise LogCorrupted(f"{where}: its bytes are not a leaf (Spec §10.1)")
    if int(tail[1]) != index or int(tail[2]) != row.received:
        raise LogCorrupted(
            f"{where}: its bytes hold index {int(tail[1])} and received {int(tail[2])}, "
            f"the columns {row.index!r} and {row.received!r}"
        )
    if hashlib.sha256(row.raw[len(_LEAF_HEAD) : tail.start()]).digest() != row.entry_hash:
        raise LogCorrupted(f"{where}: entry_hash column is not the hash of its entry")


def check_log(
    storage: Storage, election: str, *, board_key: bytes, rehearsal: bool
) -> SignedTreeHead | None:
    """Spec §10.2 Check one election's whole stored log (what the board does on start); its
    latest tree head (None for a log with no leaf yet).

    The latest tree head covers every stored leaf (``check_latest``); each leaf agrees with its
    columns (``check_leaf_row``); each stored node is the hash recomputed from the leaves; each
    tree head is checked (``check_tree_head_row``), in increasing size with timestamps that
    never decrease nor precede its last leaf's, and its root is the root of the leaves before
    it. Reads leaves and tree heads in one streamed pass each, and the nodes a few thousand
    leaves create in one query; rows appended meanwhile (above the size read first) are left to
    the writes' own checks.

    Raises:
        LogCorrupted: the first inconsistency found.
    """
    row, size = storage.latest_tree_head_and_size(election)
    latest = check_latest(row, size, election=election, board_key=board_key, rehearsal=rehearsal)
    with (
        closing(_checked_heads(storage, election, size, board_key, rehearsal)) as heads,
        closing(storage.leaves(election, 0, size)) as leaves,
    ):
        _check_stream(storage, election, size, leaves, heads)
    return latest


def _check_stream(
    storage: Storage,
    election: str,
    size: int,
    leaves: Iterator[LeafRow],
    heads: Iterator[SignedTreeHead],
) -> None:
    pending = next(heads, None)
    frontier = Frontier.empty()
    created: list[tuple[int, int, bytes]] = []
    last_received = 0
    for leaf in leaves:
        check_leaf_row(leaf, frontier.size, election=election)
        if leaf.received < last_received:
            raise LogCorrupted(f"leaves row {leaf.index} of {election!r}: received goes back")
        last_received = leaf.received
        frontier, new = frontier.append(leaf.leaf_hash)
        created.extend(new)
        if len(created) >= 2 * _NODE_CHUNK or frontier.size == size:
            _compare_nodes(storage, election, created)
            created = []
        while pending is not None and pending.tree_size == frontier.size:
            if pending.root_hash != frontier.root():
                raise LogCorrupted(
                    f"tree_heads row of size {pending.tree_size} of {election!r}: root "
                    f"{_short(pending.root_hash)}, the stored leaves give {_short(frontier.root())}"
                )
            if pending.timestamp < last_received:
                raise LogCorrupted(
                    f"tree_heads row of size {pending.tree_size} of {election!r}: timestamp "
                    f"{pending.timestamp} precedes its last leaf's reception {last_received}"
                )
            pending = next(heads, None)
    if frontier.size != size:
        raise LogCorrupted(f"leaves of {election!r}: {frontier.size} read, {size} stored")
    if pending is not None:
        raise LogCorrupted(
            f"tree_heads row of size {pending.tree_size} of {election!r}: no leaf brings the "
            "log to that size"
        )


def _checked_heads(
    storage: Storage, election: str, size: int, board_key: bytes, rehearsal: bool
) -> Generator[SignedTreeHead, None, None]:
    previous: SignedTreeHead | None = None
    with closing(storage.tree_heads(election, up_to=size)) as rows:
        for row in rows:
            head = check_tree_head_row(
                row, election=election, board_key=board_key, rehearsal=rehearsal
            )
            if previous is not None and head.timestamp < previous.timestamp:
                raise LogCorrupted(
                    f"tree_heads row of size {head.tree_size} of {election!r}: timestamp "
                    f"{head.timestamp} precedes the previous head's {previous.timestamp}"
                )
            previous = head
            yield head


def _compare_nodes(storage: Storage, election: str, created: list[tuple[int, int, bytes]]) -> None:
    wanted: list[NodeId] = [(level, index) for level, index, _ in created]
    for (level, index, expected), stored in zip(
        created, storage.read_nodes(election, wanted), strict=True
    ):
        if stored != expected:
            raise LogCorrupted(
                f"nodes row (level {level}, index {index}) of {election!r}: stored hash "
                f"{_short(stored)}, the leaves give {_short(expected)}"
            )


class Quarantine:
    """The logs this board process found corrupted, each with the one line it logged."""

    def __init__(self) -> None:
        self._found: dict[str, str] = {}

    def refuse(self, election: str) -> None:
        """Raises: LogCorrupted, with the line first found, if ``election`` is quarantined."""
        message = self._found.get(election)
        if message is not None:
            raise LogCorrupted(message)

    @contextmanager
    def watch(self, election: str) -> Iterator[None]:
        """Quarantine ``election`` (logging the line once) if the block finds it corrupted."""
        try:
            yield
        except LogCorrupted as exc:
            if election not in self._found:
                self._found[election] = str(exc)
                _LOG.error(
                    "log_corrupted: %s; not serving or signing %r until restarted on a repaired "
                    "database",
                    exc,
                    election,
                )
            raise

    def found(self) -> dict[str, str]:
        return dict(self._found)
