"""Spec §10 The board's log: appends under the rules, signed tree heads, proofs, receipts.

``Board`` appends batches of prechecked entries in one write transaction (group commit):
it folds the leaves other processes committed since it last looked (before taking the lock:
they are final), takes the election's lock, folds what was committed meanwhile, runs the
board's invariants and the stateful rules, builds the leaves with the board's reception time,
stores the leaves, the complete subtrees they create and ONE signed tree head
for the batch, commits, and only then answers. Every receipt of a batch carries that batch's
tree head, which includes its leaf; the inclusion proofs are computed from the frontier of the
tree before the batch plus the batch's own nodes, without reading the database.

``bulletin_board.committer.group_committer`` feeds ``Board.append`` from a queue on one writer
thread: requests that arrive while a batch commits (an fsync) form the next batch.

Replays (Spec §10.1): entry bytes already in the log are not appended again; the board answers
with a receipt for the FIRST leaf holding them (idempotent), marked ``new=False``.

Self-checks (Spec §10.2, bulletin_board/integrity.py): ``check_storage`` (on start) checks each
whole stored log; every write checks the latest tree head it signs from, and every read checks
the tree head it serves. A log found corrupted is refused (HTTP 503) from then on.

Rehearsals (Spec §10.2): a board made with ``rehearsal=True`` creates and serves rehearsal logs
only, marks them in leaf 0 and in every tree head, and runs each log's clock ahead of the real
one by the offset its administrator set (``advance_clock``, bulletin_board/rehearsal.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from bulletin_board.errors import (
    EntryRefused,
    LogCorrupted,
    UnknownElection,
)
from bulletin_board.integrity import (
    Quarantine,
    check_latest,
    check_log,
    signed_here,
)
from bulletin_board.log_reads import LogReads
from bulletin_board.prechecks import Prechecks
from bulletin_board.rehearsal import check_clock_request, check_modes, mode_name
from bulletin_board.rules import Rules
from bulletin_board.storage import LeafRow, Storage, StoredTreeHead, WriteTransaction
from bulletin_board.wire import (
    BOARD_KEY_TYPE,
    BoardKeyPayload,
    Entry,
    Leaf,
    Receipt,
    SignedTreeHead,
    check_election_id,
    sign_board_key,
    sign_tree_head,
)
from crypto.errors import MalformedInput
from crypto.merkle import (
    Frontier,
    inclusion_proof,
    reader_from_mapping,
)
from crypto.signing import SigningKey
from election.collector import collector_paused

__all__ = ["Appended", "Board", "now_ms"]


def now_ms() -> int:
    """The board's clock: integer milliseconds since the Unix epoch."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class Appended:
    """The outcome of one accepted entry: its receipt, and whether this call appended it."""

    receipt: Receipt
    new: bool


@dataclass(slots=True)
class _View:
    """One process's view of one election's log, valid while it matches the database."""

    frontier: Frontier
    state: Any
    last_received: int


class Board(Prechecks, LogReads):
    """Spec §10 A bulletin board over one database, several elections, one board key; its
    reads are ``LogReads``', its prechecks ``Prechecks``'."""

    def __init__(
        self,
        storage: Storage,
        key: SigningKey,
        rules: Rules[Any],
        *,
        clock: Callable[[], int] = now_ms,
        rehearsal: bool = False,
    ) -> None:
        self.storage = storage
        self.key = key
        self.rules = rules
        self.rehearsal = rehearsal
        self._clock = clock
        self._views: dict[str, _View] = {}
        self._pending: dict[str, dict[int, Leaf]] = {}
        self._quarantine = Quarantine()
        self._lock = threading.Lock()

    def check_storage(self) -> dict[str, str]:
        """Spec §10.2 Check every stored log (on start); the corrupted ones, each with the line
        logged for it. The board refuses every request on those (``LogCorrupted``)."""
        for election in self.storage.elections():
            with suppress(LogCorrupted), self._quarantine.watch(election):
                check_log(
                    self.storage, election, board_key=self.public_key, rehearsal=self.rehearsal
                )
        return self._quarantine.found()

    def check_mode(self) -> None:
        """Spec §10.2 A rehearsal board serves rehearsal logs only, and a board not in
        rehearsal mode no rehearsal log (on start, before ``check_storage``).

        Raises:
            MalformedInput: a log of the other kind is in the database (one line naming it).
        """
        check_modes(self.storage, self.storage.elections(), rehearsal=self.rehearsal)

    # --- creating a log ----------------------------------------------------------------------

    def create_election(self, election: str, *, exist_ok: bool = False) -> SignedTreeHead:
        """Spec §10.1 Create an election's log (``ensure_election``); its latest tree head.

        Raises:
            MalformedInput: an invalid election id.
            EntryRefused: (code ``election_exists``) it exists and ``exist_ok`` is false.
            LogCorrupted: it exists and its stored log fails the board's checks.
        """
        check_election_id(election)
        if not exist_ok and self.storage.has_election(election):
            raise EntryRefused("election_exists", f"election log {election!r} already exists")
        self.ensure_election(election)
        return self.latest_tree_head(election)

    def ensure_election(self, election: str) -> None:
        """Spec §10.1 Create an election's log if absent: leaf 0 is the board-key entry. Reads
        nothing of an existing log but its size (a board's start, before its self-check)."""
        check_election_id(election)
        if not self.storage.has_election(election):
            self.check_mode()
            self.storage.create_election(election, created=self._clock())
        if self.storage.size(election) == 0:
            raw = sign_board_key(election=election, key=self.key, rehearsal=self.rehearsal)
            entry = self.rules.precheck(raw, election=election, max_bytes=len(raw))
            outcome = self.append(election, [entry])[0]
            if isinstance(outcome, Exception):
                raise outcome

    # --- this process's view ----------------------------------------------------------------

    def folded(self, election: str) -> int | None:
        """How many of ``election``'s leaves this process's view holds (None: no view yet)."""
        view = self._views.get(election)
        return None if view is None else view.frontier.size

    def refresh(self, election: str) -> object:
        """Fold the leaves other processes appended since this one last looked (those up to
        the latest tree head before taking the log's lock, as ``append`` does: a worker whose
        writer appended many may have many to fold); the rules' parameters snapshot of the
        result.

        Raises:
            UnknownElection, LogCorrupted.
        """
        check_election_id(election)
        self._quarantine.refuse(election)
        with collector_paused():  # the leaves folded may be large (collector.py)
            with self._lock, self._quarantine.watch(election):
                try:
                    self._catch_up(election)
                except BaseException:
                    self._views.pop(election, None)
                    raise
            with self._writing(election) as tx:
                view = self._fold(election, tx)
        return self.rules.snapshot(view.state)

    def _leaf_reader(self, election: str) -> Callable[[int], Entry]:
        """Spec §10.1 The entry of an earlier leaf: from the batch being appended, else from
        storage (committed). Only called under the lock, by the rules."""

        def read(index: int) -> Entry:
            pending = self._pending.get(election)
            if pending is not None and index in pending:
                return pending[index].entry
            row = self.storage.leaf(election, index)
            if row is None:
                raise LogCorrupted(f"leaves row {index} of {election!r}: absent, the rules read it")
            return self._parse_stored(election, row, index).entry

        return read

    # --- appending ---------------------------------------------------------------------------

    def append(self, election: str, entries: Sequence[Entry]) -> list[Appended | EntryRefused]:
        """Spec §10.1 Append prechecked entries in one durable transaction (group commit).

        Returns, per entry and in order, its ``Appended`` outcome or the ``EntryRefused`` a
        rule raised; refused entries do not stop the others. Returns only after the commit.

        Raises:
            UnknownElection: no such log.
            LogCorrupted: the database disagrees with itself or with this board.
        """
        self._quarantine.refuse(election)
        with self._lock, self._quarantine.watch(election):
            try:
                self._catch_up(election)
                outcomes = self._append_locked(election, entries)
            except BaseException:
                self._views.pop(election, None)  # the state may hold uncommitted leaves
                raise
            finally:
                self._pending.pop(election, None)
        result: list[Appended | EntryRefused] = []
        for outcome in outcomes:
            if isinstance(outcome, int):
                result.append(Appended(self.receipt(election, outcome), new=False))
            else:
                result.append(outcome)
        return result

    def _append_locked(
        self, election: str, entries: Sequence[Entry]
    ) -> list[Appended | EntryRefused | int]:
        with self.storage.write(election) as tx:
            view = self._fold(election, tx)
            received = self._received(tx, view)
            existing = tx.find_entries([e.hash for e in entries])
            frontier = view.frontier
            nodes = frontier.node_table()
            created_nodes: list[tuple[int, int, bytes]] = []
            new_leaves: list[Leaf] = []
            pending = self._pending[election] = {}
            outcomes: list[Leaf | EntryRefused | int] = []
            for entry in entries:
                h = entry.hash
                if h in existing:
                    outcomes.append(existing[h])
                    continue
                index = frontier.size
                try:
                    self._check_invariants(entry, index)
                    self.rules.check(view.state, entry, index=index, received=received)
                except EntryRefused as exc:
                    outcomes.append(exc)
                    continue
                leaf = Leaf.build(index=index, received=received, entry=entry)
                frontier, created = frontier.append(leaf.hash)
                created_nodes.extend(created)
                nodes.update(((lv, ix), nh) for lv, ix, nh in created)
                self.rules.apply(view.state, leaf)
                existing[h] = index
                new_leaves.append(leaf)
                pending[index] = leaf
                outcomes.append(leaf)
            tree_head = None
            if new_leaves:
                tree_head = sign_tree_head(
                    election=election,
                    tree_size=frontier.size,
                    root_hash=frontier.root(),
                    timestamp=received,
                    rehearsal=self.rehearsal,
                    key=self.key,
                )
                tx.append(
                    [
                        LeafRow(leaf.index, leaf.hash, leaf.entry.hash, received, leaf.raw)
                        for leaf in new_leaves
                    ],
                    created_nodes,
                    StoredTreeHead(
                        tree_head.tree_size, received, tree_head.root_hash, signed_here(tree_head)
                    ),
                )
        # Committed: the view now describes the database.
        view.frontier = frontier
        if new_leaves:
            view.last_received = received
        reader = reader_from_mapping(nodes)
        result: list[Appended | EntryRefused | int] = []
        for outcome in outcomes:
            if isinstance(outcome, Leaf):
                assert tree_head is not None
                proof = inclusion_proof(outcome.index, tree_head.tree_size, reader)
                result.append(Appended(Receipt(outcome, tree_head, tuple(proof)), new=True))
            else:
                result.append(outcome)
        return result

    def _check_invariants(self, entry: Entry, index: int) -> None:
        """Spec §10.1 The board's own rules, whatever the election's rules are."""
        if index == 0 and (
            entry.type != BOARD_KEY_TYPE
            or entry.key != self.public_key
            or BoardKeyPayload.of(entry).rehearsal != self.rehearsal
        ):
            mode = "a rehearsal" if self.rehearsal else "not a rehearsal"
            raise EntryRefused(
                "board_key_first",
                f"leaf 0 must be the board-key entry signed by this board ({mode})",
            )
        if index > 0 and entry.type == BOARD_KEY_TYPE:
            raise EntryRefused("board_key_only_first", "only leaf 0 is a board-key entry")
        if entry.role == "board" and entry.key != self.public_key:
            raise EntryRefused("not_board_key", "a board entry must be signed by this board")

    def _received(self, tx: WriteTransaction, view: _View) -> int:
        """Spec §10.1-§10.2 The board's clock for the log, never before its last leaf; a
        rehearsal log's runs ahead by the offset its administrator set."""
        now = self._clock() + (tx.clock_offset() if self.rehearsal else 0)
        return max(now, view.last_received)

    def _catch_up(self, election: str) -> None:
        """Fold the leaves other processes committed since this one last looked, up to the
        latest tree head, BEFORE taking the log's lock (Spec §10.1): they are final, and folding
        them is the costliest part of a transaction, which every other writer would wait for.
        ``_fold`` then folds, under the lock, only what was committed meanwhile, and checks the
        root as before."""
        view = self._views.get(election)
        if view is None:
            return
        stored, size = self.storage.latest_tree_head_and_size(election)
        head = check_latest(
            stored, size, election=election, board_key=self.public_key, rehearsal=self.rehearsal
        )
        start, end = view.frontier.size, 0 if head is None else head.tree_size
        if end <= start:  # nothing new (the writer of a serve, every batch): no query
            return
        with closing(self.storage.leaves(election, start, end)) as rows:
            for expected, row in enumerate(rows, start=start):
                leaf = self._parse_stored(election, row, expected)
                view.frontier, _ = view.frontier.append(row.leaf_hash)
                self.rules.apply(view.state, leaf)
                view.last_received = leaf.received

    def _fold(self, election: str, tx: WriteTransaction) -> _View:
        """Bring this process's view up to the database (under the lock), checking the latest
        tree head, which the next is signed from (Spec §10.2). Raises: LogCorrupted."""
        stored, size = tx.latest_tree_head_and_size()
        head = check_latest(
            stored,
            size,
            election=election,
            board_key=self.public_key,
            rehearsal=self.rehearsal,
        )
        view = self._views.get(election)
        if view is None:
            try:
                view = _View(Frontier.from_reader(size, tx.read_nodes), None, 0)
            except MalformedInput as exc:
                raise LogCorrupted(f"nodes of {election!r}: {exc}") from None
            view.state = self.rules.state(election, self._leaf_reader(election))
            rows = tx.leaves_from(0)
            start = 0
        else:
            if size < view.frontier.size:
                raise LogCorrupted(
                    f"leaves of {election!r}: {size} stored, {view.frontier.size} before (shrank)"
                )
            rows = tx.leaves_from(view.frontier.size) if size > view.frontier.size else []
            start = view.frontier.size
        frontier = view.frontier
        count = 0
        for expected, row in enumerate(rows, start=start):
            count += 1
            leaf = self._parse_stored(election, row, expected)
            if expected == 0:
                self._check_origin(election, leaf)
            if start > 0 or expected >= frontier.size:
                frontier, _ = frontier.append(row.leaf_hash)
            self.rules.apply(view.state, leaf)
            view.last_received = leaf.received
        view.frontier = frontier
        if frontier.size != size or start + count != size:
            raise LogCorrupted(f"leaves of {election!r}: a gap below index {size}")
        if head is not None and head.root_hash != frontier.root():
            raise LogCorrupted(
                f"tree_heads row of size {size} of {election!r}: its root differs from the root "
                f"of the stored tree ({frontier.root().hex()[:16]}...)"
            )
        self._views[election] = view
        return view

    def _check_origin(self, election: str, leaf: Leaf) -> None:
        """Spec §10.1-§10.2 Leaf 0 is this board's key, in this board's mode."""
        try:
            origin = BoardKeyPayload.of(leaf.entry)
        except MalformedInput as exc:
            raise LogCorrupted(f"leaves row 0 of {election!r}: {exc}") from None
        if origin.key != self.public_key:
            raise LogCorrupted(
                f"leaves row 0 of {election!r} holds board key {origin.key.hex()}, "
                f"not this board's {self.public_key.hex()}"
            )
        if origin.rehearsal != self.rehearsal:
            raise LogCorrupted(
                f"leaves row 0 of {election!r}: {mode_name(origin.rehearsal)}'s log on "
                f"{mode_name(self.rehearsal)}'s board"
            )

    # --- a rehearsal's clock (Spec §10.2) -------------------------------------------------------

    def clock(self, election: str) -> int:
        """Spec §10.2 The log's clock now (ms), on which the next leaf is received: the board's,
        and on a rehearsal log ahead by its administrator's offset (never before its latest
        tree head). Raises: UnknownElection, NotFound, LogCorrupted."""
        if not self.storage.has_election(election):
            raise UnknownElection(f"no election log {election!r} on this board")
        if not self.rehearsal:
            return self._clock()
        offset = self.storage.clock_offset(election)
        return max(self._clock() + offset, self.latest_tree_head(election).timestamp)

    def advance_clock(self, election: str, raw: bytes) -> int:
        """Spec §10.2 Advance a rehearsal log's clock by the administrator's clock request;
        the clock's new reading.

        Raises:
            UnknownElection, LogCorrupted; EntryRefused (``not_rehearsal``, ``no_definition``,
            ``wrong_author``, ``clock_not_later``); MalformedInput, InvalidSignature.
        """
        check_election_id(election)
        if not self.storage.has_election(election):
            raise UnknownElection(f"no election log {election!r} on this board")
        if not self.rehearsal:
            raise EntryRefused(
                "not_rehearsal",
                f"{election!r} is a real election's log: only a rehearsal's clock can be advanced",
            )
        with self._writing(election) as tx:
            now = self._received(tx, self._fold(election, tx))
            request = check_clock_request(raw, election=election, storage=self.storage, now=now)
            tx.advance_clock(request.to - self._clock(), raw)
        return request.to

    @contextmanager
    def _writing(self, election: str) -> Iterator[WriteTransaction]:
        """A write transaction on a log not found corrupted, under the lock; the view is
        discarded if it fails, and an inconsistency found quarantines the log."""
        self._quarantine.refuse(election)
        with self._lock, self._quarantine.watch(election):
            try:
                with self.storage.write(election) as tx:
                    yield tx
            except BaseException:  # the view may hold what was not committed
                self._views.pop(election, None)
                raise

    # --- bulk loading (benchmarks) -----------------------------------------------------------

    def unsafe_bulk_append(self, election: str, entries: Sequence[Entry]) -> SignedTreeHead:
        """Append many entries in one transaction WITHOUT the election's rules.

        For building large logs in benchmarks only: entries are stored exactly as by
        ``append`` (leaves, nodes, one tree head), but no stateful rule runs and no replay
        check is made. Raises like ``append``.
        """
        with self._writing(election) as tx:
            view = self._fold(election, tx)
            received = self._received(tx, view)
            frontier = view.frontier
            rows, created_nodes = [], []
            for entry in entries:
                leaf = Leaf.build(index=frontier.size, received=received, entry=entry)
                frontier, created = frontier.append(leaf.hash)
                created_nodes.extend(created)
                rows.append(LeafRow(leaf.index, leaf.hash, entry.hash, received, leaf.raw))
                self.rules.apply(view.state, leaf)
            sth = sign_tree_head(
                election=election,
                tree_size=frontier.size,
                root_hash=frontier.root(),
                timestamp=received,
                rehearsal=self.rehearsal,
                key=self.key,
            )
            tx.append(
                rows,
                created_nodes,
                StoredTreeHead(sth.tree_size, received, sth.root_hash, signed_here(sth)),
            )
        view.frontier, view.last_received = frontier, received
        return sth
