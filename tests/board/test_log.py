"""Spec §10.1-§10.3 The log: appends, receipts, replays, rules, folding other writers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa

from bulletin_board.committer import group_committer
from bulletin_board.errors import (
    BadRange,
    EntryRefused,
    LogCorrupted,
    NotFound,
    UnknownElection,
    UnknownEntryType,
    UnknownTreeSize,
    UnsupportedRole,
    WrongElection,
)
from bulletin_board.log import Appended, Board
from bulletin_board.rules import EntryType, Rules, board_key_type, generic_rules
from bulletin_board.storage import Storage
from bulletin_board.wire import ED25519, Entry, Leaf, Receipt, sign_entry
from crypto import canonical
from crypto.errors import InvalidSignature, MalformedInput, NonCanonicalEncoding
from crypto.merkle import (
    leaf_hash,
    root_from_leaf_hashes,
    verify_consistency,
    verify_inclusion,
)
from crypto.signing import SigningKey
from tests.board.helpers import ADMIN, BOARD_KEY, RULES, note, open_board, prechecked


def _receipt(outcome: Appended | EntryRefused) -> Receipt:
    assert isinstance(outcome, Appended), outcome
    return outcome.receipt


def test_create_election_publishes_the_board_key_as_leaf_0(db_url: str) -> None:
    board = open_board(db_url)
    sth = board.latest_tree_head("e1")
    assert sth.tree_size == 1
    assert sth.board_key == BOARD_KEY.verify_key.raw
    leaf = Leaf.from_bytes(board.leaf("e1", 0).raw, RULES.schemes)
    assert leaf.entry.type == "board-key"
    assert leaf.entry.role == "board"
    assert leaf.entry.payload == {"key": BOARD_KEY.verify_key.to_hex(), "rehearsal": False}
    assert sth.root_hash == leaf_hash(leaf.raw)
    with pytest.raises(EntryRefused) as info:
        board.create_election("e1")
    assert info.value.code == "election_exists"
    board.create_election("e1", exist_ok=True)
    assert board.storage.size("e1") == 1


def test_appends_give_receipts_that_verify(db_url: str) -> None:
    board = open_board(db_url)
    raws = [note(i) for i in range(20)]
    outcomes = board.append("e1", [prechecked(r) for r in raws])
    for i, (raw, outcome) in enumerate(zip(raws, outcomes, strict=True)):
        receipt = _receipt(outcome)
        assert isinstance(outcome, Appended)
        assert outcome.new
        assert receipt.leaf.index == i + 1
        assert receipt.sth.tree_size == 21  # one tree head for the batch
        assert receipt.to_bytes() == canonical.encode(receipt.to_json())
        parsed = Receipt.from_json(canonical.decode(receipt.to_bytes()), RULES.schemes)
        parsed.check(entry=raw, board_key=BOARD_KEY.verify_key.raw)
    # The stored tree equals a recomputation from the stored leaves.
    hashes = [leaf_hash(row.raw) for row in board.leaves("e1", 0, 100)]
    assert root_from_leaf_hashes(hashes) == board.latest_tree_head("e1").root_hash


def test_every_published_size_has_a_tree_head_and_proofs(db_url: str) -> None:
    board = open_board(db_url)
    sizes = [1]
    for batch in range(6):
        board.append("e1", [prechecked(note(f"{batch}-{i}")) for i in range(batch + 1)])
        sizes.append(board.latest_tree_head("e1").tree_size)
    hashes = [leaf_hash(row.raw) for row in board.leaves("e1", 0, 1000)]
    for size in sizes:
        sth = board.tree_head("e1", size)
        assert sth.root_hash == root_from_leaf_hashes(hashes[:size])
        for index in range(size):
            proof = board.inclusion_proof("e1", index=index, tree_size=size)
            verify_inclusion(
                leaf_hash=hashes[index], index=index, tree_size=size, proof=proof,
                root=sth.root_hash,
            )  # fmt: skip
        for old in sizes:
            if old <= size:
                verify_consistency(
                    old_size=old,
                    new_size=size,
                    old_root=board.tree_head("e1", old).root_hash,
                    new_root=sth.root_hash,
                    proof=board.consistency_proof("e1", first=old, second=size),
                )
    with pytest.raises(UnknownTreeSize, match="no tree head of size 3 for 'e1'"):
        board.tree_head("e1", 3)  # sizes 1, 2, 4, 7, ...: 3 was never published
    with pytest.raises(UnknownTreeSize, match="no tree head of size 3 for 'e1'"):
        board.inclusion_proof("e1", index=0, tree_size=3)
    with pytest.raises(BadRange, match="leaf 1 is not in the tree of size 1"):
        board.inclusion_proof("e1", index=1, tree_size=1)
    with pytest.raises(BadRange, match=f"first size {sizes[-1]} is above second size 1"):
        board.consistency_proof("e1", first=sizes[-1], second=1)
    with pytest.raises(UnknownElection, match="no election log 'nope' on this board"):
        board.latest_tree_head("nope")
    with pytest.raises(NotFound, match="no leaf 1000000 in 'e1'"):
        board.leaf("e1", 10**6)
    with pytest.raises(BadRange, match=r"range \[1000000, 1000001\) is not within the log of"):
        list(board.leaves("e1", 10**6, 10**6 + 1))


def test_replay_returns_the_first_receipt(db_url: str) -> None:
    board = open_board(db_url)
    raw = note("once")
    first = _receipt(board.append("e1", [prechecked(raw)])[0])
    board.append("e1", [prechecked(note("other"))])
    again = board.append("e1", [prechecked(raw), prechecked(raw)])
    assert [a.new for a in again if isinstance(a, Appended)] == [False, False]
    for outcome in again:
        receipt = _receipt(outcome)
        assert receipt.leaf == first.leaf
        assert receipt.sth.tree_size == 3
        Receipt.from_json(receipt.to_json(), RULES.schemes)
    assert board.storage.size("e1") == 3
    # Duplicates inside one batch are appended once.
    raw2 = note("twice in a batch")
    outcomes = board.append("e1", [prechecked(raw2), prechecked(raw2)])
    assert [o.new for o in outcomes if isinstance(o, Appended)] == [True, False]
    assert board.storage.size("e1") == 4


def test_board_invariants(db_url: str) -> None:
    board = open_board(db_url)
    other_board = SigningKey(bytes(range(2, 34)))
    fake_key = sign_entry(
        election="e1", type="board-key", role="board",
        payload={"key": other_board.verify_key.to_hex(), "rehearsal": False}, key=other_board,
    )  # fmt: skip
    again_key = sign_entry(
        election="e1", type="board-key", role="board",
        payload={"key": BOARD_KEY.verify_key.to_hex(), "rehearsal": False}, key=BOARD_KEY,
    )  # fmt: skip
    outcomes = board.append("e1", [prechecked(fake_key), prechecked(again_key)])
    codes = [o.code for o in outcomes if isinstance(o, EntryRefused)]
    # again_key is byte-identical to leaf 0: a replay, answered with leaf 0's receipt.
    assert codes == ["board_key_only_first"]
    assert isinstance(outcomes[1], Appended)
    assert outcomes[1].receipt.leaf.index == 0
    assert board.storage.size("e1") == 1


@pytest.mark.parametrize(
    "mutation",
    [
        "bad-signature",
        "wrong-election",
        "unknown-type",
        "voter-role",
        "non-canonical",
        "duplicate-key",
        "float",
        "nan",
        "lone-surrogate",
        "missing-field",
        "extra-field",
        "short-key",
        "upper-hex",
        "version-2",
        "bad-election-id",
        "role-not-allowed",
        "board-key-payload",
    ],
)
def test_precheck_refuses(mutation: str) -> None:
    raw = note(1)
    value: Any = canonical.decode(raw)
    expected: type[Exception] = MalformedInput
    if mutation == "bad-signature":
        value["payload"]["n"] = 2
        expected = InvalidSignature
    elif mutation == "wrong-election":
        raw = note(1, election="e2")
        value = canonical.decode(raw)
        expected = WrongElection
    elif mutation == "unknown-type":
        raw = sign_entry(election="e1", type="ballot", role="administrator", payload={}, key=ADMIN)
        value = canonical.decode(raw)
        expected = UnknownEntryType
    elif mutation == "voter-role":
        value["author"]["role"] = "voter"
        expected = UnsupportedRole
    elif mutation == "non-canonical":
        raw = raw.replace(b'{"author"', b'{ "author"')
        value = None
        expected = NonCanonicalEncoding
    elif mutation == "duplicate-key":
        raw = raw.replace(b'"version":1}', b'"version":1,"version":1}')
        value = None
    elif mutation == "float":
        raw = raw.replace(b'"version":1}', b'"version":1.0}')
        value = None
    elif mutation == "nan":
        raw = raw.replace(b'"version":1}', b'"version":NaN}')
        value = None
    elif mutation == "lone-surrogate":
        raw = raw.replace(b'"type":"note"', b'"type":"\\ud800"')
        value = None
    elif mutation == "missing-field":
        del value["payload"]
    elif mutation == "extra-field":
        value["extra"] = 1
    elif mutation == "short-key":
        value["author"]["key"] = value["author"]["key"][:-2]
    elif mutation == "upper-hex":
        value["signature"] = value["signature"].upper()
    elif mutation == "version-2":
        value["version"] = 2
    elif mutation == "bad-election-id":
        value["election"] = "E 1"
    elif mutation == "role-not-allowed":
        raw = sign_entry(election="e1", type="note", role="board", payload={}, key=BOARD_KEY)
        value = canonical.decode(raw)
        expected = EntryRefused
    elif mutation == "board-key-payload":
        raw = sign_entry(
            election="e1", type="board-key", role="board",
            payload={"key": ADMIN.verify_key.to_hex(), "rehearsal": False}, key=BOARD_KEY,
        )  # fmt: skip
        value = canonical.decode(raw)
    if value is not None:
        raw = canonical.encode(value)
    with pytest.raises(expected, match=PRECHECK_REFUSALS[mutation]):
        RULES.precheck(raw, election="e1", max_bytes=2**20)


PRECHECK_REFUSALS = {
    "bad-signature": "Ed25519 signature does not verify",
    "wrong-election": "entry is for election 'e2', posted to 'e1'",
    "unknown-type": "unknown entry type 'ballot'",
    "voter-role": "this reader accepts no entries from role 'voter'",
    "non-canonical": r"not in canonical form \(RFC 8785\)",
    "duplicate-key": "duplicate JSON key: 'version'",
    "float": "floats are not allowed in canonical JSON: 1.0",
    "nan": "NaN is not allowed in JSON",
    "lone-surrogate": "lone surrogate U\\+D800",
    "missing-field": r"entry: missing field\(s\) payload",
    "extra-field": r"entry: unknown field\(s\) extra",
    "short-key": "administrator key must be 64 hex digits, got 62",
    "upper-hex": "entry signature must be lower-case hex",
    "version-2": "entry version must be <= 1, got 2",
    "bad-election-id": "election id: must be 1-63 of a-z",
    "role-not-allowed": "role 'board' may not post 'note' entries",
    "board-key-payload": "board-key payload key differs from the author key",
}


def test_size_limit() -> None:
    raw = note("x" * 5000)
    with pytest.raises(MalformedInput, match="JSON document too large: 5312 bytes > 1000"):
        RULES.precheck(raw, election="e1", max_bytes=1000)


# --- a stateful rule, to exercise check/apply and folding across processes -----------------


@dataclass(slots=True)
class CounterState:
    election: str
    count: int = 0
    seen: list[int] = field(default_factory=list)


def _check_counter(state: CounterState, entry: Entry, index: int, received: int) -> None:
    if entry.payload.get("n") != state.count:
        raise EntryRefused("wrong_counter", f"expected n = {state.count}")
    assert received > 0


def _apply_counter(state: CounterState, leaf: Leaf) -> None:
    state.count += 1
    state.seen.append(leaf.index)


COUNTER_RULES: Rules[CounterState] = Rules.build(
    "counter",
    schemes={"administrator": ED25519, "board": ED25519},
    types=[
        board_key_type(),
        EntryType("note", frozenset({"administrator"}), check=_check_counter, apply=_apply_counter),
    ],
    new_state=CounterState,
)


def test_stateful_rule_and_refusal(db_url: str) -> None:
    board = open_board(db_url, rules=COUNTER_RULES)
    outcomes = board.append("e1", [prechecked(note(i), rules=COUNTER_RULES) for i in (0, 1, 5, 2)])
    assert [type(o).__name__ for o in outcomes] == [
        "Appended", "Appended", "EntryRefused", "Appended",
    ]  # fmt: skip
    refused = outcomes[2]
    assert isinstance(refused, EntryRefused)
    assert refused.code == "wrong_counter"
    assert board.storage.size("e1") == 4


def test_two_boards_on_one_database_fold_each_others_appends(db_url: str) -> None:
    """Two processes (here: two Board objects, each with its own state) alternate appends;
    each folds the other's leaves under the lock before checking its own."""
    one = open_board(db_url, rules=COUNTER_RULES)
    two = Board(Storage.open(db_url), BOARD_KEY, COUNTER_RULES)
    for n in range(10):
        board = one if n % 2 == 0 else two
        outcome = board.append("e1", [prechecked(note(n), rules=COUNTER_RULES)])[0]
        assert isinstance(outcome, Appended), (n, outcome)
        assert outcome.receipt.leaf.index == n + 1
    assert one._views["e1"].state.count == 9
    assert two._views["e1"].state.count == 10


def test_a_foreign_board_key_is_refused(db_url: str) -> None:
    open_board(db_url)
    other = Board(Storage.open(db_url), SigningKey(bytes(range(5, 37))), generic_rules())
    with pytest.raises(LogCorrupted, match=r"signed by key .*, not this board's"):
        other.append("e1", [prechecked(note(1))])


def test_group_committer_batches(db_url: str) -> None:
    board = open_board(db_url)
    committer = group_committer(board, max_batch=50)
    committer.start()
    try:
        futures = [committer.submit("e1", prechecked(note(i))) for i in range(120)]
        bad = committer.submit("nope", prechecked(note(1, election="nope"), election="nope"))
        results = [f.result(timeout=60) for f in futures]
        with pytest.raises(UnknownElection, match="no election log 'nope' on this board"):
            bad.result(timeout=60)
    finally:
        committer.stop()
    indices = sorted(r.receipt.leaf.index for r in results)
    assert indices == list(range(1, 121))
    sizes = {r.receipt.sth.tree_size for r in results}
    assert len(sizes) < 120  # batched: fewer tree heads than entries
    for r in results:
        Receipt.from_json(r.receipt.to_json(), RULES.schemes)


def test_an_up_to_date_board_reads_no_leaves_to_append(db_url: str) -> None:
    """A board that appended the log's every leaf (the writer of a serve) folds nothing before
    an append: it reads the latest head, not an empty range of leaves; a board behind reads
    and folds the others' leaves, as before."""
    one = open_board(db_url, rules=COUNTER_RULES)
    two = Board(Storage.open(db_url), BOARD_KEY, COUNTER_RULES)
    assert isinstance(two.append("e1", [prechecked(note(0), rules=COUNTER_RULES)])[0], Appended)
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    sa.event.listen(one.storage._read, "before_cursor_execute", seen)
    try:
        behind = one.append("e1", [prechecked(note(1), rules=COUNTER_RULES)])[0]
        assert isinstance(behind, Appended)
        assert sum("FROM leaves" in s and "ORDER BY" in s for s in statements) == 1
        assert one._views["e1"].state.count == 2
        statements.clear()
        current = one.append("e1", [prechecked(note(2), rules=COUNTER_RULES)])[0]
        assert isinstance(current, Appended)
        assert statements
        assert not any("FROM leaves" in s and "ORDER BY" in s for s in statements)
    finally:
        sa.event.remove(one.storage._read, "before_cursor_execute", seen)
        one.storage.close()
        two.storage.close()
