"""Spec §13 The orchestrator: read the export once (check 1), replay the rules (checks 2-8) with
ballots verified in a process pool, then check a receipt (§13.2) if one was given.

Ballot batches are verified out of order by the pool but settled strictly in log order: before
any entry that is not a ballot or audit, every outstanding batch is settled, so the stateful
rules always see the state of the log at that entry.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

import httpx

from bulletin_board.wire import Receipt, SignedTreeHead
from crypto import canonical
from crypto.canonical import JsonValue
from crypto.errors import MalformedInput, VerivoteError
from election.wire import MAX_RECEIPT_FILE, ReceiptFile, election_schemes
from verifier._ballots import BallotContext, BatchOutcome, Item, verify_batch
from verifier._index import IndexCheck
from verifier._log import LeafRecord, LogReader, UnreadableInput
from verifier._mixing import settle_deferred
from verifier._replay import Replay
from verifier._report import Report
from verifier._seen import Seen
from verifier._state import State, Voting
from verifier._witnesses import check_witnesses

__all__ = ["Progress", "download_export", "verify_export_file", "verify_source"]

Progress = Callable[[int, int], None]
"""Called with (bytes read, total bytes) as the export is read."""

# Ballots per batch (one §6.7 batch verification each): Pippenger's method costs less per base
# the more bases it has (per ballot of 10 options, 5.05 M instructions with 512 ballots, 4.10 M
# with 2,048, callgrind), so batches are large; two per worker in flight bound the memory.
BATCH_SIZE: Final = 2048
_IN_FLIGHT_PER_JOB: Final = 2


@dataclass(slots=True)
class _Pool:
    """Ballot batches in flight, settled in submission order."""

    executor: ProcessPoolExecutor | None
    replay: Replay | None = None
    queue: deque[Future[BatchOutcome]] | None = None
    limit: int = 1

    def submit(self, context: BallotContext, items: list[Item]) -> None:
        assert self.replay is not None
        if self.executor is None:
            self.replay.settle(verify_batch(context, items))
            return
        if self.queue is None:
            self.queue = deque()
        self.queue.append(self.executor.submit(verify_batch, context, items))
        while len(self.queue) > self.limit:
            self.replay.settle(self.queue.popleft().result())

    def drain(self) -> None:
        assert self.replay is not None
        self.replay.flush()
        while self.queue:
            self.replay.settle(self.queue.popleft().result())


def _reader(path: Path) -> Callable[[Iterable[int]], dict[int, bytes]]:
    """A second pass over the export for the entry bytes of given leaves (uncounted ballots)."""

    def reread(indices: Iterable[int]) -> dict[int, bytes]:
        wanted = set(indices)
        found: dict[int, bytes] = {}
        if not wanted:
            return found
        index = 0
        with path.open("rb") as stream:
            for line in stream:
                if not line.startswith(b'{"leaf":'):
                    continue
                if index in wanted:
                    leaf = canonical.decode(line[8:-2])
                    assert isinstance(leaf, dict)
                    found[index] = canonical.encode(leaf["entry"])
                    if len(found) == len(wanted):
                        break
                index += 1
        return found

    return reread


def verify_export_file(
    path: Path,
    *,
    jobs: int | None = None,
    receipt: bytes | None = None,
    since: bytes | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    in_progress: bool = False,
    cosigned: SignedTreeHead | None = None,
    index_head: bytes | None = None,
    defer: bool = True,
) -> Report:
    """Spec §13.1 Verify an export file: every check, a receipt, consistency with a kept STH.
    ``in_progress``: the caller checks an election in progress (no result is then the outcome
    ``in-progress``, not ``no-result``, §13.3). ``cosigned``: the largest tree head the board
    says its witnesses cosigned (§10.5), which the log must not contradict. ``index_head``: a
    credential index head kept by a member's device (§11.15), recomputed from the log.
    ``defer`` (with more than one job): the proofs of the shuffles are checked on the workers
    while the reading goes on, each mix's list taken as if its proof held; if one does not, the
    export is verified again with every check in turn (§13), so the report is the same.

    Raises:
        UnreadableInput: the file is not an export, or the receipt or tree head file does not
            parse (exit status 2 in the CLI).
        OSError: the file cannot be read.
    """
    report = Report(in_progress=in_progress)
    kept = _parse_since(since) if since is not None else None
    parsed_receipt = _ReceiptCheck.parse(receipt) if receipt is not None else None
    indexed = IndexCheck.parse(index_head) if index_head is not None else None
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    total = path.stat().st_size
    seen = Seen()
    reader = LogReader(report, seen, since=kept, cosigned=cosigned)
    if parsed_receipt is not None:
        reader.roots[parsed_receipt.tree_size] = b""
    if indexed is not None:
        reader.roots[indexed.head.sth.tree_size] = b""
    with ExitStack() as stack:
        stack.callback(seen.close)
        executor = (
            stack.enter_context(ProcessPoolExecutor(max_workers=workers)) if workers > 1 else None
        )
        pool = _Pool(executor, limit=_IN_FLIGHT_PER_JOB * workers)
        stream = stack.enter_context(path.open("rb"))
        replay: Replay | None = None
        for record in reader.read(_Counting(stream, total, progress)):
            if replay is None:
                state = State(reader.election, report, _reader(path), Voting(seen))
                if executor is not None and defer:
                    state.mixing.offload = executor.submit
                replay = Replay(state, pool.submit, batch_size=batch_size)
                pool.replay = replay
            if record.role != "voter":
                pool.drain()
            replay.feed(record)
            if parsed_receipt is not None:
                parsed_receipt.see(record)
            if indexed is not None:
                indexed.see(record)
        if replay is not None:
            pool.drain()
            if not settle_deferred(replay.state):
                stack.close()
                return verify_export_file(
                    path, jobs=jobs, receipt=receipt, since=since, progress=progress,
                    batch_size=batch_size, in_progress=in_progress, cosigned=cosigned,
                    index_head=index_head, defer=False,
                )  # fmt: skip
            replay.finish()
            setup = replay.state.setup
            check_witnesses(
                report,
                final=reader.sth,
                cosignatures=reader.cosignatures,
                definition=setup.definition,
                result=replay.state.tallying.result_seen,
                voting_close=setup.timetable.get("voting_close"),
            )
            if parsed_receipt is not None:
                parsed_receipt.conclude(report, replay, reader)
            if indexed is not None:
                indexed.conclude(report, reader)
    return report


class _Counting:
    """A binary stream that reports how far it has been read."""

    def __init__(self, stream: BinaryIO, total: int, progress: Progress | None) -> None:
        self._stream = stream
        self._total = total
        self._progress = progress
        self._read = 0
        self._reported = 0

    def readline(self, limit: int = -1) -> bytes:
        line = self._stream.readline(limit)
        self._read += len(line)
        if self._progress is not None and (
            self._read - self._reported > 1 << 20 or not line or self._read == self._total
        ):
            self._reported = self._read
            self._progress(self._read, self._total)
        return line


def _parse_since(data: bytes) -> SignedTreeHead:
    """Spec §10.2 A kept tree head: a file a person handles (§4.2), its signature checked over
    its canonical encoding."""
    try:
        return SignedTreeHead.from_json(canonical.decode_document(data.strip(), max_bytes=4096))
    except VerivoteError as exc:
        raise UnreadableInput(f"the kept tree head does not parse: {exc}") from None


@dataclass(slots=True)
class _ReceiptCheck:
    """Spec §13.2 A voter's receipt (§10.3): the leaf at its index holds the same bytes, the
    receipt's tree head is one of this log's, and the ballot counted or a later revote did."""

    raw: Mapping[str, JsonValue]
    index: int
    leaf_hash: bytes
    tree_size: int
    root_hash: bytes
    board_key: bytes
    seen: LeafRecord | None = None

    @classmethod
    def parse(cls, data: bytes) -> _ReceiptCheck:
        try:
            value = canonical.decode_document(data.strip(), max_bytes=MAX_RECEIPT_FILE)
            if isinstance(value, dict) and "format" in value:
                # §11.13 The receipt file a voter's client saved: the board's receipt inside.
                document = ReceiptFile.from_json(value)
                document.check_tracker()
                value = dict(document.receipt)
            if not isinstance(value, dict) or "leaf" not in value or "sth" not in value:
                raise MalformedInput("a receipt holds a leaf and a tree head (spec §10.3)")
            sth = SignedTreeHead.from_json(value["sth"])
            leaf_hash = bytes.fromhex(str(value.get("leaf_hash", "")))
            index = value.get("leaf_index")
            if not isinstance(index, int) or len(leaf_hash) != 32:
                raise MalformedInput("receipt: leaf_index and leaf_hash are required")
        except (VerivoteError, ValueError) as exc:
            raise UnreadableInput(f"the receipt does not parse: {exc}") from None
        return cls(value, index, leaf_hash, sth.tree_size, sth.root_hash, sth.board_key)

    def see(self, record: LeafRecord) -> None:
        if record.index == self.index:
            self.seen = record

    def conclude(self, report: Report, replay: Replay, reader: LogReader) -> None:
        def fail(message: str) -> None:
            report.fail(1, self.index, f"receipt: {message}")

        try:
            schemes = election_schemes(replay.state.setup.fingerprint or None)
            receipt = Receipt.from_json(dict(self.raw), schemes)
        except VerivoteError as exc:
            fail(f"does not verify: {exc}")
            return
        if self.board_key != reader.board_key:
            fail("signed by another board key than this log's")
            return
        if receipt.sth.rehearsal != reader.rehearsal:
            fail("its tree head's rehearsal flag is not this log's (leaf 0's)")
            return
        if reader.roots.get(self.tree_size) != self.root_hash:
            fail(f"its tree head of size {self.tree_size} is not this log's: fork or rewrite")
            return
        record = self.seen
        if record is None or receipt.leaf.entry.raw != record.raw:
            fail("the leaf at its index does not hold the receipt's entry")
            return
        if receipt.leaf.received != record.received:
            fail("the leaf at its index has another reception time")
            return
        if record.type != "ballot":
            report.notes.append(f"receipt: leaf {self.index} ({record.type}) is in the log")
            return
        issued, voting = replay.state.credentials, replay.state.voting
        credential = issued.ids.get(record.key)
        last = -1 if credential is None else issued.last_ballot[credential]
        for opened, audit in sorted(voting.opened.ballots.items()):
            if opened > self.index and voting.seen.credential(opened) == credential:
                by = f" (the audit in leaf {audit} opened it)" if audit >= 0 else ""
                report.fail(
                    6, self.index, f"receipt: the ballot was replaced by the ballot in leaf "
                    f"{opened}, which the voter only audited{by}: not a revote, the board cast it",
                )  # fmt: skip
        if last == self.index:
            report.notes.append(f"receipt: the ballot in leaf {self.index} is in the log, counted")
        elif last > self.index:
            report.notes.append(
                f"receipt: the ballot in leaf {self.index} is in the log, replaced by the "
                f"revote in leaf {last}, which is counted"
            )
        else:
            report.fail(6, self.index, "receipt: the ballot is in the log but not counted")


def download_export(url: str, target: BinaryIO, *, timeout: float = 60.0) -> SignedTreeHead | None:
    """Spec §10.3 Stream ``GET {url}/export`` into ``target``; ``url`` names one election's log
    (``.../v1/elections/<id>``), or a board with exactly one election. Returns the largest tree
    head the board says its witnesses cosigned (§10.5), asked BEFORE the export (so a log that
    grows meanwhile is not taken for one cut short); None: none.

    Raises:
        UnreadableInput: the board cannot be reached or does not serve an export there.
    """
    base = url.rstrip("/")
    try:
        httpx.URL(base).port  # noqa: B018 (reading it validates it: '[::1' has no port)
    except (httpx.InvalidURL, ValueError):
        raise UnreadableInput(f"not a board URL: {url!r}") from None
    try:
        with httpx.Client(timeout=timeout) as client:
            if "/v1/elections/" not in base:
                listed = client.get(f"{base}/v1/elections")
                listed.raise_for_status()
                elections = _election_ids(listed.content)
                if len(elections) != 1:
                    raise UnreadableInput(
                        f"the board at {url} holds {len(elections)} elections: give "
                        f"{base}/v1/elections/<id>"
                    )
                base = f"{base}/v1/elections/{elections[0]}"
            cosigned = _cosigned_head(client, base)
            with client.stream("GET", f"{base}/export") as response:
                response.raise_for_status()
                for chunk in response.iter_bytes():
                    target.write(chunk)
    except httpx.HTTPError as exc:
        raise UnreadableInput(f"cannot download the export from {url}: {exc}") from None
    return cosigned


def _cosigned_head(client: httpx.Client, log_url: str) -> SignedTreeHead | None:
    """Spec §10.5 The largest tree head the board says its witnesses cosigned (signed by the
    board: evidence whatever the export says), or None when it has none or answers none that
    parses (the export's own cosignatures are checked by check 1 anyway)."""
    try:
        answer = client.get(f"{log_url}/cosignatures")
        if answer.status_code != 200:
            return None
        value = canonical.decode(answer.content, max_bytes=1 << 16)
        if not isinstance(value, dict):
            return None
        return SignedTreeHead.from_json(value.get("sth"))
    except (httpx.HTTPError, VerivoteError):
        return None


def _election_ids(data: bytes) -> list[str]:
    value = canonical.decode(data)
    items = value.get("elections") if isinstance(value, dict) else value
    if not isinstance(items, list):
        raise UnreadableInput("the board's election list does not parse")
    ids = []
    for item in items:
        ident = item.get("id") if isinstance(item, dict) else item
        if not isinstance(ident, str):
            raise UnreadableInput("the board's election list does not parse")
        ids.append(ident)
    return ids


@contextmanager
def _source_file(source: str) -> Iterator[tuple[Path, SignedTreeHead | None]]:
    if source.startswith(("http://", "https://")):
        with tempfile.TemporaryDirectory(prefix="verivote-verify-") as folder:
            path = Path(folder) / "export.jsonl"
            with path.open("wb") as target:
                cosigned = download_export(source, target)
            yield path, cosigned
    else:
        yield Path(source), None


def verify_source(
    source: str,
    *,
    jobs: int | None = None,
    receipt: bytes | None = None,
    since: bytes | None = None,
    progress: Progress | None = None,
    in_progress: bool = False,
    index_head: bytes | None = None,
) -> Report:
    """Spec §13 Verify an export file, or a board's log at a URL (downloaded first).

    Raises:
        UnreadableInput, OSError: the input cannot be read.
    """
    with _source_file(source) as (path, cosigned):
        return verify_export_file(
            path,
            jobs=jobs,
            receipt=receipt,
            since=since,
            progress=progress,
            in_progress=in_progress,
            cosigned=cosigned,
            index_head=index_head,
        )
