"""One thread that serves requests in batches: those that arrive while a batch is served form
the next one (Spec §10.1: the board's group commit, and its batched prechecks).

``Batcher(handle)`` runs ``handle(key, items)`` on its thread for each key of a batch (in key
order), which returns one outcome per item, in order: a result, or the exception to raise to
that item's caller. An exception ``handle`` raises goes to every item it was given.

With ``gather=(count, seconds)``, a batch of fewer than ``count`` requests waits up to
``seconds`` for more before it is served (the prechecker: a ballot's proofs checked alone cost
some twice as much as in a batch, and requests that arrive a moment apart would otherwise be
checked alone, one by one, whenever the thread is idle).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["Batcher"]

ItemT = TypeVar("ItemT")
ResultT = TypeVar("ResultT")


@dataclass(frozen=True, slots=True)
class _Request(Generic[ItemT, ResultT]):
    key: str
    item: ItemT
    future: Future[ResultT]


class Batcher(Generic[ItemT, ResultT]):
    """A thread serving the requests queued while it served the previous batch, together."""

    def __init__(
        self,
        handle: Callable[[str, Sequence[ItemT]], Sequence[ResultT | Exception]],
        *,
        name: str,
        max_batch: int,
        gather: tuple[int, float] = (1, 0.0),
    ) -> None:
        self._handle = handle
        self.max_batch = max_batch
        self.gather = gather
        self._queue: queue.SimpleQueue[_Request[ItemT, ResultT] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Serve what is queued, then stop the thread."""
        self._queue.put(None)
        self._thread.join()

    def submit(self, key: str, item: ItemT) -> Future[ResultT]:
        future: Future[ResultT] = Future()
        self._queue.put(_Request(key, item, future))
        return future

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = self._take(batch)
            by_key: dict[str, list[_Request[ItemT, ResultT]]] = {}
            for request in batch:
                by_key.setdefault(request.key, []).append(request)
            for key in sorted(by_key):
                self._serve(key, by_key[key])
            if stop:
                return

    def _take(self, batch: list[_Request[ItemT, ResultT]]) -> bool:
        """Add the requests queued meanwhile to ``batch`` (up to ``max_batch``), waiting up to
        the gathering time while it holds fewer than the gathering count; whether a stop was
        asked."""
        count, seconds = self.gather
        deadline = time.monotonic() + seconds
        while len(batch) < self.max_batch:
            try:
                if len(batch) < count and (left := deadline - time.monotonic()) > 0:
                    item = self._queue.get(timeout=left)
                else:
                    item = self._queue.get_nowait()
            except queue.Empty:
                return False
            if item is None:
                return True
            batch.append(item)
        return False

    def _serve(self, key: str, requests: list[_Request[ItemT, ResultT]]) -> None:
        # A request whose caller gave up (its future cancelled) is dropped, the others marked
        # running: none can be cancelled from now on, so each gets its outcome.
        requests = [r for r in requests if r.future.set_running_or_notify_cancel()]
        if not requests:
            return
        try:
            outcomes = self._handle(key, [r.item for r in requests])
        except Exception as exc:
            for request in requests:
                request.future.set_exception(exc)
            return
        for request, outcome in zip(requests, outcomes, strict=True):
            if isinstance(outcome, Exception):
                request.future.set_exception(outcome)
            else:
                request.future.set_result(outcome)
