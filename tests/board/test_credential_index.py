"""Spec §11.15 The credential index: records in canonical form, the root of the sorted records
kept right as ballots arrive, proofs that verify, a signed head that detects tampering, and an
answer that cannot pass off another credential's record or a wrong proof."""

from __future__ import annotations

import random
from collections.abc import Mapping

import pytest

from bulletin_board.credential_index import (
    CredentialIndex,
    CredentialRecord,
    IndexAnswer,
    IndexHead,
    check_leaf,
    judge,
    sign_index_head,
)
from bulletin_board.wire import sign_tree_head
from crypto import canonical
from crypto.errors import (
    InclusionProofMismatch,
    InconsistentLog,
    InvalidSignature,
    MalformedInput,
)
from crypto.merkle import EMPTY_ROOT, leaf_hash, root_from_leaf_hashes, verify_inclusion
from crypto.signing import SigningKey

KEY = SigningKey(bytes(range(32)))


def _credential(rng: random.Random) -> bytes:
    return bytes([2]) + rng.randbytes(32)


def _fill(index: CredentialIndex, rng: random.Random, credentials: list[bytes], n: int) -> None:
    """``n`` more leaves: credential parts, ballots, audits and reissues at random."""
    for _ in range(n):
        at = index.size
        roll = rng.random()
        if roll < 0.2 or not credentials:
            new = [_credential(rng) for _ in range(rng.randint(1, 3))]
            credentials += new
            payload = {"credentials": [c.hex() for c in new], "style": "s"}
            index.add_entry(at, "credentials", "issuer", b"", payload)
        elif roll < 0.3:
            fresh = _credential(rng)
            payload = {"credential": fresh.hex(), "revoked": rng.choice(credentials).hex()}
            credentials.append(fresh)
            index.add_entry(at, "credential-reissue", "issuer", b"", payload)
        else:
            kind = "audit" if roll < 0.4 else "ballot"
            index.add_entry(at, kind, "voter", rng.choice(credentials), None)


def _expected_root(index: CredentialIndex, credentials: list[bytes]) -> bytes:
    records = [index.record(c) for c in sorted(set(credentials))]
    return root_from_leaf_hashes([leaf_hash(r.to_bytes()) for r in records if r is not None])


def test_a_record_is_written_in_canonical_json() -> None:
    record = CredentialRecord(b"\x02" + bytes(32), (3,), (9,), (5, 7), (6,))
    assert record.to_bytes() == canonical.encode(record.to_json())
    assert CredentialRecord.from_json(record.to_json(), below=10) == record
    assert record.leaves() == [("issued", 3), ("ballots", 5), ("audits", 6), ("ballots", 7),
                               ("revoked", 9)]  # fmt: skip


def test_a_record_out_of_order_or_range_is_malformed() -> None:
    record = CredentialRecord(b"\x02" + bytes(32), (3,), (), (7, 5), ())
    with pytest.raises(MalformedInput, match="ballots are not in increasing order"):
        CredentialRecord.from_json(record.to_json(), below=10)
    with pytest.raises(MalformedInput, match="record ballots"):
        CredentialRecord.from_json(record.to_json(), below=6)


@pytest.mark.parametrize("seed", range(6))
def test_the_incremental_root_is_the_root_of_the_sorted_records(seed: int) -> None:
    rng = random.Random(seed)
    index, credentials = CredentialIndex(), list[bytes]()
    assert index.root() == EMPTY_ROOT
    for _ in range(8):
        _fill(index, rng, credentials, rng.randint(1, 15))
        assert index.root() == _expected_root(index, credentials)
        assert index.records == len(set(credentials))


@pytest.mark.parametrize("count", [1, 2, 3, 5, 8, 13])
def test_every_record_is_proved_at_its_place(count: int) -> None:
    rng = random.Random(count)
    index, credentials = CredentialIndex(), list[bytes]()
    issued = [_credential(rng) for _ in range(count)]
    for c in issued:
        index.add_entry(index.size, "credentials", "issuer", b"",
                        {"credentials": [c.hex()], "style": "s"})  # fmt: skip
    index.root()
    for c in issued:
        index.add_entry(index.size, "ballot", "voter", c, None)  # dirty records, no insert
        credentials.append(c)
    root = index.root()
    assert root == _expected_root(index, credentials)
    for c in credentials:
        position, record, proof = index.lookup(c)
        assert record is not None
        assert record.credential == c
        verify_inclusion(leaf_hash=leaf_hash(record.to_bytes()), index=position,
                         tree_size=count, proof=proof, root=root)  # fmt: skip
    position, missing, proof = index.lookup(b"\x03" + bytes(32))  # above every 0x02...
    assert (position, missing, proof) == (count, None, [])


def _head(index: CredentialIndex) -> IndexHead:
    sth = sign_tree_head(election="e", tree_size=index.size, root_hash=bytes(32),
                         timestamp=1, rehearsal=False, key=KEY)  # fmt: skip
    return sign_index_head(sth, index, KEY)


def _index_of(credentials: list[bytes]) -> CredentialIndex:
    index = CredentialIndex()
    payload = {"credentials": [c.hex() for c in credentials], "style": "s"}
    index.add_entry(0, "credentials", "issuer", b"", payload)
    for c in credentials:
        index.add_entry(index.size, "ballot", "voter", c, None)
    return index


def test_an_index_head_verifies_and_a_changed_one_does_not() -> None:
    head = _head(_index_of([b"\x02" + bytes([i]) * 32 for i in range(3)]))
    assert IndexHead.from_json(head.to_json()) == head
    forged = {**head.to_json(), "index_root": bytes(32).hex()}
    with pytest.raises(InvalidSignature, match="Ed25519 signature does not verify"):
        IndexHead.from_json(forged)
    other = _index_of([b"\x02" + bytes([i]) * 32 for i in range(6)])
    with pytest.raises(MalformedInput, match="an index of 7 leaves for a tree of 4"):
        sign_index_head(head.sth, other, KEY)


def _answer(index: CredentialIndex, credential: bytes) -> dict[str, object]:
    return dict(index.answer_json(_head(index), credential))


def test_an_answer_cannot_give_another_record_or_a_wrong_place() -> None:
    credentials = [b"\x02" + bytes([i]) * 32 for i in range(5)]
    index = _index_of(credentials)
    answer = _answer(index, credentials[2])
    checked = IndexAnswer.check(answer, credentials[2])
    assert checked.record is not None
    assert checked.record.ballots == (3,)
    with pytest.raises(InconsistentLog, match="the record of another credential"):
        IndexAnswer.check(answer, credentials[1])
    with pytest.raises(InclusionProofMismatch, match="leaf 1 of tree size 5"):
        IndexAnswer.check({**answer, "position": 1}, credentials[2])
    shortened = {**answer, "record": {**index.record(credentials[2]).to_json(), "ballots": []}}  # type: ignore[union-attr]
    with pytest.raises(InclusionProofMismatch, match="leaf 2 of tree size 5"):  # a leaf left out
        IndexAnswer.check(shortened, credentials[2])


class _Entry:
    def __init__(self, type: str, key: bytes, payload: Mapping[str, object]) -> None:
        self.type, self.key, self.payload = type, key, payload


def test_a_listed_leaf_must_be_of_the_credential() -> None:
    mine, other = b"\x02" + bytes(32), b"\x03" + bytes(32)
    check_leaf("ballots", mine, _Entry("ballot", mine, {}))
    with pytest.raises(InconsistentLog, match="lists a ballot leaf among the credential's ballots"):
        check_leaf("ballots", mine, _Entry("ballot", other, {}))
    with pytest.raises(InconsistentLog, match="lists a audit leaf among the credential's ballots"):
        check_leaf("ballots", mine, _Entry("audit", mine, {}))
    part = {"credentials": [other.hex()], "style": "s"}
    with pytest.raises(InconsistentLog, match="among the credential's issued"):
        check_leaf("issued", mine, _Entry("credentials", b"", part))
    reissue = {"credential": other.hex(), "revoked": other.hex()}
    with pytest.raises(InconsistentLog, match="among the credential's revoked"):
        check_leaf("revoked", mine, _Entry("credential-reissue", b"", reissue))


def test_the_standing_follows_the_last_ballot_the_revocation_and_an_opening_audit() -> None:
    c = b"\x02" + bytes(32)
    ct = {"alpha": "aa", "beta": "bb"}
    payloads = {4: {"c": [ct]}, 6: {"c": [{"alpha": "cc", "beta": "dd"}]}, 7: {"o": [ct]}}
    standing = judge(CredentialRecord(c, (1,), (), (4, 6), (7,)), payloads)
    assert (standing.revoked, standing.last_ballot, standing.opened_by) == (None, 6, None)
    standing = judge(CredentialRecord(c, (1,), (9,), (6, 4), (7,)), payloads)
    assert (standing.revoked, standing.last_ballot, standing.opened_by) == (9, 4, 7)


@pytest.mark.parametrize("count", [0, 1, 2, 5])
def test_an_absence_is_proved_by_the_neighbours_at_every_place(count: int) -> None:
    """Spec §11.15 A credential not named, below, between and above the records (and in an
    empty index), is answered with its neighbours and the answer checks."""
    credentials = [b"\x02" + bytes([2 * i + 1]) * 32 for i in range(count)]
    index = _index_of(credentials) if count else CredentialIndex()
    for place in range(count + 1):
        absent = b"\x02" + bytes([2 * place]) * 32
        answer = _answer(index, absent)
        assert (answer["before"] is None, answer["after"] is None) == (place == 0, place == count)
        checked = IndexAnswer.check(answer, absent)
        assert (checked.position, checked.record) == (place, None)


def test_a_board_claiming_absence_for_a_named_credential_is_caught() -> None:
    """Spec §11.15 The board says a named credential is not in its index: with no proof, with
    its own record as a neighbour, with the records around it (not adjacent), or with a
    neighbour left out, the device refuses the answer and says why."""
    credentials = [b"\x02" + bytes([i]) * 32 for i in range(5)]
    index = _index_of(credentials)
    named = credentials[2]
    honest = _answer(index, named)
    bare = {**honest, "record": None, "index_proof": []}
    with pytest.raises(InconsistentLog, match="gives no proof of it"):
        IndexAnswer.check(bare, named)
    # the neighbours of a credential just above `named`: `named` itself is `before`
    above = _answer(index, b"\x02" + bytes([2]) * 31 + b"\x03")
    with pytest.raises(InconsistentLog, match=r"its before neighbour 0202.* does not sort before"):
        IndexAnswer.check(above, named)
    below = _answer(index, b"\x02" + bytes([2]) * 31 + b"\x01")  # `named` is `after`
    with pytest.raises(InconsistentLog, match=r"its after neighbour 0202.* does not sort after"):
        IndexAnswer.check(below, named)
    # records 1 and 3 around it: 3 is not at place 2
    skipping = {**above, "position": 2, "before": below["before"], "after": above["after"]}
    with pytest.raises(InclusionProofMismatch, match="leaf 2 of tree size 5"):
        IndexAnswer.check(skipping, named)
    with pytest.raises(InconsistentLog, match="lacks a record after place 2 of 5"):
        IndexAnswer.check({**skipping, "after": None}, named)
    at_end = _answer(index, b"\x03" + bytes(32))
    with pytest.raises(InconsistentLog, match="has a record after place 5 of 5"):
        IndexAnswer.check({**at_end, "after": at_end["before"]}, b"\x03" + bytes(32))
    with pytest.raises(MalformedInput, match="an answer with a record has neighbours"):
        IndexAnswer.check({**honest, "before": None, "after": None}, named)
