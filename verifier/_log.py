"""Spec §10.4 and §13.1 check 1: read an export in one pass, keeping only the tree's frontier,
and check every line, leaf hash, signed tree head and the consistency of the history.

Ballots and audits (voter entries) take a fast path: this reader only locates their fields in
the canonical leaf bytes (``bulletin_board.wire.split_leaf``, ``crypto.envelope.peek_entry``);
the ballot workers parse them in full (``parse_entry``), and report bytes that do not parse or
disagree with what was located as a check-1 failure.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final, Protocol

from bulletin_board.cosignature import Cosignature
from bulletin_board.wire import (
    BOARD_KEY_TYPE,
    EXPORT_FORMAT,
    MAX_LEAF_BYTES,
    BoardKeyPayload,
    Leaf,
    SignedTreeHead,
    check_election_id,
    split_leaf,
)
from crypto import canonical
from crypto.envelope import ED25519_SCHEMES, entry_hash, peek_entry
from crypto.errors import MalformedInput, VerivoteError
from crypto.merkle import Frontier, leaf_hash
from crypto.wire import expect_object, parse_hex
from election.wire import VOTER
from verifier._report import Report
from verifier._seen import Seen

__all__ = ["LeafRecord", "LogReader", "UnreadableInput"]

MAX_LINE: Final = MAX_LEAF_BYTES + 64  # a leaf line: {"leaf":...}
_LEAF_PREFIX: Final = b'{"leaf":'
_STH_PREFIX: Final = b'{"sth":'
_END_PREFIX: Final = b'{"end":'
_COSIGNATURE_PREFIX: Final = b'{"cosignature":'


class Lines(Protocol):
    """What the reader needs of a stream: ``readline`` with a size limit."""

    def readline(self, limit: int = -1, /) -> bytes: ...


class UnreadableInput(MalformedInput):
    """The input is not an export at all (exit status 2): no valid header, unreadable file."""


@dataclass(frozen=True, slots=True)
class LeafRecord:
    """One leaf as read: index, reception time, the entry's type, role, key and exact bytes.

    ``payload`` is the decoded payload for Ed25519 entries (signature checked here); None for
    voter entries, which the ballot workers decode and authenticate (check 5).
    """

    index: int
    received: int
    type: str
    role: str
    key: bytes
    raw: bytes = field(repr=False)
    payload: dict[str, object] | None = field(repr=False)


@dataclass(slots=True)
class LogReader:
    """Spec §10.4 A one-pass reader of an export that records check-1 findings in ``report``
    and yields each leaf it could parse. ``since``: a tree head kept earlier (monitor mode,
    §10.2), whose root must equal the root recomputed at its size."""

    report: Report
    seen: Seen
    """Where the entry digests go (check 1: no entry replayed)."""
    since: SignedTreeHead | None = None
    cosigned: SignedTreeHead | None = None
    """Spec §10.5 The largest tree head the board says its witnesses cosigned (a URL's)."""
    roots: dict[int, bytes] = field(default_factory=dict)
    """Roots to capture at given sizes (a receipt's tree head): size -> root once read."""
    election: str = ""
    board_key: bytes = b""
    rehearsal: bool | None = None
    """Leaf 0's flag (Spec §10.2): every tree head must carry it."""
    sth: SignedTreeHead | None = None
    _frontier: Frontier = field(default_factory=Frontier.empty)
    _count: int = 0
    _heads: int = 0
    _last_received: int = 0
    cosignatures: list[Cosignature] = field(default_factory=list)
    """Spec §10.5 The cosignatures of the final tree head the export carries (verified)."""
    _cosignature_lines: int = 0
    _cosigned_root: bytes = b""

    def read(self, stream: Lines) -> Iterator[LeafRecord]:
        """Yield every parsable leaf; findings go to the report.

        Raises:
            UnreadableInput: the first line is not an export header.
        """
        lines = _lines(stream)
        first = next(lines, b"")
        if not first.endswith(b"\n"):
            raise UnreadableInput("not a verivote board export: no header line")
        self._header(first[:-1])
        ended = False
        for number, text in enumerate(lines, start=2):
            line = text[:-1] if text.endswith(b"\n") else text + b"?"
            if ended:
                self._fail(None, f"line {number}: data after the end line")
                break
            if self._cosignature_lines and not line.startswith((_COSIGNATURE_PREFIX, _END_PREFIX)):
                self._fail(self._count, f"line {number}: after a cosignature, only cosignatures")
            if line.startswith(_LEAF_PREFIX):
                record = self._leaf(line)
                if record is not None:
                    yield record
            elif line.startswith(_STH_PREFIX):
                self._tree_head(line)
            elif line.startswith(_END_PREFIX):
                self._end(line)
                ended = True
            elif line.startswith(_COSIGNATURE_PREFIX):
                self._cosignature(line, number)
            else:
                self._fail(self._count, f"line {number}: neither a leaf, a tree head nor the end")
        if not ended:
            self._fail(None, "the export has no end line (truncated)")
        if self.sth is None or self.sth.tree_size != self._count:
            self._fail(None, f"no signed tree head covers all {self._count} leaves")
        if self.since is not None and self.since.tree_size > self._count:
            self._fail(
                None,
                f"the kept tree head has size {self.since.tree_size}, the log only "
                f"{self._count}: history rewritten",
            )
        self._check_cosigned()
        self.report.leaves = self._count
        if self.sth is not None:
            self.report.tree_size = self.sth.tree_size
            self.report.root_hash = self.sth.root_hash.hex()

    # --- lines -------------------------------------------------------------------------------
    def _header(self, line: bytes) -> None:
        try:
            obj = expect_object(
                canonical.decode(line), "export header",
                required={"format", "version", "election", "board_key"},
            )  # fmt: skip
            if obj["format"] != EXPORT_FORMAT or obj["version"] != 1:
                raise MalformedInput("not a version-1 verivote board export")
            self.election = check_election_id(obj["election"])
            self.board_key = parse_hex(obj["board_key"], 32, "board key")
        except VerivoteError as exc:
            raise UnreadableInput(f"not a verivote board export: {exc}") from None
        self.report.election = self.election
        since = self.since
        if since is not None and (since.board_key, since.election) != (
            self.board_key,
            self.election,
        ):
            self._fail(None, "the kept tree head is from another board key or election")

    def _fail(self, index: int | None, message: str) -> None:
        self.report.fail(1, index, message)

    def _leaf(self, line: bytes) -> LeafRecord | None:
        index = self._count
        self._count += 1
        raw = line[len(_LEAF_PREFIX) : -1] if line.endswith(b"}") else b""
        self._frontier = self._frontier.append(leaf_hash(raw))[0]
        self._capture()
        try:
            record = self._parse_leaf(raw, index)
        except VerivoteError as exc:
            self._fail(index, f"leaf: {exc}")
            return None
        if record.received < self._last_received:
            self._fail(index, "received is earlier than the previous leaf's")
        self._last_received = max(self._last_received, record.received)
        if not self.seen.new_entry(entry_hash(record.raw)[:16]):
            self._fail(index, "the same entry bytes are already in an earlier leaf (replay)")
            return None
        if (index == 0) != (record.type == BOARD_KEY_TYPE):
            self._fail(index, "leaf 0, and only leaf 0, must be the board-key entry")
            return None
        if record.role == "board" and record.key != self.board_key:
            self._fail(index, "a board entry is not signed by the export's board key")
            return None
        if index == 0:
            self._origin(record)
        self.report.ok(1)
        return record

    def _origin(self, record: LeafRecord) -> None:
        """Spec §10.1-§10.2 Leaf 0: the header's board key, and whether this is a rehearsal."""
        try:
            origin = BoardKeyPayload.from_json(record.payload)
        except VerivoteError as exc:
            self._fail(0, f"the board-key entry: {exc}")
            return
        if origin.key != self.board_key:
            self._fail(0, "the board-key entry does not hold the header's board key")
        self.rehearsal = self.report.rehearsal = origin.rehearsal

    def _parse_leaf(self, raw: bytes, index: int) -> LeafRecord:
        located = split_leaf(raw)
        header = None if located is None else peek_entry(located[0])
        if located is not None and header is not None and header.role == VOTER:
            entry_raw, leaf_index, received = located
            if leaf_index != index:
                raise MalformedInput(f"holds index {leaf_index}")
            if header.election != self.election:
                raise MalformedInput(f"entry for election {header.election!r}")
            return LeafRecord(
                index, received, header.type, VOTER, header.key, entry_raw, None
            )  # fmt: skip
        leaf = Leaf.from_bytes(raw, ED25519_SCHEMES, max_bytes=MAX_LINE, election=self.election)
        if leaf.index != index:
            raise MalformedInput(f"holds index {leaf.index}")
        entry = leaf.entry
        return LeafRecord(
            index, leaf.received, entry.type, entry.role, entry.key, entry.raw, dict(entry.payload)
        )

    def _check_cosigned(self) -> None:
        """Spec §13.1 check 1 (§10.5) The board's own largest cosigned head against the log."""
        head = self.cosigned
        if head is None:
            return
        if (head.board_key, head.election) != (self.board_key, self.election):
            self._fail(None, "the board's cosigned tree head is of another board key or election")
        elif head.tree_size > self._count:
            self._fail(
                None,
                f"the board's witnesses cosigned a tree head of size {head.tree_size}, but its "
                f"log stops at {self._count}: the board serves a log cut short (rolled back)",
            )
        elif self._cosigned_root != head.root_hash:
            self._fail(
                head.tree_size - 1 if head.tree_size else None,
                f"the board's witnesses cosigned a tree head of size {head.tree_size} whose root "
                "differs from this log's at that size: proof that the board forked",
            )

    def _capture(self) -> None:
        size = self._frontier.size
        if self.cosigned is not None and size == self.cosigned.tree_size:
            self._cosigned_root = self._frontier.root()
        if size in self.roots and not self.roots[size]:
            self.roots[size] = self._frontier.root()
        since = self.since
        if (
            since is not None
            and since.tree_size == size
            and self._frontier.root() != since.root_hash
        ):
            self._fail(
                size - 1,
                f"the log is not consistent with the kept tree head of size {size}: "
                "the board forked or rewrote its history",
            )

    def _tree_head(self, line: bytes) -> None:
        where = self._count - 1 if self._count else None
        try:
            sth = SignedTreeHead.from_bytes(line[len(_STH_PREFIX) : -1])
        except VerivoteError as exc:
            self._fail(where, f"signed tree head: {exc}")
            return
        problems = []
        if sth.board_key != self.board_key:
            problems.append("signed by another key than the board's")
        if sth.election != self.election:
            problems.append(f"for election {sth.election!r}")
        if sth.rehearsal != self.rehearsal:
            problems.append("its rehearsal flag is not leaf 0's")
        if sth.tree_size != self._count:
            problems.append(f"size {sth.tree_size} after {self._count} leaves")
        if self.sth is not None and sth.tree_size <= self.sth.tree_size:
            problems.append("size not above the previous tree head's")
        if self.sth is not None and sth.timestamp < self.sth.timestamp:
            problems.append("timestamp before the previous tree head's")
        if sth.timestamp < self._last_received:
            problems.append("timestamp before its last leaf's reception")
        if sth.root_hash != self._frontier.root():
            problems.append("root hash differs from the root of the leaves (fork or rewrite)")
        if problems:
            self._fail(where, f"signed tree head of size {sth.tree_size}: {'; '.join(problems)}")
            return
        self._heads += 1
        self.sth = sth

    def _cosignature(self, line: bytes, number: int) -> None:
        """Spec §10.4-§10.5 A cosignature line: after the final tree head, and cosigning it
        (whose it is and whether it counts: ``verifier._witnesses``)."""
        self._cosignature_lines += 1
        try:
            cosignature = Cosignature.from_bytes(line[len(_COSIGNATURE_PREFIX) : -1])
        except VerivoteError as exc:
            self._fail(None, f"line {number}: cosignature: {exc}")
            return
        if self.sth is None or self.sth.tree_size != self._count:
            self._fail(None, f"line {number}: a cosignature before the final tree head")
            return
        self.cosignatures.append(cosignature)

    def _end(self, line: bytes) -> None:
        try:
            obj = expect_object(canonical.decode(line), "end line", required={"end"})
            end = expect_object(obj["end"], "end line", required={"leaves", "tree_heads"})
        except VerivoteError as exc:
            self._fail(None, f"end line: {exc}")
            return
        if end["leaves"] != self._count or end["tree_heads"] != self._heads:
            self._fail(None, "the end line's counts differ from the lines read")


def _lines(stream: Lines) -> Iterator[bytes]:
    """The export's lines as read (a line lacking its 0x0A fails to parse)."""
    while True:
        line = stream.readline(MAX_LINE + 1)
        if not line:
            return
        yield line
