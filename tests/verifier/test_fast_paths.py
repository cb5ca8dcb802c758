"""The verifier's fast paths give what the plain parsers give (issue 10): ``split_leaf`` and
``peek_entry`` locate a leaf's entry, index, reception time, election, type, role and author
key exactly as ``Leaf.from_bytes`` parses them, on every entry type of a real election's log;
and they never disagree with the plain parser on bytes it accepts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bulletin_board.wire import BOARD_KEY_TYPE, Leaf, split_leaf
from crypto.envelope import EntryHeader, peek_entry
from crypto.errors import VerivoteError
from crypto.threshold import complain
from election.wire import ENTRY_AUTHORS, BoothRelease, election_schemes
from tests.election.scenario import (
    DEFINITION,
    ELECTION,
    STYLE_ALL,
    VOTING_CLOSE,
    admin,
    issuer,
    trustee,
)
from tests.verifier.election import Built, Leaves, entry_of, leaf_bytes

SCHEMES = election_schemes(DEFINITION.fingerprint)


def _every_type(built: Built) -> Leaves:
    """The built election's log, with an entry of each type it lacks appended (each a real
    entry of its type: a complaint against a real dealing, a reissue of a real credential)."""
    s = built.scenario
    old, new = s.members[0].key.public.to_hex(), s.members[1].key.public.to_hex()
    late = complain(s.params, s.trustee_keys[5], s.dealings[1])
    extra = [
        admin("timetable-change", {"field": "voting_close", "time": "2027-03-01T09:00:00Z",
                                   "reason": "Postal strike"}),
        admin("exclusion", {"contest": "nec-clp", "nominee": "ben", "reason": "Withdrew"}),
        admin("decision", {"subject": "Count venue", "decision": "Online", "reason": "Cost"}),
        admin("booth-release", RELEASE),
        trustee("complaint", {"complaint": late.to_json()}, 5),
        issuer("credential-reissue", {"style": STYLE_ALL, "revoked": old, "credential": new,
                                      "reason": "Letter lost"}),
    ]  # fmt: skip
    return [*built.leaves, *((e.raw, VOTING_CLOSE + 10) for e in extra)]


RELEASE = BoothRelease.of_files({"index.html": b"<p>"}, version="1").to_json()


@pytest.fixture(scope="module")
def leaves(built: Built) -> Leaves:
    return _every_type(built)


@pytest.mark.parametrize("entry_type", sorted({*ENTRY_AUTHORS, BOARD_KEY_TYPE}))
def test_the_fast_paths_agree_with_the_parser(entry_type: str, leaves: Leaves) -> None:
    found = [
        (i, raw, received)
        for i, (raw, received) in enumerate(leaves)
        if entry_of(raw)["type"] == entry_type
    ]
    assert found, f"the log has no {entry_type} entry"
    for index, raw, received in found:
        blob = leaf_bytes(index, raw, received)
        leaf = Leaf.from_bytes(blob, SCHEMES, election=ELECTION)
        entry = leaf.entry
        assert (entry.type, entry.raw, leaf.index, leaf.received) == (
            entry_type,
            raw,
            index,
            received,
        )
        assert split_leaf(blob) == (entry.raw, leaf.index, leaf.received)
        assert peek_entry(entry.raw) == EntryHeader(
            entry.election, entry.type, entry.role, entry.key
        )


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_the_fast_paths_never_disagree_with_an_accepting_parser(
    data: st.DataObject, leaves: Leaves
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(leaves) - 1))
    raw, received = leaves[index]
    blob = bytearray(leaf_bytes(index, raw, received))
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        at = data.draw(st.integers(min_value=0, max_value=len(blob) - 1))
        blob[at] = data.draw(st.sampled_from(b'{}[],:"0139af-xzAF \\'))
    located = split_leaf(bytes(blob))
    header = None if located is None else peek_entry(located[0])
    try:
        leaf = Leaf.from_bytes(bytes(blob), SCHEMES, verify=False)
    except VerivoteError:
        return  # the plain path refuses: the verifier's workers parse and refuse it too
    assert located is None or located == (leaf.entry.raw, leaf.index, leaf.received)
    entry = leaf.entry
    assert header is None or header == EntryHeader(
        entry.election, entry.type, entry.role, entry.key
    )


def test_non_canonical_leaf_bytes_take_the_plain_path(leaves: Leaves) -> None:
    raw, received = leaves[1]
    blob = leaf_bytes(1, raw, received)
    assert split_leaf(blob.replace(b',"index":', b', "index":')) is None
    assert split_leaf(blob.replace(b'"version":1}', b'"version":01}')) is None
    assert split_leaf(leaf_bytes(1, raw, 2**53)) is None  # above 2^53 - 1
    assert split_leaf(leaf_bytes(1, raw, 2**53 - 1)) == (raw, 1, 2**53 - 1)
    assert split_leaf(b'{"leaf":' + blob + b"}") is None
