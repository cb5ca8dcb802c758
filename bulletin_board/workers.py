"""Spec §10 (informative §10.6) The processes of ``verivote board serve --workers N`` (N >= 2).

ONE writer process appends for every worker (bulletin_board/writer.py), and N HTTP workers
each listen on a socket of their own bound to the same address with ``SO_REUSEPORT``, so that
the kernel spreads the connections over them. (With one listening socket shared by the
workers, whichever wakes first accepts a whole burst of keep-alive connections and the others
stay idle: a board whose requests are CPU-bound proof checks then runs on one core.)

The supervisor (the ``board serve`` process) starts the writer, then the workers; a SIGTERM or
SIGINT stops the workers (each finishes its requests), then the writer (it commits and answers
what it was given). If a worker or the writer dies, the supervisor stops the others and exits
with an error: nothing acknowledged is lost (every answer follows the writer's commit), and
whoever runs the board restarts it.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
from dataclasses import replace
from multiprocessing.connection import wait
from pathlib import Path
from types import FrameType
from typing import Any, Final

from bulletin_board.config import ServeConfig
from bulletin_board.writer import start_writer, stop_writer

__all__ = ["serve_workers"]

_BACKLOG: Final = 2048
_GRACE_SECONDS: Final = 30


def serve_workers(
    config: ServeConfig, folder: Path, *, host: str, port: int, workers: int,
    options: dict[str, Any],
) -> bool:  # fmt: skip
    """Run the writer and ``workers`` HTTP workers until a signal, or until one of them dies
    (then False). ``folder`` is the serve's private folder (the writer's
    socket); ``options`` are uvicorn's.

    Raises:
        RuntimeError: the writer did not start.
        OSError: the address cannot be bound.
    """
    sockets = [_listen(host, port) for _ in range(workers)]  # all listening before any serves
    writer = start_writer(config, folder)
    config = replace(config, writer=folder / "writer.sock")
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(config, sock, options), name=f"board-worker-{i}")
        for i, sock in enumerate(sockets)
    ]
    stopping = died = False

    def stop(_signum: int = 0, _frame: FrameType | None = None) -> None:
        nonlocal stopping
        stopping = True
        for process in processes:
            if process.is_alive():
                process.terminate()

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for process in processes:
            process.start()
        while any(p.is_alive() for p in processes):
            wait([p.sentinel for p in processes], timeout=1.0)
            if not stopping and not all(p.is_alive() for p in [writer, *processes]):
                died = True
                stop()
        return not died
    finally:
        stop()
        for process in processes:
            process.join(_GRACE_SECONDS)
            if process.is_alive():
                process.kill()
                process.join()
        stop_writer(writer)
        for sock in sockets:
            sock.close()
        for s, handler in previous.items():
            signal.signal(s, handler)


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket for one worker, sharing the address with the others' (the kernel
    queues the connections it gives this socket until its worker accepts them).

    Raises:
        OSError: the address is taken (by another program) or cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(_BACKLOG)
    return sock


def _worker(config: ServeConfig, sock: socket.socket, options: dict[str, Any]) -> None:
    import uvicorn

    from bulletin_board.service import create_app_from_config

    server = uvicorn.Server(
        uvicorn.Config(create_app_from_config(config), backlog=_BACKLOG, **options)
    )
    server.run(sockets=[sock])
