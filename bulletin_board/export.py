"""Spec §10.4 The board export: one streamable file with every leaf in order and every tree head.

Pure: this module imports only ``crypto``, the board's wire formats and ``election.wire`` (for
``export_fingerprint``: an election export's voter signatures bind its fingerprint), never the
board's storage or server. ``format_export`` writes the lines from any iterables of stored
bytes; ``read_export`` parses and checks a file line by line in constant memory (a ``Frontier``
of at most 64 hashes), recomputing the root of every tree head.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import BinaryIO, Final

from bulletin_board.cosignature import Cosignature
from bulletin_board.wire import (
    BOARD_KEY_TYPE,
    EXPORT_FORMAT,
    MAX_LEAF_BYTES,
    BoardKeyPayload,
    Leaf,
    SignatureScheme,
    SignedTreeHead,
    check_election_id,
)
from crypto import canonical
from crypto.errors import InconsistentLog, MalformedInput
from crypto.merkle import Frontier
from crypto.wire import expect_int, expect_object, parse_hex
from election.wire import ELECTION_DEFINITION, DefinitionPayload

__all__ = [
    "EXPORT_FORMAT",
    "ExportSummary",
    "export_fingerprint",
    "format_export",
    "read_export",
    "verify_export",
]

VERSION: Final = 1
MAX_LINE: Final = MAX_LEAF_BYTES + 64  # a leaf line: {"leaf":...}


def _line(value: canonical.JsonValue) -> bytes:
    return canonical.encode(value) + b"\n"


def format_export(
    *,
    election: str,
    board_key: bytes,
    leaves: Iterable[bytes],
    tree_heads: Iterable[tuple[int, bytes]],
    cosignatures: Iterable[bytes] = (),
) -> Iterator[bytes]:
    """Spec §10.4 The export's lines: header, leaves with each tree head after its last leaf,
    the witnesses' cosignatures of the last tree head (§10.5), end line. ``leaves`` yields leaf
    bytes in index order; ``tree_heads`` yields ``(tree_size, signed bytes)`` by increasing
    size, the last one covering every leaf given; ``cosignatures`` the bytes of each
    cosignature of the last.
    """
    yield _line(
        {
            "format": EXPORT_FORMAT,
            "version": VERSION,
            "election": election,
            "board_key": board_key.hex(),
        }
    )
    heads = iter(tree_heads)
    pending = next(heads, None)
    count = heads_written = 0
    for raw in leaves:
        yield b'{"leaf":' + raw + b"}\n"
        count += 1
        while pending is not None and pending[0] == count:
            yield b'{"sth":' + pending[1] + b"}\n"
            heads_written += 1
            pending = next(heads, None)
    for raw in cosignatures:
        yield b'{"cosignature":' + raw + b"}\n"
    yield _line({"end": {"leaves": count, "tree_heads": heads_written}})


@dataclass(frozen=True, slots=True)
class ExportSummary:
    """What a verified export holds: its election, board key, final tree head and counts,
    whether it is a rehearsal's log (Spec §10.2), and the cosignatures of its final tree head
    (§10.5: verified and of that head; whose they are is the reader's check)."""

    election: str
    board_key: bytes
    final: SignedTreeHead
    leaves: int
    tree_heads: int
    rehearsal: bool
    cosignatures: tuple[Cosignature, ...] = ()


def read_export(
    lines: Iterable[bytes], schemes: Mapping[str, SignatureScheme]
) -> Iterator[Leaf | SignedTreeHead | ExportSummary]:
    """Spec §10.4 Parse and check an export, yielding each leaf and tree head, then a summary.

    Checks, line by line: canonical JSON; the header; leaf ``i`` has index ``i``, the header's
    election, a valid author signature, a reception time not below the previous one; leaf 0 is
    the board-key entry of the header's key and no other leaf is; each tree head is signed by
    the header's key, for the header's election, with leaf 0's rehearsal flag, at a size
    strictly above the previous one and
    equal to the number of leaves read, with a timestamp not below the previous tree head's nor
    its last leaf's reception time, and with the root recomputed from the leaves; the end line's
    counts; the last tree head covers every leaf; the cosignature lines (§10.5) come after it
    and cosign it; nothing follows the end line.

    Raises:
        MalformedInput: a line that does not parse or breaks the format.
        InvalidSignature: an entry or tree head signature that does not verify.
        InconsistentLog: a tree head whose root is not the root of the leaves before it.
    """
    it = iter(lines)
    number = 1
    header = expect_object(
        _decode(next(it, b""), number),
        "export header",
        required={"format", "version", "election", "board_key"},
    )
    if header["format"] != EXPORT_FORMAT:
        raise MalformedInput(f"not a {EXPORT_FORMAT} file")
    expect_int(header["version"], "export version", minimum=VERSION, maximum=VERSION)
    election = check_election_id(header["election"])
    board_key = parse_hex(header["board_key"], 32, "board key")
    frontier = Frontier.empty()
    last: SignedTreeHead | None = None
    last_received = 0
    heads = 0
    rehearsal: bool | None = None
    cosignatures: list[Cosignature] = []
    for raw in it:
        number += 1
        where = f"export line {number}"
        obj = expect_object(
            _decode(raw, number), where, required=set(),
            optional={"leaf", "sth", "cosignature", "end"},
        )  # fmt: skip
        if len(obj) != 1:
            raise MalformedInput(f"{where}: exactly one of leaf, sth, cosignature, end")
        if cosignatures and ("leaf" in obj or "sth" in obj):
            raise MalformedInput(f"{where}: cosignatures come after the last tree head only")
        if "cosignature" in obj:
            cosignature = Cosignature.from_json(obj["cosignature"])
            if last is None or last.tree_size != frontier.size or not cosignature.matches(last):
                raise MalformedInput(f"{where}: a cosignature not of the last tree head")
            cosignatures.append(cosignature)
        elif "leaf" in obj:
            leaf = Leaf.from_json(obj["leaf"], schemes)
            _check_leaf(leaf, frontier.size, election, board_key, last_received, where)
            if leaf.index == 0:
                rehearsal = BoardKeyPayload.of(leaf.entry).rehearsal
            frontier, _ = frontier.append(leaf.hash)
            last_received = leaf.received
            yield leaf
        elif "sth" in obj:
            sth = SignedTreeHead.from_json(obj["sth"])
            _check_tree_head(sth, last, frontier, election, board_key, last_received, where)
            if sth.rehearsal != rehearsal:
                raise MalformedInput(f"{where}: tree head rehearsal flag differs from leaf 0's")
            last = sth
            heads += 1
            yield sth
        else:
            end = expect_object(obj["end"], where, required={"leaves", "tree_heads"})
            if expect_int(end["leaves"], "end leaves") != frontier.size or (
                expect_int(end["tree_heads"], "end tree heads") != heads
            ):
                raise MalformedInput(f"{where}: end line counts differ from the file's")
            if last is None or last.tree_size != frontier.size:
                raise MalformedInput(f"{where}: no tree head covers the last leaves")
            if next(it, None) is not None:
                raise MalformedInput(f"{where}: content after the end line")
            yield ExportSummary(
                election, board_key, last, frontier.size, heads, last.rehearsal,
                tuple(cosignatures),
            )  # fmt: skip
            return
    raise MalformedInput(f"export truncated after line {number}: no end line")


def _decode(raw: bytes, number: int) -> canonical.JsonValue:
    if not raw.endswith(b"\n"):
        raise MalformedInput(f"export line {number} is truncated (no newline)")
    return canonical.decode(raw[:-1], max_bytes=MAX_LINE)


def _check_leaf(
    leaf: Leaf, index: int, election: str, board_key: bytes, last_received: int, where: str
) -> None:
    if leaf.index != index:
        raise MalformedInput(f"{where}: leaf index {leaf.index}, expected {index}")
    if leaf.entry.election != election:
        raise MalformedInput(f"{where}: entry for election {leaf.entry.election!r}")
    if leaf.received < last_received:
        raise MalformedInput(f"{where}: reception time goes back ({leaf.received})")
    is_key = leaf.entry.type == BOARD_KEY_TYPE
    if (index == 0) != is_key or (is_key and leaf.entry.key != board_key):
        raise MalformedInput(f"{where}: leaf 0, and only leaf 0, is the board-key entry")
    if leaf.entry.role == "board" and leaf.entry.key != board_key:
        raise MalformedInput(f"{where}: a board entry signed by another key")


def _check_tree_head(
    sth: SignedTreeHead,
    previous: SignedTreeHead | None,
    frontier: Frontier,
    election: str,
    board_key: bytes,
    last_received: int,
    where: str,
) -> None:
    if sth.board_key != board_key:
        raise MalformedInput(f"{where}: tree head signed by another key")
    if sth.election != election:
        raise MalformedInput(f"{where}: tree head for election {sth.election!r}")
    if sth.tree_size != frontier.size:
        raise MalformedInput(f"{where}: tree head of size {sth.tree_size} after {frontier.size}")
    if previous is not None and (
        sth.tree_size <= previous.tree_size or sth.timestamp < previous.timestamp
    ):
        raise MalformedInput(f"{where}: tree heads out of order")
    if sth.timestamp < last_received:
        raise MalformedInput(f"{where}: tree head older than its last leaf")
    if sth.root_hash != frontier.root():
        raise InconsistentLog(
            f"{where}: tree head of size {sth.tree_size} has root {sth.root_hash.hex()}, "
            f"the leaves give {frontier.root().hex()}"
        )


def export_fingerprint(lines: Iterable[bytes]) -> bytes | None:
    """Spec §10.4 and §11.2 The election fingerprint of an export's definition (leaf 1), to
    verify its voters' signatures with; None when leaf 1 is not a definition.

    Raises:
        MalformedInput: a line before it is not canonical JSON, or the definition is invalid.
    """
    for line in lines:
        value = canonical.decode(line.rstrip(b"\n"), max_bytes=MAX_LINE)
        leaf = value.get("leaf") if isinstance(value, dict) else None
        if not isinstance(leaf, dict) or leaf.get("index") != 1:
            continue
        entry = leaf.get("entry")
        if not isinstance(entry, dict) or entry.get("type") != ELECTION_DEFINITION:
            return None
        return DefinitionPayload.from_json(entry.get("payload")).definition.fingerprint
    return None


def verify_export(stream: BinaryIO, schemes: Mapping[str, SignatureScheme]) -> ExportSummary:
    """Spec §10.4 Read and check a whole export file (see ``read_export``)."""
    summary: ExportSummary | None = None
    for item in read_export(_lines(stream), schemes):
        if isinstance(item, ExportSummary):
            summary = item
    assert summary is not None  # read_export ends with a summary or raises
    return summary


def _lines(stream: BinaryIO) -> Iterator[bytes]:
    while True:
        line = stream.readline(MAX_LINE + 2)
        if not line:
            return
        yield line
