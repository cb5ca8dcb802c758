"""Spec §10.6 The writer's protocol, in one process: a worker's client and the writer over a
real Unix socket, on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from bulletin_board.batching import Batcher
from bulletin_board.http_errors import ClientError
from bulletin_board.writer import _MAX_CONNECTIONS, WriterClient, _Writer, start_writer_server
from tests.board.helpers import note, open_board
from tests.jsondoc import json_object


def test_many_concurrent_appends_through_a_bounded_pool(db_url: str, tmp_path: Path) -> None:
    """More entries in flight than the client's connections: each is appended once, in one
    gapless log, answered with its receipt; a replay gets 200 and its first receipt; refusals
    come back with the writer's status and code; the client never opens more connections than
    its bound."""
    board = open_board(db_url)
    writer = _Writer(board, 2**20)
    writer.committer.start()
    path = tmp_path / "writer.sock"
    raws = [note(f"w{i}") for i in range(3 * _MAX_CONNECTIONS)]

    async def run() -> tuple[list[tuple[bytes, bool]], tuple[bytes, bool], list[ClientError]]:
        server = await start_writer_server(writer, path)
        client = WriterClient(path)
        try:
            answers = await asyncio.gather(
                *(client.append("e1", raw, prechecked=False) for raw in raws)
            )
            assert len(client._idle) <= _MAX_CONNECTIONS
            again = await client.append("e1", raws[0], prechecked=True)
            refused = []
            for election, raw in (
                ("e1", b'{"not": "an entry"}'),
                ("nope", note(1, election="nope")),
            ):
                with pytest.raises(ClientError) as info:
                    await client.append(election, raw, prechecked=False)
                refused.append(info.value)
            return answers, again, refused
        finally:
            client.close()
            server.close()

    try:
        answers, again, refused = asyncio.run(run())
    finally:
        writer.committer.stop()
        writer.prechecks.shutdown()
        board.storage.close()
    indices = sorted(_index(receipt) for receipt, _ in answers)
    assert indices == list(range(1, len(raws) + 1))
    assert all(new for _, new in answers)
    assert again[1] is False
    assert _index(again[0]) == _index(answers[0][0])
    assert [(e.status, e.code) for e in refused] == [
        (400, "non_canonical"),
        (404, "unknown_election"),
    ]


def _index(receipt: bytes) -> int:
    index = json_object(receipt)["leaf_index"]
    assert isinstance(index, int)
    return index


def test_a_caller_that_gave_up_does_not_stop_the_batching_thread() -> None:
    """A request whose future was cancelled (its HTTP request went away) is dropped; the thread
    goes on serving the others (setting a cancelled future's result would kill it)."""
    seen: list[list[int]] = []

    def handle(key: str, items: Sequence[int]) -> list[int]:
        seen.append(list(items))
        return [i * 2 for i in items]

    batcher: Batcher[int, int] = Batcher(handle, name="test-batcher", max_batch=10)
    gone = batcher.submit("k", 1)
    assert gone.cancel()
    kept = batcher.submit("k", 2)
    batcher.start()
    assert kept.result(timeout=30) == 4
    assert batcher.submit("k", 3).result(timeout=30) == 6
    batcher.stop()
    assert [1] not in seen
    assert seen[0] == [2]


def test_a_small_batch_waits_a_moment_for_more() -> None:
    """With ``gather=(count, seconds)`` a batch of fewer than ``count`` requests waits for the
    ones that arrive within ``seconds`` (ballots checked together, not one by one), and no
    longer: a lone request is served once the time is up."""
    seen: list[list[int]] = []

    def handle(key: str, items: Sequence[int]) -> list[int]:
        seen.append(list(items))
        return list(items)

    batcher: Batcher[int, int] = Batcher(handle, name="test-batcher", max_batch=10,
                                         gather=(3, 30.0))  # fmt: skip
    batcher.start()
    first = batcher.submit("k", 1)
    time.sleep(0.2)  # the thread is waiting for two more
    rest = [batcher.submit("k", 2), batcher.submit("k", 3)]
    assert [f.result(timeout=30) for f in (first, *rest)] == [1, 2, 3]
    assert seen == [[1, 2, 3]]
    batcher.stop()

    brief: Batcher[int, int] = Batcher(handle, name="test-batcher", max_batch=10,
                                       gather=(3, 0.05))  # fmt: skip
    brief.start()
    started = time.monotonic()
    assert brief.submit("k", 4).result(timeout=30) == 4
    assert time.monotonic() - started < 10
    assert seen[-1] == [4]
    lone = brief.submit("k", 5)
    brief.stop()  # a stop while gathering serves what was submitted
    assert lone.result(timeout=30) == 5
