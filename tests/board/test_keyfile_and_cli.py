"""The board key file (mode 0600, refused when readable by others) and the offline CLI
commands: new-election, export, verify-export, with one-line errors."""

from __future__ import annotations

import os
import stat
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bulletin_board.keyfile import load_board_key, load_or_create_board_key
from crypto.errors import MalformedInput
from tests.board.helpers import note, open_board, prechecked
from tests.board.server import VERIVOTE


def test_key_file_is_created_0600_and_reloaded(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "board.key"
    key, created = load_or_create_board_key(path)
    assert created
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again, created_again = load_or_create_board_key(path)
    assert not created_again
    assert again.verify_key == key.verify_key
    assert key.seed.hex() not in repr(key)


def test_concurrent_creation_yields_one_key(tmp_path: Path) -> None:
    path = tmp_path / "board.key"
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: load_or_create_board_key(path)[0], range(8)))
    assert len({k.verify_key for k in keys}) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["board.key"]


def test_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "board.key"
    load_or_create_board_key(path)
    os.chmod(path, 0o644)
    with pytest.raises(MalformedInput, match="chmod 600"):
        load_board_key(path)


def test_malformed_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "board.key"
    path.write_text("not a key\n")
    os.chmod(path, 0o600)
    with pytest.raises(MalformedInput, match="is not a verivote board key file"):
        load_board_key(path)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VERIVOTE, "board", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)  # fmt: skip


def test_cli_new_election_export_and_verify(tmp_path: Path) -> None:
    db = str(tmp_path / "board.db")
    created = _cli("new-election", "--db", db, "--election", "e1", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert (tmp_path / "board.key").exists()
    again = _cli("new-election", "--db", db, "--election", "e1", cwd=tmp_path)
    assert again.returncode != 0
    assert again.stderr.startswith("error: ")
    assert len(again.stderr.strip().splitlines()) == 1
    from bulletin_board.keyfile import load_board_key
    from bulletin_board.log import Board
    from bulletin_board.rules import generic_rules
    from bulletin_board.storage import Storage

    board = Board(Storage.open(db), load_board_key(tmp_path / "board.key"), generic_rules())
    board.append("e1", [prechecked(note(i)) for i in range(5)])
    board.storage.close()
    out = tmp_path / "e1.board"
    exported = _cli("export", "--db", db, "--out", str(out), cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    verified = _cli("verify-export", str(out), cwd=tmp_path)
    assert verified.returncode == 0, verified.stderr
    assert "6 leaves" in verified.stdout
    out.write_bytes(out.read_bytes().replace(b'"n":3', b'"n":4'))
    tampered = _cli("verify-export", str(out), cwd=tmp_path)
    assert tampered.returncode != 0
    assert "Traceback" not in tampered.stderr
    assert len(tampered.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    "args",
    [
        ("export", "--db", "mysql://x/y", "--out", "x"),
        ("new-election", "--db", "board.db", "--election", "Bad Id"),
        ("sth", "--url", "http://127.0.0.1:9", "--election", "e1"),
        ("verify-export", "missing.board"),
    ],
)
def test_cli_errors_are_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = _cli(*args, cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_unmigrated_database_is_refused_by_export(tmp_path: Path) -> None:
    open_board(f"sqlite:///{tmp_path / 'ok.db'}").storage.close()
    result = _cli("export", "--db", str(tmp_path / "empty.db"), "--out", "x", cwd=tmp_path)
    assert result.returncode != 0
    assert "schema" in result.stderr
