"""Spec §10 A client of a board's HTTP API, shared by every command that talks to a board.

Nothing the board says is taken on trust: the board key is the key of leaf 0 (or one pinned by
the caller), and so is whether the log is a rehearsal's (§10.2); every tree head is checked
under that key and must carry that flag; every receipt is checked against the posted
bytes, the tree head and its inclusion proof (crypto/merkle.py); a downloaded log is hashed
again and must give the root of a signed tree head; every entry's signature is verified with
the election's schemes (the voter scheme bound to the fingerprint of the definition in leaf 1).

A refusal becomes ``BoardRefused`` with the board's stable code and one line saying what it
means; an unreachable board, ``BoardUnreachable`` (both in ``bulletin_board.client_errors``).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import httpx

from bulletin_board.client_errors import (
    HINTS,
    BoardRefused,
    BoardUnreachable,
    check_board_url,
    error_answer,
    printable,
    retry_after,
)
from bulletin_board.cosignature import Cosignature
from bulletin_board.credential_index import IndexAnswer, check_leaf
from bulletin_board.wire import (
    MAX_LEAF_BYTES,
    PAGE_BYTES,
    BoardKeyPayload,
    ClockRequest,
    Entry,
    Leaf,
    Receipt,
    SignatureScheme,
    SignedTreeHead,
    check_election_id,
)
from crypto import canonical
from crypto.errors import InconsistentLog, MalformedInput
from crypto.merkle import Frontier, verify_consistency, verify_inclusion
from crypto.wire import expect_int, expect_list, expect_object, parse_hex
from election.collector import collector_paused
from election.definition import ElectionDefinition
from election.rules import ElectionState, apply
from election.wire import ELECTION_DEFINITION, VOTER, DefinitionPayload, election_schemes

__all__ = [
    "HINTS",
    "BoardClient",
    "BoardRefused",
    "BoardUnreachable",
    "check_board_url",
    "list_elections",
    "printable",
]

# A board checks a large entry (a mix of 120,000 ciphertexts is ~40 MB: its proof of a shuffle)
# in time proportional to its size, and under load more slowly: a write is waited for
# ``timeout`` seconds plus one for every this many bytes (at least 100 KB/s of proof checked).
LARGE_ENTRY_BYTES_PER_SECOND: Final = 100_000

JSON: Final = {"content-type": "application/json"}
# Spec §10.3 The largest answer read: a page holds at most PAGE_BYTES of leaf bytes, or one
# larger leaf (a mix: up to MAX_ENTRY_BYTES) alone; a receipt holds one leaf.
MAX_ANSWER: Final = MAX_LEAF_BYTES + 2**16


@dataclass
class BoardClient:
    """Spec §10.3 One election's log on a board at ``url``; ``board_key`` pins the board key
    (else it is leaf 0's, trusted on first use)."""

    url: str
    election: str
    board_key: bytes | None = None
    timeout: float = 120.0  # seconds to wait for an answer (a write: and its size's check)
    _http: httpx.Client = field(init=False, repr=False)
    _definition: ElectionDefinition | None = field(default=None, init=False, repr=False)
    _origin: BoardKeyPayload | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        check_board_url(self.url)
        self._http = httpx.Client(base_url=self.url.rstrip("/"), timeout=self.timeout)

    def close(self) -> None:
        self._http.close()

    def fork(self) -> BoardClient:
        """A client of the same log with its own connections, trusting what this one has read
        (leaf 0's key, the definition): one per thread of a process posting from many."""
        other = BoardClient(self.url, self.election, self.board_key, self.timeout)
        other._origin, other._definition = self._origin, self._definition
        return other

    def __enter__(self) -> BoardClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transport -------------------------------------------------------------------------

    def _request(self, method: str, path: str, *, what: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._http.request(method, f"/v1/elections/{self.election}{path}", **kwargs)
        except httpx.HTTPError as exc:
            raise BoardUnreachable(f"cannot reach the board at {self.url}: {exc}") from None
        if response.status_code >= 400:
            error = error_answer(response.content)
            if error is None:
                raise BoardUnreachable(
                    f"{self.url} answered HTTP {response.status_code}: is it a verivote board?"
                )
            code, message = error
            raise BoardRefused(
                response.status_code,
                code,
                message,
                what=what,
                retry_after=retry_after(response.headers.get("retry-after")),
            )
        return response

    def _get(self, path: str, **params: int) -> Any:
        return self._decode(path, self._request("GET", path, what="request", params=params))

    def _decode(self, path: str, response: httpx.Response) -> Any:
        try:
            return canonical.decode(response.content, max_bytes=MAX_ANSWER)
        except MalformedInput as exc:
            raise MalformedInput(f"the board answered {path} with bad JSON: {exc}") from None

    # --- trust -----------------------------------------------------------------------------

    def key(self) -> bytes:
        """Spec §10.1 The board key: leaf 0's, which must equal a pinned one.

        Raises:
            InconsistentLog: leaf 0 is not a board-key entry, or not of the pinned key.
        """
        return self._leaf_zero().key

    def rehearsal(self) -> bool:
        """Spec §10.2 Whether the log is a rehearsal's (leaf 0's flag): show REHEARSAL then."""
        return self._leaf_zero().rehearsal

    def _leaf_zero(self) -> BoardKeyPayload:
        if self._origin is None:
            answer = expect_object(
                self._get("/leaves/0"), "leaf", required={"leaf", "leaf_hash", "leaf_index"}
            )
            leaf = Leaf.from_json(answer["leaf"], election_schemes(None))
            try:
                if leaf.index != 0:
                    raise MalformedInput(f"it says it is leaf {leaf.index}")
                origin = BoardKeyPayload.of(leaf.entry)
            except MalformedInput as exc:
                raise InconsistentLog(
                    f"leaf 0 of the board is not its board-key entry: {exc}"
                ) from None
            if self.board_key is not None and origin.key != self.board_key:
                raise InconsistentLog(
                    f"the board signs with key {origin.key.hex()}, not the pinned "
                    f"{self.board_key.hex()}"
                )
            self._origin = origin
        return self._origin

    def definition(self) -> ElectionDefinition | None:
        """Spec §11.1 The definition on the log (leaf 1), or None before it is published."""
        if self._definition is None:
            try:
                answer = self._get("/leaves/1")
            except BoardRefused as exc:
                if exc.status == 404 and exc.code == "not_found":
                    return None
                raise
            obj = expect_object(answer, "leaf", required={"leaf", "leaf_hash", "leaf_index"})
            leaf = Leaf.from_json(obj["leaf"], election_schemes(None))
            if leaf.entry.type != ELECTION_DEFINITION:
                raise MalformedInput("leaf 1 of this log is not an election definition")
            self._definition = DefinitionPayload.from_json(leaf.entry.payload).definition
        return self._definition

    def schemes(self) -> Mapping[str, SignatureScheme]:
        """The signature schemes of this election's entries."""
        definition = self.definition()
        return election_schemes(None if definition is None else definition.fingerprint)

    def tree_head(self) -> SignedTreeHead:
        """Spec §10.2 The latest tree head, checked under the board key."""
        return self.check_tree_head(SignedTreeHead.from_json(self._get("/sth")))

    def check_tree_head(self, head: SignedTreeHead) -> SignedTreeHead:
        """Spec §10.2 A tree head of this log: signed by leaf 0's key, for this election, with
        leaf 0's rehearsal flag.

        Raises:
            InconsistentLog: it is not.
        """
        if head.board_key != self.key() or head.election != self.election:
            raise InconsistentLog("the tree head is signed by another key or for another log")
        if head.rehearsal != self.rehearsal():
            raise InconsistentLog("the tree head's rehearsal flag is not leaf 0's")
        return head

    # --- writing ---------------------------------------------------------------------------

    def post(self, raw: bytes, *, what: str = "entry", patience: float = 0.0) -> Receipt:
        """Spec §10.3 Post an entry; its receipt, checked: same bytes, the trusted board key,
        a valid tree head, the inclusion proof. A board that asks to be retried later (429,
        busy checking another large entry) is retried for up to ``patience`` seconds.

        Raises:
            BoardRefused, BoardUnreachable, InconsistentLog / MalformedInput (a bad receipt).
        """
        deadline = time.monotonic() + patience
        while True:
            try:
                response = self._request(
                    "POST", "/entries", what=what, content=raw, headers=JSON,
                    timeout=self.timeout + len(raw) / LARGE_ENTRY_BYTES_PER_SECOND,
                )  # fmt: skip
                break
            except BoardRefused as exc:
                wait = exc.retry_after
                if exc.status != 429 or wait is None or time.monotonic() + wait > deadline:
                    raise
                time.sleep(wait)  # the board said when to retry
        content = canonical.decode(response.content, max_bytes=MAX_ANSWER)
        receipt = Receipt.from_json(content, self.schemes())
        try:
            receipt.check(entry=raw, board_key=self.key())
        except MalformedInput as exc:
            raise InconsistentLog(f"the board's receipt does not hold: {exc}") from None
        return receipt

    def clock(self) -> int:
        """Spec §10.2-§10.3 The log's clock now (ms since the Unix epoch)."""
        return _clock_now(self._get("/clock"), self.election)

    def advance_clock(self, request: ClockRequest) -> int:
        """Spec §10.2 Post a rehearsal's clock request; the log's clock after it.

        Raises:
            BoardRefused (``not_rehearsal``, ``clock_not_later``, ...), BoardUnreachable.
        """
        response = self._request(
            "POST", "/clock", what="clock advance", content=request.to_bytes(), headers=JSON
        )
        return _clock_now(canonical.decode(response.content), self.election)

    def post_cosignature(self, cosignature: Cosignature) -> bool:
        """Spec §10.5 Post a witness's cosignature; whether the board stored it anew (False:
        it held the same one already).

        Raises:
            BoardRefused (``unknown_witness``, ``cosignature_mismatch``, ...), BoardUnreachable,
            InconsistentLog (the board answered with another cosignature).
        """
        response = self._request(
            "POST", "/cosignatures", what="cosignature", content=cosignature.to_bytes(),
            headers=JSON,
        )  # fmt: skip
        obj = expect_object(
            canonical.decode(response.content, max_bytes=4096), "answer", required={"cosignature"}
        )
        if Cosignature.from_json(obj["cosignature"]) != cosignature:
            raise InconsistentLog("the board answered with another cosignature than the one posted")
        return response.status_code == 201

    def cosignatures(
        self, tree_size: int | None = None
    ) -> tuple[SignedTreeHead, list[Cosignature]]:
        """Spec §10.5 A tree head of this log (of ``tree_size``, else the largest cosigned) and
        the witnesses' cosignatures the board holds of it, each verified and matching the head
        (whether the witnesses are the definition's is the caller's check).

        Raises:
            BoardRefused (404 ``unknown_tree_size``: none), BoardUnreachable, InconsistentLog.
        """
        path = "/cosignatures" if tree_size is None else f"/cosignatures/{tree_size}"
        obj = expect_object(self._get(path), "cosignatures", required={"sth", "cosignatures"})
        head = self.check_tree_head(SignedTreeHead.from_json(obj["sth"]))
        if tree_size is not None and head.tree_size != tree_size:
            raise InconsistentLog(f"asked for tree head {tree_size}, the board gave another")
        found = [
            Cosignature.from_json(c)
            for c in expect_list(obj["cosignatures"], "cosignatures", max_length=64)
        ]
        if not all(c.matches(head) for c in found):
            raise InconsistentLog("the board serves a cosignature of another tree head")
        return head, found

    # --- reading ---------------------------------------------------------------------------

    def leaves(self, start: int = 0, end: int | None = None) -> Iterator[Leaf]:
        """Spec §10.3 The leaves [start, end) in order (to the end of the log without ``end``),
        each entry's signature verified: page after page as the board cuts them (by count and
        by bytes), one page in memory at a time.

        Raises:
            InconsistentLog: the board sent other leaves than those asked for, or a page that
                breaks §10.3 (too large, or ``next`` not where the page ends).
        """
        schemes: Mapping[str, SignatureScheme] | None = None
        index = start
        while end is None or index < end:
            bounds = {"start": index} if end is None else {"start": index, "end": end}
            response = self._request("GET", "/entries", what="request", params=bounds)
            page = expect_object(
                self._decode("/entries", response), "page", required={"leaves", "next"}
            )
            items = expect_list(page["leaves"], "leaves")
            if len(response.content) > PAGE_BYTES + 2**16 and len(items) > 1:
                raise InconsistentLog(
                    f"the board sent a page of {len(items)} leaves and {len(response.content)} "
                    f"bytes: above {PAGE_BYTES} bytes a page holds one leaf (Spec §10.3)"
                )
            for value in items:
                if schemes is None or index == 1:
                    schemes = self.schemes()
                leaf = Leaf.from_json(value, schemes)
                if leaf.index != index:
                    raise InconsistentLog(f"the board sent leaf {leaf.index} for {index}")
                yield leaf
                index += 1
            following = page["next"]
            if following is None:
                return
            if following != index or not items:
                raise InconsistentLog(
                    f"the board's page from {index - len(items)} holds {len(items)} leaves but "
                    f"says the next starts at {printable(repr(following), 40)}"
                )

    def entry(self, index: int) -> Entry:
        """The entry of leaf ``index`` (signature verified)."""
        obj = expect_object(
            self._get(f"/leaves/{index}"), "leaf", required={"leaf", "leaf_hash", "leaf_index"}
        )
        return Leaf.from_json(obj["leaf"], self.schemes()).entry

    def leaf(self, index: int) -> Leaf:
        """Leaf ``index`` (its entry's signature verified)."""
        obj = expect_object(
            self._get(f"/leaves/{index}"), "leaf", required={"leaf", "leaf_hash", "leaf_index"}
        )
        leaf = Leaf.from_json(obj["leaf"], self.schemes())
        if leaf.index != index:
            raise InconsistentLog(f"the board sent leaf {leaf.index} for {index}")
        return leaf

    def credential_index(self, credential: bytes, min_size: int = 0) -> IndexAnswer:
        """Spec §11.15 The board's index answer for ``credential`` at a size of at least
        ``min_size``: the index head signed by this log's board key, the record's proof checked,
        or without a record its absence proof (the neighbouring records).

        Raises:
            InconsistentLog, InvalidSignature, MalformedInput: the answer does not check.
        """
        answer = IndexAnswer.check(
            self._get(f"/credential-index/{credential.hex()}", min_size=min_size), credential
        )
        self.check_tree_head(answer.head.sth)
        if answer.head.sth.tree_size < min_size:
            raise InconsistentLog(
                f"the board's index is of size {answer.head.sth.tree_size}, below {min_size}"
            )
        return answer

    def credential_leaves(
        self, answer: IndexAnswer, *, skip: Collection[str] = ()
    ) -> dict[int, Leaf]:
        """Spec §11.15 The leaves ``answer``'s record lists (but those of the kinds in
        ``skip``), each proved in the index head's tree head and checked to be of the credential.

        Raises:
            InconsistentLog: a leaf is not what the record says, or not in the tree head.
            InclusionProofMismatch: its inclusion proof fails.
        """
        assert answer.record is not None
        sth = answer.head.sth
        found: dict[int, Leaf] = {}
        for kind, index in answer.record.leaves():
            if kind in skip:
                continue
            leaf = found.get(index) or self.leaf(index)
            verify_inclusion(
                leaf_hash=leaf.hash,
                index=index,
                tree_size=sth.tree_size,
                proof=self.inclusion_proof(index, sth.tree_size),
                root=sth.root_hash,
            )
            check_leaf(kind, answer.record.credential, leaf.entry)
            found[index] = leaf
        return found

    def inclusion_proof(self, index: int, tree_size: int) -> tuple[bytes, ...]:
        """Spec §9.2 The board's inclusion proof of leaf ``index`` in the tree of ``tree_size``
        (not checked here: the caller checks it against a tree head it trusts)."""
        obj = expect_object(
            self._get("/proof/inclusion", index=index, tree_size=tree_size),
            "inclusion answer",
            required={"leaf_index", "tree_size", "inclusion_proof"},
        )
        return _hashes(obj["inclusion_proof"], "inclusion proof")

    def consistency_proof(self, first: int, second: int) -> tuple[bytes, ...]:
        """Spec §9.3 The board's consistency proof between tree sizes ``first`` and
        ``second`` (not checked here)."""
        obj = expect_object(
            self._get("/proof/consistency", first=first, second=second),
            "consistency answer",
            required={"first", "second", "consistency_proof"},
        )
        return _hashes(obj["consistency_proof"], "consistency proof")

    def export_to(self, path: Path) -> int:
        """Spec §10.4 Stream the board's export of this election into ``path``; its size in
        bytes (the file is checked by whoever reads it: ``verify_export``, the verifier)."""
        url = f"/v1/elections/{self.election}/export"
        try:
            with self._http.stream("GET", url) as response, path.open("wb") as handle:
                if response.status_code != 200:
                    raise BoardUnreachable(f"the board answered HTTP {response.status_code}")
                for chunk in response.iter_bytes():
                    handle.write(chunk)
        except httpx.HTTPError as exc:
            raise BoardUnreachable(f"cannot export from the board at {self.url}: {exc}") from None
        return path.stat().st_size

    def fold(self, *, setup_only: bool = False) -> tuple[ElectionState, SignedTreeHead]:
        """Spec §11.4 Download the log up to the latest tree head, check its root, and fold the
        election's state from it (every entry's signature checked; the rules' apply).

        ``setup_only`` stops at the first voter entry (ballot or audit): the state holds what
        was published before anyone voted (definition, candidate lists, election key,
        credentials), not what came after (a credential reissued while voting is open, say).
        The prefix is proven part of the tree head by a consistency proof (§9.3) instead of by
        downloading the ballots: what a member's device needs, at any size of election.

        Raises:
            InconsistentLog: the leaves do not hash to the tree head's root, or are not a
                prefix of its tree.
        """
        head = self.tree_head()
        state = ElectionState(self.election, leaves=self.entry)
        frontier = Frontier.empty()
        with collector_paused():  # a whole election's leaves, mixes included (collector.py)
            for leaf in self.leaves(0, head.tree_size):
                if setup_only and leaf.entry.role == VOTER:
                    break
                frontier, _ = frontier.append(leaf.hash)
                if leaf.index > 0:
                    apply(state, leaf.entry, index=leaf.index, received=leaf.received)
        if frontier.size == head.tree_size:
            if frontier.root() != head.root_hash:
                raise InconsistentLog("the downloaded log does not hash to the board's tree head")
        else:
            proof = self.consistency_proof(frontier.size, head.tree_size)
            try:
                verify_consistency(
                    old_size=frontier.size,
                    new_size=head.tree_size,
                    old_root=frontier.root(),
                    new_root=head.root_hash,
                    proof=proof,
                )
            except InconsistentLog:
                raise InconsistentLog(
                    f"the board's first {frontier.size} leaves are not a prefix of its tree head"
                ) from None
        return state, head


def list_elections(url: str, *, timeout: float = 60.0) -> list[str]:
    """Spec §10.3 The ids of the elections a board holds (``GET /v1/elections``), each checked.

    Raises:
        BoardUnreachable: the board cannot be reached or answers no list; MalformedInput: an
            answer that is not canonical JSON or holds an invalid id.
    """
    base = check_board_url(url).rstrip("/")
    try:
        response = httpx.get(f"{base}/v1/elections", timeout=timeout)
    except httpx.HTTPError as exc:
        raise BoardUnreachable(f"cannot reach the board at {url}: {exc}") from None
    if response.status_code != 200:
        raise BoardUnreachable(f"{url} answered HTTP {response.status_code}: is it a board?")
    obj = expect_object(canonical.decode(response.content, max_bytes=2**20), "election list",
                        required={"elections"})  # fmt: skip
    return [check_election_id(e) for e in expect_list(obj["elections"], "elections")]


def _clock_now(value: object, election: str) -> int:
    obj = expect_object(value, "clock answer", required={"election", "now", "rehearsal"})
    if obj["election"] != election:
        raise MalformedInput("the board answered the clock of another election")
    return expect_int(obj["now"], "clock", minimum=0)


def _hashes(value: object, what: str) -> tuple[bytes, ...]:
    return tuple(parse_hex(h, 32, f"{what} hash") for h in expect_list(value, what, max_length=128))
