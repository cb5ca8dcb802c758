"""Spec §10.1 (informative §10.6) One writer for the workers of a ``board serve``.

With several HTTP workers, each would append under the election's database lock, first folding
the leaves the others appended (parsing every one of their ballots again) and re-checking the
log, while the others wait for the lock. Instead ``board serve --workers N`` (N >= 2) starts
ONE writer process, which owns the appends: the workers run the stateless checks (parse,
signature, every proof, batched across requests, bulletin_board/committer.py) and forward each
entry's exact bytes to the writer over a Unix socket private to the serve; the writer parses
it again without verifying its signature or proofs (``Board.reparse``), runs the board's
invariants and the stateful rules on the state it alone folds, appends it in its group commit
and answers once the batch is durably committed. An entry is forwarded as ``prechecked`` only
when the worker checked it on final parameters (Spec §10.1, ``Board.prechecks_final``); the
writer prechecks any other in full itself, as it does when its own parameters are not final.

The writer is a performance device, not a trust boundary: the socket lives in the serve's
private temporary folder (mode 0700), and the database's append lock still orders every write,
so a second server on the same database, or the CLI, stays correct (the writer folds their
leaves as any board does). Nothing is acknowledged before the writer's commit: a worker that
loses its writer answers 503 and the entry is not acknowledged.

Frames are a 4-byte big-endian length and a body. A request's body is the election id's
length (1 byte), the election id, a flags byte (1: prechecked on final parameters) and the
entry's bytes; an answer's is the HTTP status (2 bytes) and either the receipt's bytes (200,
201) or the error's canonical JSON ``{"code": ..., "message": ...}``.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import struct
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from functools import partial
from multiprocessing.context import SpawnProcess
from pathlib import Path
from typing import Final

from bulletin_board.batching import Batcher
from bulletin_board.committer import DEFAULT_MAX_BATCH
from bulletin_board.config import ServeConfig
from bulletin_board.http_errors import ClientError, answer
from bulletin_board.keyfile import load_board_key
from bulletin_board.log import Appended, Board, now_ms
from bulletin_board.rule_sets import named_rules
from bulletin_board.storage import Storage
from bulletin_board.wire import Entry, check_election_id
from crypto import canonical
from crypto.errors import VerivoteError

__all__ = ["WriterClient", "run_writer", "start_writer", "start_writer_server", "stop_writer"]

_LENGTH: Final = struct.Struct(">I")
_STATUS: Final = struct.Struct(">H")
_PRECHECKED: Final = 1
# Connections a worker opens to the writer, one request in flight on each (more requests wait
# for one: the writer's file descriptors are bounded, and it commits them in batches anyway).
_MAX_CONNECTIONS: Final = 128
_BACKLOG: Final = 4096


async def _read_frame(reader: asyncio.StreamReader) -> bytes:
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    return await reader.readexactly(length)


def _frame(body: bytes) -> bytes:
    return _LENGTH.pack(len(body)) + body


# --- the writer process --------------------------------------------------------------------


class _Writer:
    """The writer's side: one board, one group commit (which also parses the prechecked
    entries again, on its one thread: parsing points releases the GIL at every call, which two
    busy threads would hand back and forth), threads for full prechecks."""

    def __init__(self, board: Board, max_bytes: int) -> None:
        self.board = board
        self.max_bytes = max_bytes
        self.committer: Batcher[bytes | Entry, Appended] = Batcher(
            self._append, name="board-writer", max_batch=DEFAULT_MAX_BATCH
        )
        self.prechecks = ThreadPoolExecutor(max_workers=2, thread_name_prefix="writer-precheck")

    def _append(self, election: str, items: Sequence[bytes | Entry]) -> list[Appended | Exception]:
        """Parse the prechecked entries' bytes again, then append them all in one commit."""
        outcomes: list[Appended | Exception | None] = [None] * len(items)
        entries, positions = [], []
        for i, item in enumerate(items):
            try:
                entry = item if isinstance(item, Entry) else self._reparse(election, item)
            except VerivoteError as exc:
                outcomes[i] = exc
                continue
            entries.append(entry)
            positions.append(i)
        for i, outcome in zip(positions, self.board.append(election, entries), strict=True):
            outcomes[i] = outcome
        return [o for o in outcomes if o is not None]

    def _reparse(self, election: str, raw: bytes) -> Entry:
        entry = self.board.reparse(raw, election=election, max_bytes=self.max_bytes)
        if entry is None:  # the view was thrown away meanwhile (a failed commit): in full
            entry = self.board.precheck(raw, election=election, max_bytes=self.max_bytes)
        return entry

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_frame(reader)
                writer.write(_frame(await self._answer(request)))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _answer(self, request: bytes) -> bytes:
        size = request[0]
        election = request[1 : 1 + size].decode("ascii", "replace")
        prechecked = bool(request[1 + size] & _PRECHECKED)
        raw = request[2 + size :]
        try:
            check_election_id(election)
            item: bytes | Entry = raw
            if not (prechecked and self.board.prechecks_final(election)):
                check = partial(self.board.precheck, raw, election=election,
                                max_bytes=self.max_bytes)  # fmt: skip
                item = await asyncio.get_running_loop().run_in_executor(self.prechecks, check)
            appended = await asyncio.wrap_future(self.committer.submit(election, item))
        except Exception as exc:
            status, code, message = answer(exc)
            return _STATUS.pack(status) + canonical.encode({"code": code, "message": message})
        return _STATUS.pack(201 if appended.new else 200) + appended.receipt.to_bytes()


async def _run(config: ServeConfig, path: Path) -> None:
    storage = Storage.open(config.db, migrate=False)
    board = Board(storage, load_board_key(config.key_path), named_rules(config.rules),
                  clock=config.clock or now_ms, rehearsal=config.rehearsal)  # fmt: skip
    board.check_mode()
    board.check_storage()
    max_bytes = max(config.settings.max_body_bytes, config.settings.max_large_body_bytes)
    writer = _Writer(board, max_bytes)
    writer.committer.start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    parent = os.getppid()
    server = await start_writer_server(writer, path)
    try:
        while not stop.is_set() and os.getppid() == parent:  # the serve died: stop too
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)
    finally:
        server.close()
        writer.committer.stop()  # what was submitted is committed and answered first
        writer.prechecks.shutdown()
        storage.close()


async def start_writer_server(writer: _Writer, path: Path) -> asyncio.Server:
    """The writer's Unix socket server (its backlog holds every worker's connections, opened
    at once in a burst)."""
    return await asyncio.start_unix_server(
        writer.serve, path=str(path), limit=2**20, backlog=_BACKLOG
    )


def run_writer(config: ServeConfig, path: Path) -> None:
    """The writer process's main: serve appends on the Unix socket ``path`` until SIGTERM or
    until the process that started it dies. An error that stops it is one line on standard
    error, and exit code 1."""
    try:
        asyncio.run(_run(config, path))
    except Exception as exc:
        line = " ".join(str(exc).split())[:500] or type(exc).__name__
        print(f"the board's writer stopped: {line}", file=sys.stderr, flush=True)
        sys.exit(1)


def start_writer(config: ServeConfig, folder: Path) -> SpawnProcess:
    """Start the writer process, its socket in ``folder`` (the serve's private folder); return
    once it accepts connections (it checks every stored log first, Spec §10.2: on a large
    database, minutes).

    Raises:
        RuntimeError: the writer exited before it accepted connections (it said why, in one
            line on its standard error).
    """
    path = folder / "writer.sock"
    process = multiprocessing.get_context("spawn").Process(
        target=run_writer, args=(config, path), name="board-writer", daemon=True
    )
    process.start()
    while not path.exists():
        if not process.is_alive():
            raise RuntimeError(f"the board's writer did not start (exit code {process.exitcode})")
        time.sleep(0.05)  # polling for the socket, not synchronising on time
    return process


def stop_writer(process: SpawnProcess, timeout: float = 60.0) -> None:
    """Stop the writer: it commits and answers what it was given, then exits."""
    if process.is_alive():
        process.terminate()  # SIGTERM
        process.join(timeout)
    if process.is_alive():
        process.kill()
        process.join()


# --- a worker's side -----------------------------------------------------------------------


class WriterClient:
    """A worker's connections to the writer (one request in flight on each)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(_MAX_CONNECTIONS)

    async def append(self, election: str, raw: bytes, *, prechecked: bool) -> tuple[bytes, bool]:
        """Have the writer append an entry; its receipt's bytes and whether it is new, once
        durably committed.

        Raises:
            ClientError: the writer refused it (the status, code and message it answered), or
                the writer is unreachable (503 ``writer_unavailable``).
        """
        name = election.encode("ascii")
        request = bytes([len(name)]) + name + bytes([_PRECHECKED if prechecked else 0]) + raw
        async with self._slots:
            body = await self._exchange(request)
        (status,) = _STATUS.unpack(body[: _STATUS.size])
        rest = body[_STATUS.size :]
        if status in (200, 201):
            return rest, status == 201
        error = canonical.decode(rest)
        assert isinstance(error, dict)
        raise ClientError(status, str(error["code"]), str(error["message"]))

    async def _exchange(self, request: bytes) -> bytes:
        """One request and its answer, on an idle connection or a new one."""
        try:
            reader, writer = (
                self._idle.pop() if self._idle
                else await asyncio.open_unix_connection(str(self.path), limit=2**20)
            )  # fmt: skip
        except OSError as exc:
            raise _unavailable(exc) from None
        try:
            writer.write(_frame(request))
            await writer.drain()
            body = await _read_frame(reader)
        except (OSError, asyncio.IncompleteReadError) as exc:
            writer.close()
            raise _unavailable(exc) from None
        except BaseException:  # cancelled mid-request: the connection's state is unknown
            writer.close()
            raise
        self._idle.append((reader, writer))
        return body

    def close(self) -> None:
        for _reader, writer in self._idle:
            writer.close()
        self._idle.clear()


def _unavailable(exc: BaseException) -> ClientError:
    return ClientError(
        503, "writer_unavailable", f"the board's writer is unavailable ({exc}): retry shortly"
    )
