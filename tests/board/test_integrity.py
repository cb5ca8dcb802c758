"""Issue 16 item 2, Spec §10.2: the board checks its own stored state.

A database role with only SELECT and INSERT (what the append-only triggers allow) could make the
board serve an old tree head: a junk leaf, its node, and a tree-head row whose columns say
"latest" and whose signed bytes are an old genuine head. On SQLite one INSERT sufficed (tables
not STRICT: a BLOB size sorts above every integer). Each attack is reproduced here on SQLite and
PostgreSQL (there by a role the test creates with only SELECT and INSERT); afterwards the board
refuses the log with LogCorrupted (HTTP 503 ``log_corrupted``), never serves the old head, and
logs one line naming the table, the size and what differs.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner

from bulletin_board.config import ServiceSettings
from bulletin_board.errors import LogCorrupted
from bulletin_board.integrity import check_log
from bulletin_board.log import Board
from bulletin_board.service import create_board_app
from bulletin_board.storage import Storage, normalise_url
from bulletin_board.wire import SignedTreeHead, sign_tree_head
from cli.main import verivote
from crypto.merkle import Frontier, leaf_hash
from crypto.signing import SigningKey
from simulation.served import serve_in_thread
from tests.board.helpers import BOARD_KEY, RULES, note, open_board, prechecked
from tests.board.server import BoardServer

E = "/v1/elections/e1"
JSON = {"content-type": "application/json"}
OTHER_KEY = SigningKey(bytes(range(9, 41)))


@dataclass
class Attacker:
    """Raw SQL on the board's database: on PostgreSQL as a role with only SELECT and INSERT."""

    engine: sa.Engine

    def run(self, statement: str, **params: object) -> None:
        with self.engine.begin() as c:
            c.execute(sa.text(statement), params)

    def one(self, statement: str, **params: object) -> tuple[Any, ...]:
        with self.engine.connect() as c:
            return tuple(c.execute(sa.text(statement), params).one())


@pytest.fixture
def attacker(db_url: str) -> Iterator[Attacker]:
    open_board(db_url).storage.close()  # migrated, e1 created
    if db_url.startswith("sqlite"):
        engine = sa.create_engine(normalise_url(db_url))
        yield Attacker(engine)
        engine.dispose()
        return
    role, password = f"verivote_t_{secrets.token_hex(6)}", secrets.token_hex(16)
    owner = sa.create_engine(normalise_url(db_url), isolation_level="AUTOCOMMIT")
    with owner.connect() as c:
        c.exec_driver_sql(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        c.exec_driver_sql(f"GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {role}")
    url = sa.engine.make_url(normalise_url(db_url)).set(username=role, password=password)
    engine = sa.create_engine(url)
    try:
        # The role really is limited to SELECT and INSERT, under the append-only triggers.
        for statement, refusal in [
            ("ALTER TABLE tree_heads DISABLE TRIGGER ALL", "must be owner"),
            ("UPDATE tree_heads SET timestamp = 0", "permission denied"),
            ("DELETE FROM leaves", "permission denied"),
        ]:
            with pytest.raises(sa.exc.ProgrammingError, match=refusal):
                Attacker(engine).run(statement)
        yield Attacker(engine)
    finally:
        engine.dispose()
        with owner.connect() as c:
            c.exec_driver_sql(f"DROP OWNED BY {role}")
            c.exec_driver_sql(f"DROP ROLE {role}")
        owner.dispose()


def _junk_leaf(index: int, received: int) -> dict[str, object]:
    entry = b'{"junk":%d}' % index
    raw = b'{"entry":%s,"index":%d,"received":%d,"version":1}' % (entry, index, received)
    return {
        "e": "e1", "i": index, "h": leaf_hash(raw), "eh": hashlib.sha256(entry).digest(),
        "r": received, "raw": raw,
    }  # fmt: skip


_INSERT_LEAF = (
    "INSERT INTO leaves (election_id, leaf_index, leaf_hash, entry_hash, received, leaf) "
    "VALUES (:e, :i, :h, :eh, :r, :raw)"
)
_INSERT_NODE = (
    "INSERT INTO nodes (election_id, level, node_index, hash) VALUES (:e, :level, :i, :h)"
)
_INSERT_HEAD = (
    "INSERT INTO tree_heads (election_id, tree_size, timestamp, root_hash, sth) "
    "VALUES (:e, :size, :t, :root, :sth)"
)


def _grow(board: Board, batches: int = 3) -> list[bytes]:
    """Append a few batches; the stored bytes of every tree head, oldest first."""
    for b in range(batches):
        board.append("e1", [prechecked(note(f"{b}-{i}")) for i in range(b + 1)])
    size = board.latest_tree_head("e1").tree_size
    return [h.raw for h in board.storage.tree_heads("e1", up_to=size)]


def _rollback_by_inserts(attacker: Attacker, old: bytes) -> int:
    """The issue's attack: a junk leaf, its node, and a tree-head row over it whose signed
    bytes are ``old``; its size."""
    size, latest = attacker.one(
        "SELECT MAX(tree_size), MAX(timestamp) FROM tree_heads WHERE election_id = 'e1'"
    )
    leaf = _junk_leaf(size, latest)
    attacker.run(_INSERT_LEAF, **leaf)
    attacker.run(_INSERT_NODE, level=0, **leaf)
    stated = SignedTreeHead.from_bytes(old)
    attacker.run(_INSERT_HEAD, e="e1", size=size + 1, t=latest, root=stated.root_hash, sth=old)
    return int(size) + 1


# --- the attacks, on the board's API --------------------------------------------------------


@pytest.mark.parametrize("which", ["oldest-head", "current-head"])
def test_an_old_head_stored_as_the_latest_is_refused(
    db_url: str, attacker: Attacker, which: str, caplog: pytest.LogCaptureFixture
) -> None:
    board = open_board(db_url)
    heads = _grow(board)
    old = heads[0] if which == "oldest-head" else heads[-1]
    size = _rollback_by_inserts(attacker, old)
    reason = rf"tree_heads row of size {size} of 'e1': its columns disagree with its signed bytes"
    with caplog.at_level(logging.ERROR, "verivote.board"):
        with pytest.raises(LogCorrupted, match=reason):
            board.latest_tree_head("e1")
        with pytest.raises(LogCorrupted, match=reason):  # quarantined: same line, not re-read
            board.append("e1", [prechecked(note("after"))])
        with pytest.raises(LogCorrupted, match=reason):
            board.tree_head("e1", size)
    assert len(caplog.records) == 1
    assert "log_corrupted: tree_heads row of size" in caplog.records[0].getMessage()
    # A fresh board process refuses it on start and on its first write.
    fresh = Board(Storage.open(db_url), BOARD_KEY, RULES)
    assert list(fresh.check_storage()) == ["e1"]
    with pytest.raises(LogCorrupted, match=reason):
        fresh.append("e1", [prechecked(note("after"))])
    writer = Board(Storage.open(db_url), BOARD_KEY, RULES)
    with pytest.raises(LogCorrupted, match=reason):
        writer.append("e1", [prechecked(note("after"))])  # the write's own check


def test_a_junk_leaf_alone_is_refused(db_url: str, attacker: Attacker) -> None:
    board = open_board(db_url)
    _grow(board)
    size, latest = attacker.one("SELECT MAX(tree_size), MAX(timestamp) FROM tree_heads")
    attacker.run(_INSERT_LEAF, **_junk_leaf(size, latest))
    reason = rf"leaves of 'e1': {size + 1} stored, the latest tree head covers {size}"
    with pytest.raises(LogCorrupted, match=reason):
        board.append("e1", [prechecked(note("after"))])
    with pytest.raises(LogCorrupted, match=reason):
        board.latest_tree_head("e1")


def test_one_insert_with_a_blob_size_is_refused_by_the_database(
    db_url: str, attacker: Attacker
) -> None:
    """SQLite sorted a BLOB tree_size above every integer; STRICT tables (v0002) refuse it, as
    PostgreSQL's typed columns do."""
    board = open_board(db_url)
    heads = _grow(board)
    genuine = board.latest_tree_head("e1")
    blob = "CAST('99' AS BLOB)" if db_url.startswith("sqlite") else "'\\x3939'::bytea"
    with pytest.raises(sa.exc.DBAPIError, match=r"BLOB|bytea"):
        attacker.run(
            "INSERT INTO tree_heads (election_id, tree_size, timestamp, root_hash, sth) "
            f"VALUES ('e1', {blob}, 9007199254740991, :root, :sth)",
            root=genuine.root_hash,
            sth=heads[0],
        )
    assert board.latest_tree_head("e1") == genuine
    assert board.check_storage() == {}
    board.append("e1", [prechecked(note("after"))])


def _v0001_board(url: str) -> tuple[Storage, Board, list[bytes]]:
    """A board on a database at schema v0001 (before typed tables), with a few batches."""
    storage = Storage(url)
    config = storage._alembic_config()
    with storage._write.begin() as c:
        config.attributes["connection"] = c
        command.upgrade(config, "v0001")
    board = Board(storage, BOARD_KEY, RULES)
    board.create_election("e1")
    return storage, board, _grow(board)


_TABLES_SQL = "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name"


def test_an_attacked_unstrict_sqlite_database_is_not_migrated(tmp_path: Path) -> None:
    """A v0001 database after the one-INSERT attack: the migration to typed tables refuses it,
    naming the table and column, and leaves it as it was."""
    url = f"sqlite:///{tmp_path / 'v1.db'}"
    storage, board, heads = _v0001_board(url)
    genuine = board.latest_tree_head("e1")
    attacker = Attacker(sa.create_engine(url))
    attacker.run(
        "INSERT INTO tree_heads (election_id, tree_size, timestamp, root_hash, sth) "
        "VALUES ('e1', CAST('7' AS BLOB), :t, :root, :sth)",
        t=genuine.timestamp, root=genuine.root_hash, sth=heads[0],
    )  # fmt: skip
    latest = "SELECT sth FROM tree_heads ORDER BY tree_size DESC LIMIT 1"
    assert attacker.one(latest)[0] == heads[0]  # the old head is "latest" on v0001
    with attacker.engine.connect() as c:
        before = c.exec_driver_sql(_TABLES_SQL).all()
    with pytest.raises(LogCorrupted, match=r"tree_heads: a row's tree_size is not of type INTEGER"):
        storage.migrate()
    with attacker.engine.connect() as c:
        assert c.exec_driver_sql(_TABLES_SQL).all() == before
    with pytest.raises(LogCorrupted, match="schema is at v0001"):
        Storage.open(url, migrate=False)


def test_a_clean_v0001_database_migrates(db_url: str) -> None:
    storage, _, heads = _v0001_board(db_url)
    storage.migrate()
    with storage._read.connect() as c:
        if storage.dialect == "sqlite":
            tables = {row[0]: row[1] for row in c.exec_driver_sql(_TABLES_SQL)}
            names = ("elections", "leaves", "nodes", "tree_heads")
            assert all(tables[t].endswith("STRICT") for t in names)
            triggers = (
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN "
                "('elections', 'leaves', 'nodes', 'tree_heads')"
            )
            assert c.exec_driver_sql(triggers).scalar() == 12  # v0001's, re-created by v0002
        # A leaf at the next index passes the v0001 guard, not the hash's length.
        short = _junk_leaf(storage.size("e1"), 0)
        short["h"] = bytes(31)
        with pytest.raises(sa.exc.DBAPIError, match=r"CHECK|check constraint"):
            c.execute(sa.text(_INSERT_LEAF), short)
    fresh = Board(Storage.open(db_url), BOARD_KEY, RULES)
    assert fresh.check_storage() == {}
    assert [h.raw for h in fresh.storage.tree_heads("e1", up_to=99)] == heads
    fresh.append("e1", [prechecked(note("after"))])
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), fresh.storage._write.begin() as c:
        c.exec_driver_sql("DELETE FROM tree_heads")


# --- each check names its reason (check_log on start) --------------------------------------


def _sign(size: int, root: bytes, timestamp: int, *, key: SigningKey = BOARD_KEY,
          election: str = "e1") -> bytes:  # fmt: skip
    head = sign_tree_head(
        election=election,
        tree_size=size,
        root_hash=root,
        timestamp=timestamp,
        rehearsal=False,
        key=key,
    )
    return head.to_bytes()


def _frontier(board: Board) -> Frontier:
    size = board.storage.size("e1")
    return Frontier.from_reader(size, lambda w: board.storage.read_nodes("e1", w))


def _mutate(board: Board, attacker: Attacker, mutation: str) -> None:
    """Rows the board did not write, each breaking one check."""
    size, t = attacker.one("SELECT MAX(tree_size), MAX(timestamp) FROM tree_heads")
    before = _frontier(board)
    leaf = _junk_leaf(size, t)
    if mutation == "leaf-hash-column":
        leaf["h"] = bytes(32)
    if mutation == "received-column":
        leaf["r"] = t + 1
    if mutation == "entry-hash-column":
        leaf["eh"] = bytes(32)
    attacker.run(_INSERT_LEAF, **leaf)
    frontier, created = before.append(leaf["h"])  # type: ignore[arg-type]
    for level, index, h in created:
        if mutation == "node-hash" and level == 0:
            h = bytes(32)
        attacker.run(_INSERT_NODE, e="e1", level=level, i=index, h=h)
    good_root = frontier.root()
    head = {"e": "e1", "size": size + 1, "t": t, "root": good_root}
    sth = _sign(size + 1, good_root, t)
    if mutation == "another-board-key":
        sth = _sign(size + 1, good_root, t, key=OTHER_KEY)
    if mutation == "another-election":
        sth = _sign(size + 1, good_root, t, election="e2")
    if mutation == "bad-signature":
        sth = replace(SignedTreeHead.from_bytes(sth), signature=bytes(64)).to_bytes()
    if mutation == "wrong-root":
        sth = _sign(size + 1, bytes(32), t)
        head["root"] = bytes(32)
    if mutation == "timestamp-column":
        head["t"] = t + 5
    attacker.run(_INSERT_HEAD, sth=sth, **head)


MUTATIONS = {
    "leaf-hash-column": r"leaves row \d+ of 'e1': leaf_hash column is not the hash of its bytes",
    "received-column": r"leaves row \d+ of 'e1': its bytes hold index \d+ and received \d+",
    "entry-hash-column": r"leaves row \d+ of 'e1': entry_hash column is not the hash",
    "node-hash": r"nodes row \(level 0, index \d+\) of 'e1': stored hash 0000",
    "another-board-key": r"tree_heads row of size \d+ of 'e1': signed by key .*not this board's",
    "another-election": r"tree_heads row of size \d+ of 'e1': its signed bytes are for .*'e2'",
    "bad-signature": r"tree_heads row of size \d+ of 'e1': its signed bytes do not verify",
    "wrong-root": r"tree_heads row of size \d+ of 'e1': root 0000",
    "timestamp-column": r"tree_heads row of size \d+ of 'e1': its columns disagree .*timestamp",
}


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_the_start_check_names_what_differs(db_url: str, attacker: Attacker, mutation: str) -> None:
    board = open_board(db_url)
    _grow(board)
    _mutate(board, attacker, mutation)
    with pytest.raises(LogCorrupted, match=MUTATIONS[mutation]):
        check_log(board.storage, "e1", board_key=BOARD_KEY.verify_key.raw, rehearsal=False)
    fresh = Board(Storage.open(db_url), BOARD_KEY, RULES)
    assert list(fresh.check_storage()) == ["e1"]
    with pytest.raises(LogCorrupted, match=MUTATIONS[mutation]):
        fresh.latest_tree_head("e1")


def test_a_board_with_many_appends_passes_its_checks(db_url: str) -> None:
    """Batches of every size from two board processes (views) on one database."""
    one = open_board(db_url)
    two = Board(Storage.open(db_url), BOARD_KEY, RULES)
    n = 0
    for batch in [1, 2, 3, 5, 8, 13, 31, 64, 1, 127, 200, 1, 1, 300]:
        board = one if batch % 2 else two
        outcomes = board.append("e1", [prechecked(note(n + i)) for i in range(batch)])
        assert all(not isinstance(o, Exception) for o in outcomes)
        n += batch
    latest = check_log(one.storage, "e1", board_key=BOARD_KEY.verify_key.raw, rehearsal=False)
    assert latest is not None
    assert latest.tree_size == n + 1
    assert Board(Storage.open(db_url), BOARD_KEY, RULES).check_storage() == {}
    assert one.latest_tree_head("e1").tree_size == n + 1


def test_board_export_refuses_to_export_past_an_inconsistency(
    db_url: str, attacker: Attacker, tmp_path: Path
) -> None:
    board = open_board(db_url)
    heads = _grow(board)
    out = tmp_path / "e1.export"
    result = CliRunner().invoke(verivote, ["board", "export", "--db", db_url, "--out", str(out)])
    assert result.exit_code == 0, result.output
    size = _rollback_by_inserts(attacker, heads[0])
    result = CliRunner().invoke(verivote, ["board", "export", "--db", db_url, "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    signed = SignedTreeHead.from_bytes(heads[0]).tree_size
    assert result.output.startswith(
        f"error: tree_heads row of size {size} of 'e1': its columns disagree with its signed "
        f"bytes (tree_size column {size}, signed {signed}; timestamp column"
    )


def test_a_database_of_another_board_is_refused_on_start(db_url: str) -> None:
    open_board(db_url)
    other = Board(Storage.open(db_url), OTHER_KEY, RULES)
    found = other.check_storage()
    assert "another board's database, or the wrong key file" in found["e1"]


# --- over HTTP: 503 log_corrupted, never the old head -------------------------------------


def test_a_live_board_answers_503_and_never_serves_the_old_head(
    db_url: str, attacker: Attacker, caplog: pytest.LogCaptureFixture
) -> None:
    def app() -> object:
        return create_board_app(
            db_url, BOARD_KEY, rules="generic", elections=("e1",),
            settings=ServiceSettings(write_rate=0),
        )  # fmt: skip

    with serve_in_thread(app()) as url, httpx.Client(timeout=60, base_url=url) as client:  # type: ignore[arg-type]
        for i in range(3):
            assert client.post(f"{E}/entries", content=note(i), headers=JSON).status_code == 201
        old = client.get(f"{E}/sth/2").content
        size = _rollback_by_inserts(attacker, old)
        with caplog.at_level(logging.ERROR, "verivote.board"):
            for answer in (
                client.post(f"{E}/entries", content=note("after"), headers=JSON),
                client.get(f"{E}/sth"),
                client.get(f"{E}/sth/{size}"),
                client.get(f"{E}/export"),
            ):
                assert answer.status_code == 503, answer.text
                assert answer.json()["error"]["code"] == "log_corrupted"
                assert answer.content != old
    lines = [r.getMessage() for r in caplog.records if r.name == "verivote.board"]
    assert len(lines) == 1
    assert f"tree_heads row of size {size} of 'e1': its columns disagree" in lines[0]
    # Restarted on the same database: refused from the start.
    caplog.clear()
    with (
        caplog.at_level(logging.ERROR, "verivote.board"),
        serve_in_thread(app()) as url,  # type: ignore[arg-type]
    ):
        answer = httpx.get(f"{url}{E}/sth")
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "log_corrupted"
    assert len([r for r in caplog.records if r.name == "verivote.board"]) == 1


@pytest.mark.slow
def test_a_served_board_restarted_after_the_attack_logs_one_line_and_answers_503(
    db_url: str, attacker: Attacker, tmp_path: Path
) -> None:
    """``verivote board serve`` (uvicorn in its own process): the start check refuses the log,
    in one line of the server's log; the board still serves, answering 503."""
    key = tmp_path / "board.key"
    key.write_text(f"verivote-board-key 1\n{bytes(range(32)).hex()}\n")  # BOARD_KEY
    key.chmod(0o600)
    with BoardServer(db_url, key) as server:
        for i in range(3):
            posted = httpx.post(f"{server.url}{E}/entries", content=note(i), headers=JSON)
            assert posted.status_code == 201, posted.text
        old = httpx.get(f"{server.url}{E}/sth/2").content
    size = _rollback_by_inserts(attacker, old)
    with BoardServer(db_url, key) as server:
        answer = httpx.get(f"{server.url}{E}/sth")
        assert answer.status_code == 503
        assert answer.json()["error"]["code"] == "log_corrupted"
        assert httpx.get(f"{server.url}/v1/elections").status_code == 200
    lines = [line for line in server.log.read_text().splitlines() if "log_corrupted" in line]
    assert len(lines) == 1
    assert lines[0].startswith(f"log_corrupted: tree_heads row of size {size} of 'e1':")
