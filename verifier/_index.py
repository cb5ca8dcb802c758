"""Spec §11.15, §13.1 check 1 A credential index head the board signed, recomputed from the
log: a head whose index differs is signed evidence that the board hid or invented leaves of
some credential from the members who read through it.

An independent implementation from the spec (the board's is ``bulletin_board``'s, which the
verifier never imports): the records are built from the leaves as §11.15 defines them, encoded
with ``crypto.canonical`` and hashed with ``crypto.merkle``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from bulletin_board.wire import SignedTreeHead
from crypto import canonical
from crypto.canonical import JsonValue
from crypto.errors import VerivoteError
from crypto.merkle import leaf_hash, root_from_leaf_hashes
from crypto.signing import VerifyKey
from crypto.wire import expect_int, expect_object, parse_hex
from election.wire import AUDIT, BALLOT, CREDENTIAL_REISSUE, CREDENTIALS
from verifier._log import LeafRecord, LogReader, UnreadableInput
from verifier._report import Report

__all__ = ["IndexCheck"]

INDEX_PURPOSE: Final = b"board/index"
KINDS: Final = ("issued", "revoked", "ballots", "audits")


@dataclass(frozen=True, slots=True)
class _Head:
    sth: SignedTreeHead
    index_root: bytes
    records: int


def _parse_head(value: JsonValue) -> _Head:
    """Spec §11.15 An index head, its signature checked with its tree head's board key."""
    obj = expect_object(
        value,
        "index head",
        required={"version", "election", "sth", "index_root", "records", "signature"},
    )
    expect_int(obj["version"], "index head version", minimum=1, maximum=1)
    sth = SignedTreeHead.from_json(obj["sth"])
    if obj["election"] != sth.election:
        raise UnreadableInput("the index head's election is not its tree head's")
    signature = parse_hex(obj["signature"], 64, "index head signature")
    unsigned = {k: v for k, v in obj.items() if k != "signature"}
    VerifyKey(sth.board_key).verify(INDEX_PURPOSE, canonical.encode(unsigned), signature)
    return _Head(
        sth,
        parse_hex(obj["index_root"], 32, "index root"),
        expect_int(obj["records"], "index records", minimum=0, maximum=2**53 - 1),
    )


@dataclass(slots=True)
class IndexCheck:
    """Spec §11.15 One index head, checked against the index of the log's first leaves."""

    head: _Head
    records: dict[str, dict[str, list[int]]] = field(default_factory=dict)

    @classmethod
    def parse(cls, data: bytes) -> IndexCheck:
        """Spec §11.15 An index head kept by a member's device (a file a person handles, §4.2).

        Raises:
            UnreadableInput: it does not parse, or its signature does not verify.
        """
        try:
            return cls(_parse_head(canonical.decode_document(data.strip())))
        except VerivoteError as exc:
            raise UnreadableInput(f"the index head does not parse: {exc}") from None

    def _note(self, credential: str, kind: str, index: int) -> None:
        lists = self.records.setdefault(credential, {k: [] for k in KINDS})
        if index not in lists[kind][-1:]:
            lists[kind].append(index)

    def see(self, record: LeafRecord) -> None:
        """Spec §11.15 Note what leaf ``record`` says of which credentials."""
        index = record.index
        if index >= self.head.sth.tree_size:
            return
        payload = record.payload
        if record.role == "voter" and record.type in (BALLOT, AUDIT):
            self._note(record.key.hex(), "ballots" if record.type == BALLOT else "audits", index)
        elif payload is None:
            return
        elif record.type == CREDENTIALS:
            listed = payload.get("credentials")
            for credential in listed if isinstance(listed, list) else []:
                self._note(str(credential), "issued", index)
        elif record.type == CREDENTIAL_REISSUE:
            self._note(str(payload.get("credential")), "issued", index)
            self._note(str(payload.get("revoked")), "revoked", index)

    def _root(self) -> bytes:
        hashes = []
        for credential in sorted(self.records):  # equal-length lower-case hex: byte order
            record: dict[str, JsonValue] = {"credential": credential}
            for kind, indexes in self.records[credential].items():
                record[kind] = list[JsonValue](indexes)
            hashes.append(leaf_hash(canonical.encode(record)))
        return root_from_leaf_hashes(hashes)

    def conclude(self, report: Report, reader: LogReader) -> None:
        size = self.head.sth.tree_size

        def fail(message: str) -> None:
            report.fail(1, None, f"the credential index head of size {size}: {message}")

        sth = self.head.sth
        if (sth.board_key, sth.election) != (reader.board_key, reader.election):
            fail("signed by another board key or for another election than this log's")
        elif reader.roots.get(size) != sth.root_hash:
            fail("its tree head is not this log's: the board forked or rewrote its history")
        elif (self._root(), len(self.records)) != (self.head.index_root, self.head.records):
            fail(
                "differs from the index recomputed from the log: the board hid or invented "
                "leaves of some credential (the signed head is the evidence)"
            )
        else:
            report.notes.append(
                f"the credential index head of size {size} matches the log "
                f"({len(self.records)} credentials)"
            )
