"""Where an election builder posts: a ``Board`` takes an entry at a board time and folds it.

* ``MemoryBoard``: the log in memory, every entry run through the election's rules as a board
  runs them (precheck, check at the reception time, apply), or only folded (``checked=False``:
  fast, for benchmarks building large elections from honest entries); it writes the log as a
  board export (§10.4) signed with a given board key.
* ``HttpBoard``: a real board over HTTP whose clock the builder moves (a board served on a
  ``SimulatedClock``, simulation/served.py): each entry is posted, its receipt checked, and the
  leaf folded into the local state.

Signatures are checked by a real board (``HttpBoard``), not by ``MemoryBoard``: its entries'
signatures are verified when the export is verified.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, Self

from bulletin_board.client import BoardClient
from bulletin_board.export import format_export
from bulletin_board.wire import sign_board_key, sign_tree_head
from crypto.errors import InconsistentLog
from crypto.merkle import Frontier, leaf_hash
from crypto.signing import SigningKey
from election.collector import collector_paused
from election.rules import ElectionState, LoggedEntry, Prechecked, apply, check, precheck

__all__ = ["Board", "HttpBoard", "MemoryBoard", "board_key_entry", "export_lines", "leaf_bytes"]


class Board(Protocol):
    """An election's log that entries are posted to at a board time (ms)."""

    @property
    def state(self) -> ElectionState:
        """The election's state folded from the log."""
        ...

    def post(self, entry: LoggedEntry, received: int) -> int:
        """Append ``entry`` received at ``received``; its leaf index.

        Raises:
            Refusal (MemoryBoard), BoardRefused (HttpBoard): the rules refuse it.
        """
        ...


@dataclass
class MemoryBoard:
    """An election's log in memory. Leaf 0 (the board's key, §10.1) is held as ``None`` at
    ``created``; ``export`` writes the board-key entry of the key it signs with, marked as a
    rehearsal's (§10.2) if ``rehearsal``."""

    election: str
    created: int = 0
    entries: list[tuple[LoggedEntry | None, int]] = field(default_factory=list)
    checked: bool = True
    rehearsal: bool = False
    state: ElectionState = field(init=False)

    def __post_init__(self) -> None:
        self.state = ElectionState(self.election, leaves=self.read)
        if not self.entries:
            self.entries.append((None, self.created))

    def read(self, index: int) -> LoggedEntry:
        entry = self.entries[index][0]
        assert entry is not None, "leaf 0 is the board's key"
        return entry

    def post(self, entry: LoggedEntry, received: int) -> int:
        """Spec §11.4 Precheck, check and apply ``entry`` at board time ``received`` (only
        apply it if not ``checked``); its leaf index.

        Raises:
            Refusal, MalformedInput: the rules refuse it (the log is unchanged).
        """
        index = len(self.entries)
        if self.checked:
            pre = precheck(self.state.params, entry)
            check(self.state, entry, index=index, received=received, prechecked=pre)
            apply(self.state, entry, index=index, received=received, prechecked=pre)
        else:
            apply(self.state, entry, index=index, received=received)
        self.entries.append((entry, received))
        return index

    def copy(self) -> Self:
        """A new log with the same leaves, its state folded again (apply only)."""
        log = dataclasses.replace(self, entries=[self.entries[0]])
        for entry, received in self.entries[1:]:
            assert entry is not None
            index = len(log.entries)
            apply(log.state, entry, index=index, received=received)
            log.entries.append((entry, received))
        return log

    def leaves(self, board_key: SigningKey) -> list[tuple[bytes, int]]:
        """(entry bytes, reception time) of every leaf, leaf 0 the board-key entry of
        ``board_key``."""
        first = board_key_entry(self.election, board_key, rehearsal=self.rehearsal)
        return [(first, self.entries[0][1])] + [
            (entry.raw, received) for entry, received in self.entries[1:] if entry is not None
        ]

    def export(self, board_key: SigningKey, *, every: int = 1000) -> Iterator[bytes]:
        """Spec §10.4 The log as a board export's lines, with a tree head signed by
        ``board_key`` after every ``every`` leaves and after the last."""
        return export_lines(
            self.election, self.leaves(board_key), board_key, every=every, rehearsal=self.rehearsal
        )

    def write_export(self, path: Path, board_key: SigningKey, *, every: int = 1000) -> None:
        """``export`` into the file ``path`` (written whole, then renamed)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".partial")
        with temporary.open("wb") as out:
            out.writelines(self.export(board_key, every=every))
        temporary.replace(path)


def board_key_entry(election: str, key: SigningKey, *, rehearsal: bool = False) -> bytes:
    """Spec §10.1 Leaf 0's entry: the board's key, signed by itself."""
    return sign_board_key(election=election, key=key, rehearsal=rehearsal)


def leaf_bytes(index: int, entry: bytes, received: int) -> bytes:
    """Spec §10.1 The canonical bytes of leaf ``index`` holding ``entry`` (the layout
    ``bulletin_board.wire.Leaf.build`` writes), without parsing the entry."""
    return b'{"entry":%s,"index":%d,"received":%d,"version":1}' % (entry, index, received)


def export_lines(
    election: str,
    leaves: Sequence[tuple[bytes, int]],
    key: SigningKey,
    *,
    every: int,
    raw_leaves: Sequence[bytes] | None = None,
    rehearsal: bool = False,
) -> Iterator[bytes]:
    """Spec §10.4 An export of ``leaves`` ((entry bytes, received), leaf 0 included) with a
    tree head signed by ``key`` after every ``every`` leaves and after the last; each tree
    head's time is the latest reception time it covers, its rehearsal flag ``rehearsal``
    (leaf 0's). ``raw_leaves`` replaces the leaves' bytes (a test's non-canonical ones)."""
    blobs = (
        list(raw_leaves)
        if raw_leaves is not None
        else [leaf_bytes(i, raw, received) for i, (raw, received) in enumerate(leaves)]
    )
    frontier = Frontier.empty()
    heads: list[tuple[int, bytes]] = []
    latest = 0
    for i, blob in enumerate(blobs):
        frontier = frontier.append(leaf_hash(blob))[0]
        latest = max(latest, leaves[i][1])
        size = i + 1
        if size % every == 0 or size == len(blobs):
            head = sign_tree_head(
                election=election,
                tree_size=size,
                root_hash=frontier.root(),
                timestamp=latest,
                rehearsal=rehearsal,
                key=key,
            )
            heads.append((size, head.to_bytes()))
    return format_export(
        election=election, board_key=key.verify_key.raw, leaves=blobs, tree_heads=heads
    )


@dataclass
class HttpBoard:
    """A board served over HTTP on a clock this process sets: ``post`` moves the clock to the
    entry's time, posts it (the client checks the receipt) and folds its leaf locally. The
    leaves' hashes are kept folded into a Merkle frontier as well, so that ``check_head``
    checks the folded state against the board's tree head without downloading the log again."""

    client: BoardClient
    set_clock: Callable[[int], None]
    state: ElectionState = field(init=False)
    #: the leaves folded into ``state``: 0 to ``size`` - 1
    size: int = field(init=False, default=1)
    #: the Merkle frontier of leaves 0 to ``size`` - 1
    frontier: Frontier = field(init=False)
    _read: dict[int, LoggedEntry] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.state = ElectionState(self.client.election, leaves=self._entry)
        self.frontier = Frontier.empty().append(self.client.leaf(0).hash)[0]

    @property
    def url(self) -> str:
        return self.client.url

    def _entry(self, index: int) -> LoggedEntry:
        """The entry of leaf ``index`` for the rules (``prefetch``'s if it read it)."""
        entry = self._read.pop(index, None)
        return entry if entry is not None else self.client.entry(index)

    def prefetch(self, indices: Sequence[int], *, threads: int = 4) -> None:
        """Read the entries of leaves ``indices`` (each signature checked) on ``threads``
        concurrent requests, for the rules to read back once each (the ballots a tally
        divides out: one request each, scattered over the log)."""
        with ThreadPoolExecutor(threads) as pool:
            self._read.update(zip(indices, pool.map(self.client.entry, indices), strict=True))

    def post(self, entry: LoggedEntry, received: int) -> int:
        """Post ``entry`` at board time ``received`` and fold it (and first any leaves others
        appended since the last fold); its leaf index."""
        return self.post_raw(entry.raw, received, what=entry.type)

    def post_raw(
        self, raw: bytes, received: int, *, what: str, payload: object | None = None
    ) -> int:
        """``post`` of an entry's bytes (``what``: its type, for messages). ``payload`` is
        what the rules' precheck makes of these bytes, when the caller has it (the producer's
        own parsed payload: a mix's outputs are not decoded again); the receipt's leaf holds
        exactly ``raw`` (``BoardClient.post`` checks it)."""
        self.set_clock(received)
        receipt = self.client.post(raw, what=what)
        leaf = receipt.leaf
        self.catch_up(leaf.index)
        prechecked = None if payload is None else Prechecked(self.state.generation, payload)
        apply(
            self.state, leaf.entry, index=leaf.index, received=leaf.received, prechecked=prechecked
        )
        self.frontier = self.frontier.append(leaf.hash)[0]
        self.size = leaf.index + 1
        return leaf.index

    def catch_up(self, size: int | None = None) -> None:
        """Fold the leaves others appended since the last fold, up to ``size`` (default: the
        board's latest tree head); each leaf's signature is checked as ``BoardClient.fold``
        checks it, and the tree head's root by ``check_head`` (the builder trusts its own
        board; a verifier checks the export)."""
        end = self.client.tree_head().tree_size if size is None else size
        if end > self.size:
            with collector_paused():  # the members' ballots, after they voted (collector.py)
                for leaf in self.client.leaves(self.size, end):
                    apply(self.state, leaf.entry, index=leaf.index, received=leaf.received)
                    self.frontier = self.frontier.append(leaf.hash)[0]
            self.size = end

    def check_head(self) -> None:
        """Spec §9, §10.2 Fold up to the board's latest tree head and check that the leaves
        folded hash to its root: the state is the log's, as a whole fold would give it.

        Raises:
            InconsistentLog: they do not.
        """
        head = self.client.tree_head()
        self.catch_up(head.tree_size)
        if self.size != head.tree_size or self.frontier.root() != head.root_hash:
            raise InconsistentLog(
                f"the {self.size} leaves folded do not hash to the board's tree head of size "
                f"{head.tree_size}"
            )

    def refold(self) -> None:
        """Fold the state again from the board's whole log, checked against its tree head."""
        self.state = ElectionState(self.client.election, leaves=self._entry)
        self.size = 1
        self.frontier = Frontier.empty().append(self.client.leaf(0).hash)[0]
        self.check_head()
