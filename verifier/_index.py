"""Spec §11.15, §13.1 check 1 A credential index head the board signed, recomputed from the
log: a head whose index differs is signed evidence that the board hid or invented leaves of
some credential from the members who read through it."""

from __future__ import annotations

from dataclasses import dataclass, field

from bulletin_board.credential_index import CredentialIndex, IndexHead
from crypto import canonical
from crypto.errors import VerivoteError
from verifier._log import LeafRecord, LogReader, UnreadableInput
from verifier._report import Report

__all__ = ["IndexCheck"]


@dataclass(slots=True)
class IndexCheck:
    """Spec §11.15 One index head, checked against the index of the log's first leaves."""

    head: IndexHead
    index: CredentialIndex = field(default_factory=CredentialIndex)

    @classmethod
    def parse(cls, data: bytes) -> IndexCheck:
        """Spec §11.15 An index head kept by a member's device (a file a person handles, §4.2).

        Raises:
            UnreadableInput: it does not parse, or its signature does not verify.
        """
        try:
            return cls(IndexHead.from_json(canonical.decode_document(data.strip())))
        except VerivoteError as exc:
            raise UnreadableInput(f"the index head does not parse: {exc}") from None

    def see(self, record: LeafRecord) -> None:
        if record.index < self.head.sth.tree_size:
            self.index.add_entry(record.index, record.type, record.role, record.key, record.payload)

    def conclude(self, report: Report, reader: LogReader) -> None:
        size = self.head.sth.tree_size

        def fail(message: str) -> None:
            report.fail(1, None, f"the credential index head of size {size}: {message}")

        sth = self.head.sth
        if (sth.board_key, sth.election) != (reader.board_key, reader.election):
            fail("signed by another board key or for another election than this log's")
        elif reader.roots.get(size) != sth.root_hash:
            fail("its tree head is not this log's: the board forked or rewrote its history")
        elif (self.index.root(), self.index.records) != (self.head.index_root, self.head.records):
            fail(
                "differs from the index recomputed from the log: the board hid or invented "
                "leaves of some credential (the signed head is the evidence)"
            )
        else:
            report.notes.append(
                f"the credential index head of size {size} matches the log "
                f"({self.index.records} credentials)"
            )
