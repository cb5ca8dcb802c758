"""Spec §11.13 The ballot receipt file a voter's client keeps: format and parse.

The file wraps the board's receipt (§10.3) exactly as answered, with the board's URL, the
election id and the ballot's tracker. This module reads the wrapper (``parse_receipt_file``) and
checks what needs only the file (``ReceiptFile.check_tracker``: the tracker is the entry hash,
§10.1, of the receipt's entry, which names the file's election). The receipt itself
(signatures, inclusion proof) is the board's format: the caller checks it with
``bulletin_board.wire.Receipt``, before the tracker (as §11.13 step 1 lists them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from crypto import canonical
from crypto.canonical import JsonValue
from crypto.envelope import ENTRY_HASH_LENGTH, check_election_id, entry_hash
from crypto.errors import MalformedInput
from crypto.wire import expect_int, expect_object, expect_str, parse_hex

RECEIPT_FILE_FORMAT: Final = "verivote-receipt"
RECEIPT_FILE_VERSION: Final = 1
_FIELDS: Final = {"format", "version", "board", "election", "tracker", "receipt"}
MAX_RECEIPT_FILE: Final = 4 * 2**20


@dataclass(frozen=True, slots=True)
class ReceiptFile:
    """Spec §11.13 A receipt file: the board URL, the election, the tracker, and the board's
    receipt object (§10.3) as answered."""

    board: str
    election: str
    tracker: bytes
    receipt: Mapping[str, Any] = field(repr=False)

    @classmethod
    def for_receipt(cls, *, board: str, receipt: Mapping[str, Any]) -> ReceiptFile:
        """The file for the board's ``receipt`` (§10.3 object) of a ballot posted to ``board``:
        its election and tracker are its entry's.

        Raises:
            MalformedInput: the receipt holds no entry object with an election id.
        """
        entry = _entry(receipt)
        return cls(board, check_election_id(entry.get("election")), _tracker(entry), receipt)

    @classmethod
    def from_json(cls, value: JsonValue) -> ReceiptFile:
        """Spec §11.13 Parse a receipt file's object.

        Raises:
            MalformedInput: not a version-1 receipt file, or a field missing, unknown or of
                the wrong type or length.
        """
        obj = expect_object(value, "receipt file", required=_FIELDS)
        if obj["format"] != RECEIPT_FILE_FORMAT:
            raise MalformedInput(f"not a verivote receipt file (format {obj['format']!r})")
        expect_int(
            obj["version"],
            "receipt file version",
            minimum=RECEIPT_FILE_VERSION,
            maximum=RECEIPT_FILE_VERSION,
        )
        board = expect_str(obj["board"], "receipt file board")
        election = check_election_id(obj["election"])
        tracker = parse_hex(obj["tracker"], ENTRY_HASH_LENGTH, "receipt file tracker")
        return cls(board, election, tracker, _receipt_object(obj["receipt"]))

    def check_tracker(self) -> None:
        """Spec §11.13 step 1 (the file's part): the tracker is the entry hash of the
        receipt's entry, and that entry is for the file's election.

        Raises:
            MalformedInput: the receipt holds no entry, or another tracker or election.
        """
        entry = _entry(self.receipt)
        if _tracker(entry) != self.tracker:
            raise MalformedInput("receipt file: its tracker is not the hash of its entry")
        if entry.get("election") != self.election:
            raise MalformedInput(f"receipt file: its entry is not for election {self.election!r}")

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "format": RECEIPT_FILE_FORMAT,
            "version": RECEIPT_FILE_VERSION,
            "board": self.board,
            "election": self.election,
            "tracker": self.tracker.hex(),
            "receipt": dict(self.receipt),
        }


def format_receipt_file(file: ReceiptFile) -> bytes:
    """Spec §11.13 The file's bytes: canonical JSON and a newline (it holds no secret)."""
    return canonical.encode(file.to_json()) + b"\n"


def parse_receipt_file(data: bytes) -> ReceiptFile:
    """Spec §11.13 Parse a receipt file's bytes, a file a person handles (§4.2): any one JSON
    text of the object (pretty-printed, reordered, a byte-order mark first), with the ASCII
    white space around it ignored (``bytes.strip``: exactly 0x09-0x0D and 0x20). The receipt's
    signatures and the tracker are checked over canonical encodings by the caller.

    Raises:
        MalformedInput: see ``ReceiptFile.from_json`` (the tracker is checked by
            ``ReceiptFile.check_tracker``).
    """
    text = data.removeprefix(b"\xef\xbb\xbf").strip()
    return ReceiptFile.from_json(canonical.decode_document(text, max_bytes=MAX_RECEIPT_FILE))


def _receipt_object(value: object) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedInput(f"receipt must be a JSON object, got {type(value).__name__}")
    return dict(value)


def _entry(receipt: Mapping[str, Any]) -> dict[str, Any]:
    """The entry object inside a §10.3 receipt (its leaf's), unchecked."""
    leaf = receipt.get("leaf")
    entry = leaf.get("entry") if isinstance(leaf, Mapping) else None
    if not isinstance(entry, Mapping):
        raise MalformedInput("receipt file: the receipt holds no leaf with an entry")
    return dict(entry)


def _tracker(entry: Mapping[str, Any]) -> bytes:
    """Spec §11.8 The entry hash of the entry object (its canonical bytes)."""
    return entry_hash(canonical.encode(dict(entry)))
