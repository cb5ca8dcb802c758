"""Real processes: crash safety under SIGKILL, two servers on one database, rollback detection.

Each test starts real ``verivote board serve`` processes (uvicorn) on 127.0.0.1 and free ports,
on a fresh SQLite file or PostgreSQL database, and talks to them over HTTP.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bulletin_board.export import verify_export
from bulletin_board.wire import Receipt, SignedTreeHead, sign_entry
from crypto import canonical
from crypto.merkle import verify_consistency
from crypto.signing import SigningKey
from tests.board.conftest import PG_URL, create_pg_database, drop_pg_database
from tests.board.helpers import RULES, note
from tests.board.server import VERIVOTE, BoardServer
from tests.jsondoc import json_object

pytestmark = pytest.mark.slow
E = "/v1/elections/e1"
JSON = {"content-type": "application/json"}


def _poster(
    url: str, raws: list[bytes], acked: dict[bytes, Receipt], stop: threading.Event
) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        for raw in raws:
            if stop.is_set():
                return
            try:
                r = client.post(f"{E}/entries", content=raw, headers=JSON)
            except httpx.HTTPError:
                return  # the server died: this entry is not acknowledged
            if r.status_code in (200, 201):
                acked[raw] = Receipt.from_json(canonical.decode(r.content), RULES.schemes)
            else:
                raise AssertionError(r.text)


def _check_log(url: str, acked: dict[bytes, Receipt]) -> SignedTreeHead:
    """Every acknowledged entry is at its index; the final tree head extends every receipt's
    tree head; no entry appears twice; every published tree head's root is right."""
    with httpx.Client(base_url=url, timeout=60) as client:
        export = client.get(f"{E}/export").content
        final = SignedTreeHead.from_json(client.get(f"{E}/sth").json())
        summary = verify_export(io.BytesIO(export), RULES.schemes)
        assert summary.final == final
        leaves = [
            json_object(line)["leaf"] for line in export.splitlines()
            if line.startswith(b'{"leaf"')
        ]  # fmt: skip
        entries = [canonical.encode(leaf["entry"]) for leaf in leaves]
        assert len(set(entries)) == len(entries), "an entry is duplicated"
        for raw, receipt in acked.items():
            assert entries[receipt.leaf.index] == raw
            old = receipt.sth
            proof = client.get(
                f"{E}/proof/consistency",
                params={"first": old.tree_size, "second": final.tree_size},
            ).json()["consistency_proof"]
            verify_consistency(
                old_size=old.tree_size, new_size=final.tree_size, old_root=old.root_hash,
                new_root=final.root_hash, proof=[bytes.fromhex(h) for h in proof],
            )  # fmt: skip
    return final


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "board.db")
        return
    if PG_URL is None:
        pytest.skip("VERIVOTE_TEST_DATABASE_URL not set")
    url = create_pg_database()
    try:
        yield url
    finally:
        drop_pg_database(url)


def test_crash_safety_under_sigkill(database: str, tmp_path: Path) -> None:
    key = tmp_path / "board.key"
    acked: dict[bytes, Receipt] = {}
    for round_ in range(5):  # one worker, then two forwarding to their writer, in turn
        server = BoardServer(database, key, workers=1 + round_ % 2)
        stop = threading.Event()
        batches = [[note(f"r{round_}-c{c}-{i}") for i in range(400)] for c in range(4)]
        threads = [
            threading.Thread(target=_poster, args=(server.url, raws, acked, stop))
            for raws in batches
        ]
        for t in threads:
            t.start()
        # Kill mid-burst: once this round has had some entries acknowledged.
        target = len(acked) + 25 + 10 * round_
        while len(acked) < target and any(t.is_alive() for t in threads):
            threading.Event().wait(0.005)
        server.kill()
        stop.set()
        for t in threads:
            t.join()
        assert any(raw for raw in batches[0][-1:] if raw not in acked), "the burst had ended"
    with BoardServer(database, key, workers=1) as server:
        final = _check_log(server.url, acked)
        assert final.tree_size >= len(acked) + 1
        # An entry whose acknowledgement was lost can be resent: idempotent, never doubled.
        raw = next(r for r in batches[0] if r not in acked)
        r = httpx.post(f"{server.url}{E}/entries", content=raw, headers=JSON, timeout=30)
        assert r.status_code in (200, 201)
        _check_log(server.url, acked)


def test_two_servers_on_one_database(database: str, tmp_path: Path) -> None:
    key = tmp_path / "board.key"
    acked: dict[bytes, Receipt] = {}
    with BoardServer(database, key, workers=1) as one, BoardServer(database, key, workers=2) as two:
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=_poster,
                args=(server.url, [note(f"s{s}-c{c}-{i}") for i in range(60)], acked, stop),
            )
            for s, server in enumerate((one, two))
            for c in range(3)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(acked) == 360
        final = _check_log(one.url, acked)
        assert final.tree_size == 361
        indices = sorted(r.leaf.index for r in acked.values())
        assert indices == list(range(1, 361)), "indices are not gapless"
        assert SignedTreeHead.from_json(httpx.get(f"{two.url}{E}/sth").json()) == final


def test_two_workers_append_through_one_writer(database: str, tmp_path: Path) -> None:
    """Spec §10.6 With two workers, one writer process appends: concurrent entries get gapless
    indices and receipts that extend to the final head; a refusal of the stateful rules (made by
    the writer) and one of the stateless checks (by a worker) each come with their code; a
    replay gets its first receipt."""
    key = tmp_path / "board.key"
    acked: dict[bytes, Receipt] = {}
    with BoardServer(database, key, workers=2) as server:
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=_poster,
                args=(server.url, [note(f"w-c{c}-{i}") for i in range(50)], acked, stop),
            )
            for c in range(4)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(r.leaf.index for r in acked.values()) == list(range(1, 201))
        _check_log(server.url, acked)
        other = SigningKey(bytes(32))
        board_key = sign_entry(election="e1", type="board-key", role="board",
                               payload={"key": other.verify_key.raw.hex(), "rehearsal": False},
                               key=other)  # fmt: skip
        with httpx.Client(base_url=server.url, timeout=30) as client:
            refused = client.post(f"{E}/entries", content=board_key, headers=JSON)
            assert refused.status_code == 409, refused.text
            assert refused.json()["error"]["code"] == "board_key_only_first"
            forged = json_object(note("forged"))
            forged["signature"] = "00" * 64
            bad = client.post(f"{E}/entries", content=canonical.encode(forged), headers=JSON)
            assert bad.status_code == 400, bad.text
            assert bad.json()["error"]["code"] == "bad_signature"
            raw, first = next(iter(acked.items()))
            again = client.post(f"{E}/entries", content=raw, headers=JSON)
            assert again.status_code == 200, again.text
            assert json_object(again.content)["leaf_index"] == first.leaf.index
            assert client.get(f"{E}/sth").json()["tree_size"] == 201


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VERIVOTE, *args], capture_output=True, text=True, timeout=120)


def _post_notes(url: str, tag: str, count: int) -> None:
    with httpx.Client(base_url=url, timeout=30) as client:
        for i in range(count):
            r = client.post(f"{E}/entries", content=note(f"{tag}-{i}"), headers=JSON)
            assert r.status_code == 201, r.text


@pytest.mark.parametrize("extra_after_restore", [2, 12])
def test_rollback_is_detected_by_the_monitor(
    database: str, tmp_path: Path, extra_after_restore: int
) -> None:
    key = tmp_path / "board.key"
    sth_file = tmp_path / "kept.sth"
    with BoardServer(database, key) as server:
        _post_notes(server.url, "a", 5)
    backup = _backup(database, tmp_path)
    with BoardServer(database, key) as server:
        _post_notes(server.url, "b", 5)
        kept = _run("board", "sth", "--url", server.url, "--election", "e1", "--out",
                    str(sth_file))  # fmt: skip
        assert kept.returncode == 0, kept.stderr
        ok = _run("board", "check-consistency", "--url", server.url, "--old", str(sth_file))
        assert ok.returncode == 0, ok.stderr
        assert "consistent" in ok.stdout
    restored = _restore(database, backup)
    try:
        with BoardServer(restored, key) as server:
            assert httpx.get(f"{server.url}{E}/sth").json()["tree_size"] == 6  # the old copy
            _post_notes(server.url, "c", extra_after_restore)  # different entries
            result = _run("board", "check-consistency", "--url", server.url, "--old", str(sth_file))
    finally:
        if restored != database and not restored.endswith(".db"):
            drop_pg_database(restored)
    assert result.returncode != 0
    assert "BOARD HISTORY REWRITTEN" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def _backup(database: str, tmp_path: Path) -> str:
    if not database.startswith("postgresql"):
        copy = tmp_path / "backup.db"
        # The server is stopped: the file and its write-ahead log are a consistent snapshot.
        for suffix in ("", "-wal"):
            if Path(database + suffix).exists():
                shutil.copyfile(database + suffix, str(copy) + suffix)
        return str(copy)
    import sqlalchemy as sa

    from tests.board.conftest import _admin_engine

    copy_url = create_pg_database()
    copy_name = sa.engine.make_url(copy_url).database
    name = sa.engine.make_url(database).database
    engine = _admin_engine()
    with engine.connect() as c:
        c.exec_driver_sql(f'DROP DATABASE "{copy_name}"')
        c.exec_driver_sql(f'CREATE DATABASE "{copy_name}" TEMPLATE "{name}"')
    engine.dispose()
    return copy_url


def _restore(database: str, backup: str) -> str:
    if not database.startswith("postgresql"):
        for suffix in ("-wal", "-shm"):
            Path(database + suffix).unlink(missing_ok=True)
        for suffix in ("", "-wal"):
            if Path(backup + suffix).exists():
                shutil.copyfile(backup + suffix, database + suffix)
        return database
    return backup  # serve the old copy in place of the live database
