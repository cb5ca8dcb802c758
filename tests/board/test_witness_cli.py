"""Spec §10.5 `verivote witness` as a real process against real boards (uvicorn on 127.0.0.1):
it cosigns a consistent, newer head and keeps it; it refuses, in one line with exit status 1, a
board that rolled back and one that forked (a split view: another log under the same key), and
cosigns nothing then."""

from __future__ import annotations

import os
import subprocess
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from bulletin_board.client import BoardClient, BoardRefused
from election.role_keys import RoleKey
from simulation.boards import MemoryBoard
from simulation.served import SimulatedClock, served_copy
from tests.board.server import VERIVOTE
from tests.board.witnessed import KEYS, PLAN, witnessed_log
from tests.election.board_log import BOARD_KEY

E = PLAN.election
PASSPHRASE = "a witness passphrase"


def _witness(folder: Path, url: str, *more: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [VERIVOTE, "witness", "--board", url, "--key", "witness.key", "--passphrase-env",
         "VV_PASS", "--state", "state", *more],
        cwd=folder, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "VV_PASS": PASSPHRASE},
    )  # fmt: skip


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    sealed = RoleKey("witness", KEYS.witnesses[0]).seal(PASSPHRASE.encode(), strength="interactive")
    (tmp_path / "witness.key").write_bytes(sealed)
    return tmp_path


def _serve(stack: ExitStack, log: MemoryBoard, path: Path) -> str:
    return stack.enter_context(
        served_copy(log, f"sqlite:///{path}", BOARD_KEY, clock=SimulatedClock(0))
    )


def _refused(done: subprocess.CompletedProcess[str], text: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: "), done.stderr
    assert text in lines[0], lines[0]


def test_a_witness_cosigns_growth_and_refuses_rollback_and_fork(folder: Path) -> None:
    with ExitStack() as stack:
        short = _serve(stack, witnessed_log(), folder / "short.db")
        grown = _serve(stack, witnessed_log(grown=True), folder / "grown.db")
        forked = _serve(stack, witnessed_log(grown=True, order="nominated"), folder / "fork.db")

        done = _witness(folder, short, "--once")
        assert done.returncode == 0, done.stdout + done.stderr
        with BoardClient(short, E) as client:
            head, cosignatures = client.cosignatures()
            assert head == client.tree_head()
            assert [c.witness for c in cosignatures] == [KEYS.witnesses[0].verify_key.raw]
        assert done.stdout == f"{E}: cosigned tree head {head.tree_size} (root " \
            f"{head.root_hash.hex()[:16]})\n"  # fmt: skip
        again = _witness(folder, short, "--once", "--election", E)
        assert again.stdout.startswith(f"{E}: still at tree head {head.tree_size}")

        done = _witness(folder, grown, "--once")  # the same log, grown: consistent
        assert done.returncode == 0, done.stdout + done.stderr
        with BoardClient(grown, E) as client:
            assert client.cosignatures()[0] == client.tree_head()
            grown_size = client.tree_head().tree_size
        assert grown_size > head.tree_size

        state = (folder / "state" / f"{E}.json").read_bytes()
        _refused(_witness(folder, short, "--once"), "the board rolled back")
        _refused(_witness(folder, forked, "--once"), "the board forked")
        assert (folder / "state" / f"{E}.json").read_bytes() == state  # nothing cosigned
        assert (folder / "state" / f"{E}.refused.json").exists()  # the evidence
        with BoardClient(forked, E) as client:
            assert client.tree_head().tree_size == grown_size  # same size, another root
            with pytest.raises(BoardRefused) as info:
                client.cosignatures()
            assert info.value.code == "unknown_tree_size"


def test_a_witness_not_listed_cosigns_nothing(folder: Path, tmp_path: Path) -> None:
    sealed = RoleKey("witness", KEYS.trustees[0]).seal(PASSPHRASE.encode(), strength="interactive")
    (folder / "witness.key").write_bytes(sealed)
    with ExitStack() as stack:
        url = _serve(stack, witnessed_log(), tmp_path / "board.db")
        done = _witness(folder, url, "--once", "--election", E)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{E}: this key is not one of its witnesses\n"


def test_once_or_every(folder: Path) -> None:
    done = _witness(folder, "http://127.0.0.1:9", "--once", "--every", "5")
    assert done.returncode == 2
    assert done.stderr.strip() == "error: give --once or --every SECONDS"


def test_every_goes_on_round_after_round(folder: Path, tmp_path: Path) -> None:
    with ExitStack() as stack:
        url = _serve(stack, witnessed_log(), tmp_path / "board.db")
        process = subprocess.Popen(
            [VERIVOTE, "witness", "--board", url, "--passphrase-env", "VV_PASS", "--state",
             "state", "--every", "1"],
            cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "VV_PASS": PASSPHRASE},
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 120
            while not (folder / "state" / f"{E}.json").exists():
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "no round cosigned"
                time.sleep(0.2)  # polling the witness's state file
            time.sleep(2.5)  # two more rounds
        finally:
            process.terminate()
            out, err = process.communicate(timeout=60)
    lines = out.splitlines()
    assert lines[0].startswith(f"{E}: cosigned tree head 5"), out + err
    assert len(lines) >= 2, out + err
    assert all(line.startswith(f"{E}: still at tree head 5") for line in lines[1:]), out
