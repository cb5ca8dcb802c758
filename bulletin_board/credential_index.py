"""Spec §11.15 The credential index: per credential, the leaves that name it, committed by a
signed index head so that a member's device reads one credential's leaves, not the whole log.

``CredentialIndex`` folds leaves (as parsed JSON, or ``Leaf`` objects) into records and keeps
the Merkle tree of the sorted records up to date incrementally: a ballot of a credential already
named re-hashes one record and its O(log n) ancestors. The board serves it
(``CredentialIndexServer``), a device checks an answer (``check_answer``,
``check_leaf``, ``judge``), and the verifier recomputes it from the log (``index_root_of``).
"""

from __future__ import annotations

import bisect
import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from bulletin_board.wire import SignedTreeHead
from crypto import canonical
from crypto.canonical import JsonValue
from crypto.errors import InconsistentLog, MalformedInput
from crypto.merkle import (
    EMPTY_ROOT,
    NodeId,
    inclusion_proof,
    leaf_hash,
    node_hash,
    subtree_nodes,
    verify_inclusion,
)
from crypto.signing import SigningKey, VerifyKey
from crypto.wire import expect_int, expect_list, expect_object, parse_hex
from election.wire import AUDIT, BALLOT, CREDENTIAL_REISSUE, CREDENTIALS

__all__ = [
    "CREDENTIAL_LENGTH",
    "INDEX_PURPOSE",
    "CredentialIndex",
    "CredentialRecord",
    "IndexAnswer",
    "IndexHead",
    "Standing",
    "check_leaf",
    "index_root_of",
    "judge",
    "sign_index_head",
]

INDEX_PURPOSE: Final = b"board/index"
VERSION: Final = 1
KINDS: Final = ("audits", "ballots", "issued", "revoked")
CREDENTIAL_LENGTH: Final = 33


@dataclass(frozen=True, slots=True)
class CredentialRecord:
    """Spec §11.15 One credential's record: the leaves that issue, revoke and use it."""

    credential: bytes
    issued: tuple[int, ...] = ()
    revoked: tuple[int, ...] = ()
    ballots: tuple[int, ...] = ()
    audits: tuple[int, ...] = ()

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "credential": self.credential.hex(),
            "issued": list(self.issued),
            "revoked": list(self.revoked),
            "ballots": list(self.ballots),
            "audits": list(self.audits),
        }

    def to_bytes(self) -> bytes:
        return _record_bytes(self.credential, self.audits, self.ballots, self.issued, self.revoked)

    def leaves(self) -> list[tuple[str, int]]:
        """Every (kind, leaf index) the record lists, in index order."""
        pairs = [(kind, i) for kind in KINDS for i in getattr(self, kind)]
        return sorted(pairs, key=lambda pair: pair[1])

    @classmethod
    def from_json(cls, value: object, *, below: int) -> CredentialRecord:
        """Spec §11.15 Parse a record whose leaf indexes lie below ``below``.

        Raises:
            MalformedInput: a field missing or unknown, a list not increasing or out of range.
        """
        obj = expect_object(value, "credential record", required={"credential", *KINDS})
        lists: dict[str, tuple[int, ...]] = {}
        for kind in KINDS:
            items = [
                expect_int(i, f"record {kind}", minimum=0, maximum=below - 1)
                for i in expect_list(obj[kind], f"record {kind}")
            ]
            if any(a >= b for a, b in itertools.pairwise(items)):
                raise MalformedInput(f"the record's {kind} are not in increasing order")
            lists[kind] = tuple(items)
        credential = parse_hex(obj["credential"], CREDENTIAL_LENGTH, "record credential")
        return cls(credential, **lists)


def _ints(values: Sequence[int]) -> str:
    return ",".join(map(str, values))


def _record_bytes(
    credential: bytes,
    audits: Sequence[int],
    ballots: Sequence[int],
    issued: Sequence[int],
    revoked: Sequence[int],
) -> bytes:
    """The canonical JSON of a record (§4.1: members sorted), written directly: the board
    hashes hundreds of thousands of them (tests check it equals ``canonical.encode``)."""
    return (
        f'{{"audits":[{_ints(audits)}],"ballots":[{_ints(ballots)}],'
        f'"credential":"{credential.hex()}","issued":[{_ints(issued)}],'
        f'"revoked":[{_ints(revoked)}]}}'
    ).encode()


class CredentialIndex:
    """Spec §11.15 The index of a log's first ``size`` leaves, built leaf by leaf, with the
    Merkle tree of its sorted records kept as complete-subtree levels."""

    def __init__(self) -> None:
        self.size = 0
        self._lists: dict[bytes, dict[str, list[int]]] = {}
        self._keys: list[bytes] = []  # sorted
        self._dirty: set[bytes] = set()
        self._inserted = False
        self._levels: list[list[bytes]] = [[]]

    # --- folding the log -----------------------------------------------------------------

    def add_json(self, index: int, leaf: Mapping[str, Any]) -> None:
        """Fold leaf ``index`` given as its parsed JSON (already checked by whoever logged it).

        Raises:
            MalformedInput: ``index`` is not after the leaves already folded.
        """
        entry = leaf["entry"]
        author = entry["author"]
        key = bytes.fromhex(author["key"])
        self.add_entry(index, entry["type"], author["role"], key, entry["payload"])

    def add_entry(
        self, index: int, kind: str, role: str, key: bytes, payload: Mapping[str, Any] | None
    ) -> None:
        """Fold leaf ``index`` from its entry's type, author and payload (None is allowed for
        a voter's entry, whose payload the index does not read).

        Raises:
            MalformedInput: ``index`` is not after the leaves already folded.
        """
        if index < self.size:
            raise MalformedInput(f"the index holds {self.size} leaves, not leaf {index}")
        self.size = index + 1
        if kind in (BALLOT, AUDIT) and role == "voter":
            self._note(key, "ballots" if kind == BALLOT else "audits", index)
        elif payload is None:
            return
        elif kind == CREDENTIALS:
            for text in payload["credentials"]:
                self._note(bytes.fromhex(text), "issued", index)
        elif kind == CREDENTIAL_REISSUE:
            self._note(bytes.fromhex(payload["credential"]), "issued", index)
            self._note(bytes.fromhex(payload["revoked"]), "revoked", index)

    def add_raw(self, index: int, raw: bytes) -> None:
        """Fold leaf ``index`` from its stored bytes (a board's own, already checked)."""
        self.add_json(index, json.loads(raw))

    def _note(self, credential: bytes, kind: str, index: int) -> None:
        lists = self._lists.get(credential)
        if lists is None:
            lists = self._lists[credential] = {k: [] for k in KINDS}
            bisect.insort(self._keys, credential)
            self._inserted = True
        if not lists[kind] or lists[kind][-1] != index:
            lists[kind].append(index)
        self._dirty.add(credential)

    # --- the tree ------------------------------------------------------------------------

    def _record_hash(self, credential: bytes) -> bytes:
        lists = self._lists[credential]
        return leaf_hash(_record_bytes(credential, *(lists[k] for k in KINDS)))

    def _refresh(self) -> None:
        if self._inserted:
            leaves = [self._record_hash(c) for c in self._keys]
            self._levels = [leaves]
            while len(self._levels[-1]) > 1:
                below = self._levels[-1]
                self._levels.append(
                    [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
                )
        else:
            for credential in self._dirty:
                at = bisect.bisect_left(self._keys, credential)
                self._levels[0][at] = self._record_hash(credential)
                for level in range(1, len(self._levels)):
                    at >>= 1
                    below = self._levels[level - 1]
                    if 2 * at + 1 >= len(below):
                        break
                    self._levels[level][at] = node_hash(below[2 * at], below[2 * at + 1])
        self._dirty.clear()
        self._inserted = False

    def _read(self, wanted: Sequence[NodeId]) -> list[bytes]:
        return [self._levels[level][i] for level, i in wanted]

    @property
    def records(self) -> int:
        return len(self._keys)

    def root(self) -> bytes:
        """Spec §11.15 The index root: MTH of the sorted records' bytes."""
        self._refresh()
        if not self._keys:
            return EMPTY_ROOT
        acc: bytes | None = None
        for h in reversed(self._read(subtree_nodes(0, len(self._keys)))):
            acc = h if acc is None else node_hash(h, acc)
        assert acc is not None
        return acc

    def record(self, credential: bytes) -> CredentialRecord | None:
        lists = self._lists.get(credential)
        if lists is None:
            return None
        return CredentialRecord(credential, **{k: tuple(v) for k, v in lists.items()})

    def lookup(self, credential: bytes) -> tuple[int, CredentialRecord | None, list[bytes]]:
        """Spec §11.15 ``(position, record or None, index proof)`` for ``credential``."""
        self._refresh()
        position = bisect.bisect_left(self._keys, credential)
        record = self.record(credential)
        if record is None:
            return position, None, []
        return position, record, inclusion_proof(position, len(self._keys), self._read)

    def answer_json(self, head: IndexHead, credential: bytes) -> dict[str, JsonValue]:
        """Spec §11.15 The HTTP answer for ``credential`` under ``head`` (this index's): its
        record and index proof, or no record and the neighbours that prove it absent."""
        position, record, proof = self.lookup(credential)
        answer: dict[str, JsonValue] = {
            "index_head": head.to_json(),
            "position": position,
            "record": None if record is None else record.to_json(),
            "index_proof": [h.hex() for h in proof],
        }
        if record is None:
            answer["before"] = self._neighbour(position - 1)
            answer["after"] = self._neighbour(position)
        return answer

    def _neighbour(self, position: int) -> dict[str, JsonValue] | None:
        """Spec §11.15 The neighbour at ``position`` (its record and index proof), or None
        when ``position`` is outside the index."""
        if not 0 <= position < len(self._keys):
            return None
        record = self.record(self._keys[position])
        assert record is not None
        proof = inclusion_proof(position, len(self._keys), self._read)
        return {"record": record.to_json(), "index_proof": [h.hex() for h in proof]}


def index_root_of(leaves: Iterable[tuple[int, Mapping[str, Any]]]) -> tuple[bytes, int]:
    """Spec §11.15 The index root and record count of the given leaves (index, leaf JSON)."""
    index = CredentialIndex()
    for i, leaf in leaves:
        index.add_json(i, leaf)
    return index.root(), index.records


# --- the index head ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class IndexHead:
    """Spec §11.15 The board's signed commitment to the index of one published tree size."""

    sth: SignedTreeHead
    index_root: bytes
    records: int
    signature: bytes

    def unsigned_json(self) -> dict[str, JsonValue]:
        return {
            "version": VERSION,
            "election": self.sth.election,
            "sth": self.sth.to_json(),
            "index_root": self.index_root.hex(),
            "records": self.records,
        }

    def to_json(self) -> dict[str, JsonValue]:
        return {**self.unsigned_json(), "signature": self.signature.hex()}

    def to_bytes(self) -> bytes:
        return canonical.encode(self.to_json())

    @classmethod
    def from_json(cls, value: object) -> IndexHead:
        """Spec §11.15 Parse an index head and check its signature by its STH's board key
        (the caller checks that key, the election and the rehearsal flag, §10.2).

        Raises:
            MalformedInput, InvalidSignature.
        """
        obj = expect_object(
            value,
            "index head",
            required={"version", "election", "sth", "index_root", "records", "signature"},
        )
        expect_int(obj["version"], "index head version", minimum=VERSION, maximum=VERSION)
        sth = SignedTreeHead.from_json(obj["sth"])
        if obj["election"] != sth.election:
            raise MalformedInput("the index head's election is not its tree head's")
        head = cls(
            sth=sth,
            index_root=parse_hex(obj["index_root"], 32, "index root"),
            records=expect_int(obj["records"], "index records", minimum=0, maximum=2**53 - 1),
            signature=parse_hex(obj["signature"], 64, "index head signature"),
        )
        VerifyKey(sth.board_key).verify(
            INDEX_PURPOSE, canonical.encode(head.unsigned_json()), head.signature
        )
        return head


def sign_index_head(sth: SignedTreeHead, index: CredentialIndex, key: SigningKey) -> IndexHead:
    """Spec §11.15 Sign the index of ``sth``'s size (purpose ``board/index``)."""
    if index.size != sth.tree_size:
        raise MalformedInput(f"an index of {index.size} leaves for a tree of {sth.tree_size}")
    unsigned = IndexHead(sth, index.root(), index.records, b"\x00" * 64)
    signature = key.sign(INDEX_PURPOSE, canonical.encode(unsigned.unsigned_json()))
    return IndexHead(sth, unsigned.index_root, unsigned.records, signature)


@dataclass(frozen=True, slots=True)
class IndexAnswer:
    """Spec §11.15 The board's answer for one credential, its index proof checked."""

    head: IndexHead
    position: int
    record: CredentialRecord | None

    @classmethod
    def check(cls, value: object, credential: bytes) -> IndexAnswer:
        """Spec §11.15 Parse and check an answer for ``credential`` (the caller checks the
        head's STH against the board key it trusts, §10.2).

        Raises:
            MalformedInput, InvalidSignature.
            InconsistentLog: the record is of another credential, or not in the index; or no
                record and no valid absence proof (the neighbours, §11.15).
            InclusionProofMismatch: the record or a neighbour is not at its place.
        """
        obj = expect_object(
            value,
            "index answer",
            required={"index_head", "position", "record", "index_proof"},
            optional=NEIGHBOURS,
        )
        head = IndexHead.from_json(obj["index_head"])
        position = expect_int(obj["position"], "index position", minimum=0, maximum=head.records)
        if obj["record"] is None:
            if expect_list(obj["index_proof"], "index proof"):
                raise MalformedInput("an answer without a record has an index proof")
            _check_absence(obj, head, position, credential)
            return cls(head, position, None)
        if NEIGHBOURS & obj.keys():
            raise MalformedInput("an answer with a record has neighbours")
        record = CredentialRecord.from_json(obj["record"], below=head.sth.tree_size)
        if record.credential != credential:
            raise InconsistentLog("the board's index answered the record of another credential")
        _check_place(record, obj["index_proof"], head, position)
        return cls(head, position, record)


NEIGHBOURS: Final = frozenset({"before", "after"})


def _check_place(record: CredentialRecord, proof: object, head: IndexHead, position: int) -> None:
    """Spec §11.15 ``record``'s bytes are at ``position`` of the index of ``head``.
    Raises: MalformedInput, InclusionProofMismatch."""
    verify_inclusion(
        leaf_hash=leaf_hash(record.to_bytes()),
        index=position,
        tree_size=head.records,
        proof=tuple(
            parse_hex(h, 32, "index proof hash")
            for h in expect_list(proof, "index proof", max_length=64)
        ),
        root=head.index_root,
    )


def _check_absence(
    obj: Mapping[str, Any], head: IndexHead, position: int, credential: bytes
) -> None:
    """Spec §11.15 The absence proof of an answer without a record: the records at places
    ``position - 1`` and ``position`` of the signed index, and ``credential`` strictly between.

    Raises:
        InconsistentLog: no proof, or neighbours that do not prove the absence.
        MalformedInput, InclusionProofMismatch: a neighbour malformed or not at its place.
    """
    if not obj.keys() >= NEIGHBOURS:
        raise InconsistentLog(
            "the board says the credential is not in its index but gives no proof of it "
            "(the neighbouring records, §11.15)"
        )
    for side, place, present in (
        ("before", position - 1, position > 0),
        ("after", position, position < head.records),
    ):
        if (obj[side] is not None) != present:
            raise InconsistentLog(
                f"the board's absence proof {'lacks' if present else 'has'} a record {side} "
                f"place {position} of {head.records}"
            )
        if obj[side] is None:
            continue
        given = expect_object(obj[side], f"{side} neighbour", required={"record", "index_proof"})
        record = CredentialRecord.from_json(given["record"], below=head.sth.tree_size)
        _check_place(record, given["index_proof"], head, place)
        if not (
            record.credential > credential if side == "after" else record.credential < credential
        ):
            raise InconsistentLog(
                f"the board says the credential is not in its index, but its {side} "
                f"neighbour {record.credential.hex()[:16]}... does not sort {side} it"
            )


# --- judging one credential from its leaves ------------------------------------------------


def _alphas(value: object) -> set[str]:
    """Every ciphertext ``alpha`` inside a payload (§5.2 wire form)."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            alpha = item.get("alpha")
            if isinstance(alpha, str) and "beta" in item:
                found.add(alpha)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def check_leaf(kind: str, credential: bytes, entry: Any) -> None:
    """Spec §11.15 Leaf listed under ``kind`` of ``credential``'s record is such a leaf.

    ``entry`` is the leaf's parsed entry (``crypto.envelope.Entry``).

    Raises:
        InconsistentLog: it is not (the board's index lied about this credential).
    """
    payload = entry.payload
    hexed = credential.hex()
    if kind == "ballots" or kind == "audits":
        ok = entry.type == (BALLOT if kind == "ballots" else AUDIT) and entry.key == credential
    elif kind == "issued":
        ok = (entry.type == CREDENTIALS and hexed in payload["credentials"]) or (
            entry.type == CREDENTIAL_REISSUE and payload["credential"] == hexed
        )
    else:
        ok = entry.type == CREDENTIAL_REISSUE and payload["revoked"] == hexed
    if not ok:
        raise InconsistentLog(
            f"the board's index lists a {entry.type} leaf among the credential's {kind}, "
            "which it is not"
        )


@dataclass(frozen=True, slots=True)
class Standing:
    """Spec §11.10 What one credential's leaves say: revoked (by which leaf), its last ballot,
    and the audit that opens that ballot (a ballot the voter only audited), if any."""

    revoked: int | None
    last_ballot: int | None
    opened_by: int | None


def judge(record: CredentialRecord, payloads: Mapping[int, Mapping[str, Any]]) -> Standing:
    """Spec §11.10, §11.15 The standing of ``record``'s credential from the payloads of its
    ballots and audits (by leaf index)."""
    last = record.ballots[-1] if record.ballots else None
    opened_by = None
    if last is not None:
        cast = _alphas(payloads[last])
        opened_by = next(
            (a for a in record.audits if cast & _alphas(payloads[a])),
            None,
        )
    revoked = record.revoked[0] if record.revoked else None
    return Standing(revoked=revoked, last_ballot=last, opened_by=opened_by)


# --- the board's side ----------------------------------------------------------------------
