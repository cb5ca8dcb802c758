"""Spec §11.13 The receipt file: format then parse gives it back, and each mutation of a file
is refused for its named reason."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from bulletin_board.wire import Leaf, Receipt, sign_tree_head
from crypto import canonical
from crypto.envelope import entry_hash, parse_entry
from crypto.errors import MalformedInput
from crypto.merkle import leaf_hash
from crypto.signing import SigningKey
from election.wire import (
    RECEIPT_FILE_FORMAT,
    ReceiptFile,
    election_schemes,
    format_receipt_file,
    parse_receipt_file,
)
from tests.election.scenario import DEFINITION, ELECTION, Scenario

BOARD = SigningKey(bytes([7] * 32))
URL = "https://board.example.org"


@pytest.fixture(scope="module")
def receipt() -> Receipt:
    """A one-leaf log's receipt for a real ballot (leaf index 0, its own root)."""
    s = Scenario()
    s.ready()
    raw = s.ballot(s.members[0]).raw
    entry = parse_entry(raw, election_schemes(DEFINITION.fingerprint))
    leaf = Leaf.build(index=0, received=5, entry=entry)
    sth = sign_tree_head(
        election=ELECTION, tree_size=1, root_hash=leaf_hash(leaf.raw), timestamp=5,
        rehearsal=False, key=BOARD,
    )  # fmt: skip
    return Receipt(leaf, sth, ())


def test_format_then_parse_gives_the_file_back(receipt: Receipt) -> None:
    file = ReceiptFile.for_receipt(board=URL, receipt=receipt.to_json())
    assert (file.board, file.election) == (URL, ELECTION)
    assert file.tracker == entry_hash(receipt.leaf.entry.raw)
    data = format_receipt_file(file)
    assert data.endswith(b"\n")
    assert data[:-1] == canonical.encode(file.to_json())
    again = parse_receipt_file(data)
    assert again == file
    again.check_tracker()
    assert Receipt.from_json(dict(again.receipt), election_schemes(DEFINITION.fingerprint)) == (
        receipt
    )


def _set(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    return lambda obj: obj.__setitem__(key, value)


MUTATIONS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "other-format": (_set("format", "verivote-ballot"), "not a verivote receipt file"),
    "version-2": (_set("version", 2), "receipt file version must be <= 1"),
    "board-not-a-string": (_set("board", 1), "receipt file board must be a string"),
    "bad-election-id": (_set("election", "Nec 2027"), "election id"),
    "short-tracker": (_set("tracker", "00" * 31), "64 hex digits"),
    "receipt-not-an-object": (_set("receipt", []), "receipt must be a JSON object"),
    "missing-board": (lambda obj: obj.pop("board"), "missing field"),
    "extra-field": (_set("vote", "secret"), "unknown field"),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_mutated_file_is_refused_for_its_reason(name: str, receipt: Receipt) -> None:
    change, reason = MUTATIONS[name]
    obj = copy.deepcopy(ReceiptFile.for_receipt(board=URL, receipt=receipt.to_json()).to_json())
    change(obj)
    with pytest.raises(MalformedInput, match=reason):
        parse_receipt_file(canonical.encode(obj))


@pytest.mark.parametrize(
    ("name", "change", "reason"),
    [
        ("other-tracker", _set("tracker", "00" * 32), "tracker is not the hash of its entry"),
        ("other-election", _set("election", "nec-2028"), "not for election 'nec-2028'"),
        ("receipt-without-a-leaf", _set("receipt", {"sth": {}}), "holds no leaf with an entry"),
    ],
)
def test_a_file_whose_tracker_does_not_hold_is_refused_for_its_reason(
    name: str, change: Callable[[dict[str, Any]], None], reason: str, receipt: Receipt
) -> None:
    obj = copy.deepcopy(ReceiptFile.for_receipt(board=URL, receipt=receipt.to_json()).to_json())
    change(obj)
    document = parse_receipt_file(canonical.encode(obj))
    with pytest.raises(MalformedInput, match=reason):
        document.check_tracker()


def test_a_pretty_printed_file_is_read(receipt: Receipt) -> None:
    """Issue 15 item 7: a receipt file a member re-saved pretty-printed (an editor, a mail
    program) reads as the same file; its tracker is still checked over the canonical bytes."""
    document = ReceiptFile.for_receipt(board=URL, receipt=receipt.to_json())
    data = format_receipt_file(document)
    assert RECEIPT_FILE_FORMAT.encode() in data
    pretty = json.dumps(json.loads(data), indent=4, sort_keys=False).encode()
    assert pretty != data
    again = parse_receipt_file(b"\xef\xbb\xbf" + pretty.replace(b"\n", b"\r\n"))
    assert format_receipt_file(again) == data
    again.check_tracker()
    tampered = json.loads(pretty)
    tampered["receipt"]["leaf"]["entry"]["payload"]["style"] = "another"
    with pytest.raises(MalformedInput, match="tracker is not the hash of its entry"):
        parse_receipt_file(json.dumps(tampered, indent=2).encode()).check_tracker()
    with pytest.raises(MalformedInput, match="duplicate JSON key"):
        parse_receipt_file(pretty[:-1] + b', "version": 1}')
