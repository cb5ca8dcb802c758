"""Spec §10.2 The board's storage: SQLAlchemy 2 over SQLite (default) or PostgreSQL.

Tables (schema under Alembic, ``bulletin_board/migrations``, shipped as package data):

- ``elections(election_id, created)``: one row per election log;
- ``leaves(election_id, leaf_index, leaf_hash, entry_hash, received, leaf)``: the leaves'
  exact bytes, unique by leaf hash and by entry hash (replay detection);
- ``nodes(election_id, level, node_index, hash)``: the hash of every complete subtree, leaves
  included (level 0), so a proof reads O(log n) rows and never rehashes the log;
- ``tree_heads(election_id, tree_size, timestamp, root_hash, sth)``: every signed tree head
  the board published, as its exact bytes;
- ``clock_advances(election_id, offset_ms, request)``: a rehearsal log's clock offsets from the
  board's real clock, each with the administrator's signed request (v0003; not the log).
- ``cosignatures(election_id, tree_size, witness, cosigned, cosignature)``: witnesses'
  cosignatures of the tree heads, as their exact bytes (v0004, §10.5; not the log).

On PostgreSQL the leaves' bytes (kilobytes a ballot, above the TOAST threshold) are compressed
with LZ4, not pglz (v0005: pglz took a sixth of PostgreSQL's CPU per ballot, and saved nothing).

Every table refuses UPDATE and DELETE by trigger, and an insert must take exactly the next
index (v0001 migration); columns are typed (SQLite tables STRICT) and hashes 32 bytes (v0002).
Rows an inserter added behind the board's back are caught by the board's own checks
(``bulletin_board.integrity``). Appends run in one write transaction per batch that first takes the
election's lock: ``BEGIN IMMEDIATE`` on SQLite (one writer per file), ``SELECT ... FOR UPDATE``
of the election's row on PostgreSQL. SQLite runs in WAL mode with ``synchronous=FULL``; with
PostgreSQL's default ``synchronous_commit=on`` a commit returns only once durable. On PostgreSQL
every statement is planned with its values (``plan_cache_mode=force_custom_plan``): a plan must
not depend on the log's size when it was made, nor on statistics nobody may ever gather.

SQLAlchemy rows stay in this module: callers get bytes, integers and the small records of
``bulletin_board.stored``.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from bulletin_board.errors import LogCorrupted, UnknownElection
from bulletin_board.stored import LeafRow, StoredCosignature, StoredTreeHead
from crypto.errors import MalformedInput
from crypto.merkle import NodeId

__all__ = [
    "LeafRow",
    "Storage",
    "StoredCosignature",
    "StoredTreeHead",
    "WriteTransaction",
    "normalise_url",
]

MIGRATIONS: Final = Path(__file__).resolve().parent / "migrations"
_BUSY_TIMEOUT_MS: Final = 60_000
_CHUNK: Final = 2000  # rows per INSERT: 6 columns x 2000 stays under every parameter limit
_FEW: Final = 256  # up to this many rows: an executemany of the cached statement

_metadata = sa.MetaData()
_elections = sa.Table(
    "elections",
    _metadata,
    sa.Column("election_id", sa.String(64), primary_key=True),
    sa.Column("created", sa.BigInteger, nullable=False),
)
_leaves = sa.Table(
    "leaves",
    _metadata,
    sa.Column("election_id", sa.String(64), primary_key=True),
    sa.Column("leaf_index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("entry_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("received", sa.BigInteger, nullable=False),
    sa.Column("leaf", sa.LargeBinary, nullable=False),
)
_nodes = sa.Table(
    "nodes",
    _metadata,
    sa.Column("election_id", sa.String(64), primary_key=True),
    sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("node_index", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("hash", sa.LargeBinary(32), nullable=False),
)
_tree_heads = sa.Table(
    "tree_heads",
    _metadata,
    sa.Column("election_id", sa.String(64), primary_key=True),
    sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("sth", sa.LargeBinary, nullable=False),
)
_clock_advances = sa.Table(
    "clock_advances",
    _metadata,
    sa.Column("election_id", sa.String(64), primary_key=True),
    sa.Column("offset_ms", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("request", sa.LargeBinary, nullable=False),
)
_cosignatures = sa.Table(
    "cosignatures",
    _metadata,
    sa.Column("election_id", sa.String(64), primary_key=True),
    sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("witness", sa.LargeBinary(32), primary_key=True),
    sa.Column("cosigned", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("cosignature", sa.LargeBinary, nullable=False),
)


def normalise_url(url: str) -> str:
    """A database URL for SQLAlchemy: a bare path is a SQLite file; ``postgresql://`` uses
    psycopg 3.

    Raises:
        MalformedInput: a scheme other than sqlite or postgresql.
    """
    if "://" not in url:
        return f"sqlite:///{url}"
    scheme, rest = url.split("://", 1)
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return f"postgresql+psycopg://{rest}"
    if scheme in ("sqlite", "sqlite+pysqlite"):
        return f"sqlite:///{rest.removeprefix('/')}" if rest.startswith("/") else url
    raise MalformedInput(f"unsupported database URL scheme {scheme!r} (sqlite or postgresql)")


def _sqlite_engine(url: str, *, begin: str) -> Engine:
    engine = sa.create_engine(url, pool_size=8, max_overflow=8, pool_pre_ping=False)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql(begin)

    return engine


class Storage:
    """Spec §10.2 One board database: the logs of several elections."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.dialect = sa.engine.make_url(self.url).get_backend_name()
        if self.dialect == "sqlite":
            self._read = _sqlite_engine(self.url, begin="BEGIN")
            self._write = _sqlite_engine(self.url, begin="BEGIN IMMEDIATE")
        else:
            # Every statement planned with its values: psycopg prepares a statement on its 5th
            # run, and PostgreSQL then keeps a generic plan made while the log was tiny (only an
            # ANALYZE would replace it; with autovacuum off, none ever runs): the duplicate-entry
            # lookup scanned the whole log on every append, the board slowing as the log grew.
            options = {"options": "-c plan_cache_mode=force_custom_plan"}
            self._read = sa.create_engine(self.url, pool_size=8, max_overflow=8,
                                          connect_args=options)  # fmt: skip
            self._write = sa.create_engine(self.url, pool_size=2, max_overflow=2,
                                           connect_args=options)  # fmt: skip

    @classmethod
    def open(cls, url: str, *, migrate: bool = False) -> Storage:
        """Open a board database; ``migrate`` brings its schema to the latest revision first.

        Raises:
            LogCorrupted: (without ``migrate``) the schema is not at the latest revision.
        """
        storage = cls(url)
        if migrate:
            storage.migrate()
        else:
            storage.check_schema()
        return storage

    def close(self) -> None:
        self._read.dispose()
        self._write.dispose()

    # --- schema ------------------------------------------------------------------------------

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        return config

    def migrate(self) -> None:
        """Upgrade the schema to the latest Alembic revision, in one transaction."""
        config = self._alembic_config()
        with self._write.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def check_schema(self) -> None:
        """Raises: LogCorrupted when the database is not at the latest schema revision."""
        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        with self._read.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
        if current != head:
            raise LogCorrupted(
                f"board database schema is at {current}, expected {head}: run the migration "
                "(verivote board serve migrates on start)"
            )

    # --- writes ------------------------------------------------------------------------------

    def create_election(self, election: str, *, created: int) -> None:
        """Create the row for an election's log (the board appends leaf 0 next).

        Raises: sqlalchemy.exc.IntegrityError when it exists (checked by the caller first).
        """
        with self._write.begin() as connection:
            connection.execute(_elections.insert(), {"election_id": election, "created": created})

    @contextmanager
    def write(self, election: str) -> Iterator[WriteTransaction]:
        """A write transaction holding ``election``'s append lock until it commits.

        Raises:
            UnknownElection: no such election log.
        """
        with self._write.begin() as connection:
            query = sa.select(_elections.c.election_id).where(_elections.c.election_id == election)
            if self.dialect != "sqlite":
                query = query.with_for_update()
            if connection.execute(query).first() is None:
                raise UnknownElection(f"no election log {election!r} on this board")
            yield WriteTransaction(connection, election)

    # --- reads -------------------------------------------------------------------------------

    def elections(self) -> list[str]:
        with self._read.begin() as c:
            return list(c.scalars(sa.select(_elections.c.election_id).order_by("election_id")))

    def has_election(self, election: str) -> bool:
        with self._read.begin() as c:
            query = sa.select(_elections.c.election_id).where(_elections.c.election_id == election)
            return c.execute(query).first() is not None

    def size(self, election: str) -> int:
        with self._read.begin() as c:
            return _size(c, election)

    def latest_tree_head_and_size(self, election: str) -> tuple[StoredTreeHead | None, int]:
        """The latest tree head and the number of stored leaves, read in ONE statement (one
        snapshot on PostgreSQL too), so that a concurrent append cannot make them disagree."""
        with self._read.begin() as c:
            return _head_and_size(c, election)

    def tree_head(self, election: str, tree_size: int) -> StoredTreeHead | None:
        with self._read.begin() as c:
            row = c.execute(
                sa.select(_tree_heads).where(
                    _tree_heads.c.election_id == election, _tree_heads.c.tree_size == tree_size
                )
            ).first()
            return None if row is None else StoredTreeHead.from_row(row)

    def tree_heads(self, election: str, *, up_to: int) -> Generator[StoredTreeHead, None, None]:
        """Every stored tree head of size <= ``up_to``, by increasing size (streamed)."""
        query = (
            sa.select(_tree_heads)
            .where(_tree_heads.c.election_id == election, _tree_heads.c.tree_size <= up_to)
            .order_by(_tree_heads.c.tree_size)
        )
        with self._read.connect() as c:
            for row in c.execution_options(stream_results=True, yield_per=1000).execute(query):
                yield StoredTreeHead.from_row(row)

    def leaf(self, election: str, index: int) -> LeafRow | None:
        with self._read.begin() as c:
            row = c.execute(
                sa.select(_leaves).where(
                    _leaves.c.election_id == election, _leaves.c.leaf_index == index
                )
            ).first()
            return None if row is None else LeafRow.from_row(row)

    def leaf_by_hash(self, election: str, *, leaf_hash: bytes | None = None,
                     entry_hash: bytes | None = None) -> LeafRow | None:  # fmt: skip
        column = _leaves.c.leaf_hash if leaf_hash is not None else _leaves.c.entry_hash
        with self._read.begin() as c:
            row = c.execute(
                sa.select(_leaves).where(
                    _leaves.c.election_id == election, column == (leaf_hash or entry_hash)
                )
            ).first()
            return None if row is None else LeafRow.from_row(row)

    def leaves(self, election: str, start: int, end: int) -> Generator[LeafRow, None, None]:
        """The leaves with index in ``[start, end)``, in order, streamed from the database."""
        query = (
            sa.select(_leaves)
            .where(
                _leaves.c.election_id == election,
                _leaves.c.leaf_index >= start,
                _leaves.c.leaf_index < end,
            )
            .order_by(_leaves.c.leaf_index)
        )
        with self._read.connect() as c:
            for row in c.execution_options(stream_results=True, yield_per=1000).execute(query):
                yield LeafRow.from_row(row)

    def read_nodes(self, election: str, wanted: Sequence[NodeId]) -> list[bytes]:
        """The stored hashes of the complete subtrees ``wanted``, in order (one query).

        Raises:
            LogCorrupted: a node is missing.
        """
        with self._read.begin() as c:
            return _read_nodes(c, election, wanted)

    def clock_offset(self, election: str) -> int:
        """Spec §10.2 A rehearsal log's clock offset from the real clock, in ms (0: none)."""
        with self._read.begin() as c:
            return _clock_offset(c, election)

    def cosignatures(self, election: str, tree_size: int) -> list[StoredCosignature]:
        """Spec §10.5 The latest stored cosignature of each witness of the head of
        ``tree_size``."""
        query = (
            sa.select(_cosignatures)
            .where(_cosignatures.c.election_id == election, _cosignatures.c.tree_size == tree_size)
            .order_by(_cosignatures.c.witness, _cosignatures.c.cosigned)
        )
        with self._read.begin() as c:
            latest = {bytes(r.witness): StoredCosignature.from_row(r) for r in c.execute(query)}
        return list(latest.values())

    def latest_cosigned_size(self, election: str) -> int | None:
        """Spec §10.5 The largest tree size with a stored cosignature (None: none)."""
        with self._read.begin() as c:
            size = c.execute(
                sa.select(sa.func.max(_cosignatures.c.tree_size)).where(
                    _cosignatures.c.election_id == election
                )
            ).scalar()
        return None if size is None else int(size)


def _clock_offset(c: Connection, election: str) -> int:
    offset = c.execute(
        sa.select(sa.func.max(_clock_advances.c.offset_ms)).where(
            _clock_advances.c.election_id == election
        )
    ).scalar()
    return 0 if offset is None else int(offset)


def _size(c: Connection, election: str) -> int:
    top = c.execute(
        sa.select(sa.func.max(_leaves.c.leaf_index)).where(_leaves.c.election_id == election)
    ).scalar()
    return 0 if top is None else int(top) + 1


def _head_and_size(c: Connection, election: str) -> tuple[StoredTreeHead | None, int]:
    top = (
        sa.select(sa.func.max(_leaves.c.leaf_index).label("top"))
        .where(_leaves.c.election_id == election)
        .subquery()
    )
    latest = (
        sa.select(sa.func.max(_tree_heads.c.tree_size))
        .where(_tree_heads.c.election_id == election)
        .scalar_subquery()
    )
    on = sa.and_(_tree_heads.c.election_id == election, _tree_heads.c.tree_size == latest)
    row = c.execute(
        sa.select(top.c.top, _tree_heads).select_from(top.outerjoin(_tree_heads, on))
    ).one()
    size = 0 if row.top is None else int(row.top) + 1
    return (None if row.sth is None else StoredTreeHead.from_row(row)), size


def _latest_tree_head(c: Connection, election: str) -> StoredTreeHead | None:
    row = c.execute(
        sa.select(_tree_heads)
        .where(_tree_heads.c.election_id == election)
        .order_by(_tree_heads.c.tree_size.desc())
        .limit(1)
    ).first()
    return None if row is None else StoredTreeHead.from_row(row)


def _read_nodes(c: Connection, election: str, wanted: Sequence[NodeId]) -> list[bytes]:
    if not wanted:
        return []
    by_level: dict[int, list[int]] = {}
    for level, index in wanted:
        by_level.setdefault(level, []).append(index)
    # One primary-key lookup per level, OR-ed, each term naming the election: SQLite and
    # PostgreSQL use the primary key for every term (SQLite scans every node of the election
    # for a row-value IN, or when the election is outside the OR).
    rows = c.execute(
        sa.select(_nodes.c.level, _nodes.c.node_index, _nodes.c.hash).where(
            sa.or_(
                *(
                    sa.and_(
                        _nodes.c.election_id == election,
                        _nodes.c.level == level,
                        _nodes.c.node_index.in_(indices),
                    )
                    for level, indices in by_level.items()
                )
            ),
        )
    ).all()
    table = {(r.level, r.node_index): bytes(r.hash) for r in rows}
    try:
        return [table[node] for node in wanted]
    except KeyError as exc:
        level, index = exc.args[0]
        where = f"nodes row (level {level}, index {index}) of {election!r}"
        raise LogCorrupted(f"{where}: missing") from None


class WriteTransaction:
    """An open write transaction on one election's log, holding its append lock."""

    def __init__(self, connection: Connection, election: str) -> None:
        self._c = connection
        self.election = election

    def size(self) -> int:
        return _size(self._c, self.election)

    def latest_tree_head(self) -> StoredTreeHead | None:
        return _latest_tree_head(self._c, self.election)

    def latest_tree_head_and_size(self) -> tuple[StoredTreeHead | None, int]:
        """The latest tree head and the number of leaves, in one statement (under the lock
        every statement is a round trip that other writers wait for)."""
        return _head_and_size(self._c, self.election)

    def read_nodes(self, wanted: Sequence[NodeId]) -> list[bytes]:
        return _read_nodes(self._c, self.election, wanted)

    def clock_offset(self) -> int:
        """Spec §10.2 The log's clock offset (a rehearsal's), read under the append lock."""
        return _clock_offset(self._c, self.election)

    def latest_cosignature(self, tree_size: int, witness: bytes) -> int | None:
        """Spec §10.5 The time of ``witness``'s latest stored cosignature of the head of
        ``tree_size`` (None: none), read under the append lock."""
        cosigned = self._c.execute(
            sa.select(sa.func.max(_cosignatures.c.cosigned)).where(
                _cosignatures.c.election_id == self.election,
                _cosignatures.c.tree_size == tree_size,
                _cosignatures.c.witness == witness,
            )
        ).scalar()
        return None if cosigned is None else int(cosigned)

    def add_cosignature(self, cosignature: StoredCosignature) -> None:
        """Spec §10.5 Store a checked cosignature beside the log."""
        row = {
            "election_id": self.election,
            "tree_size": cosignature.tree_size,
            "witness": cosignature.witness,
            "cosigned": cosignature.cosigned,
            "cosignature": cosignature.raw,
        }
        self._c.execute(_cosignatures.insert(), row)

    def advance_clock(self, offset: int, request: bytes) -> None:
        """Spec §10.2 Record a rehearsal log's new clock offset and the request that set it."""
        row = {"election_id": self.election, "offset_ms": offset, "request": request}
        self._c.execute(_clock_advances.insert(), row)

    def leaves_from(self, start: int) -> list[LeafRow]:
        """The leaves other writers appended at index >= ``start``."""
        rows = self._c.execute(
            sa.select(_leaves)
            .where(_leaves.c.election_id == self.election, _leaves.c.leaf_index >= start)
            .order_by(_leaves.c.leaf_index)
        )
        return [LeafRow.from_row(r) for r in rows]

    def find_entries(self, entry_hashes: Sequence[bytes]) -> dict[bytes, int]:
        """The leaf index of each entry hash already in the log."""
        if not entry_hashes:
            return {}
        rows = self._c.execute(
            sa.select(_leaves.c.entry_hash, _leaves.c.leaf_index).where(
                _leaves.c.election_id == self.election,
                _leaves.c.entry_hash.in_(list(entry_hashes)),
            )
        )
        return {bytes(r.entry_hash): r.leaf_index for r in rows}

    def append(
        self,
        leaves: Sequence[LeafRow],
        nodes: Sequence[tuple[int, int, bytes]],
        tree_head: StoredTreeHead | None,
    ) -> None:
        """Insert leaves, then the complete subtrees they create, then a tree head.

        Raises:
            LogCorrupted: the database's own guards (v0001) refused a row: the stored log is
                not what the board folded (rows it did not write), not a server error.
        """
        leaf_rows = [leaf.to_row(self.election) for leaf in leaves]
        node_rows = [
            {"election_id": self.election, "level": lv, "node_index": ix, "hash": h}
            for lv, ix, h in nodes
        ]
        try:
            self._insert(_leaves, leaf_rows)
            self._insert(_nodes, node_rows)
            if tree_head is not None:
                self._c.execute(_tree_heads.insert(), tree_head.to_row(self.election))
        except sa.exc.DBAPIError as exc:
            if "verivote:" not in str(exc.orig):
                raise
            line = str(exc.orig).splitlines()[0]
            raise LogCorrupted(
                f"the database refused the board's append to {self.election!r}: {line}"
            ) from None

    def _insert(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        """Insert rows in order, through the per-row insert guards. A group commit's few rows
        go as one executemany of a statement compiled once (compiling a multi-row INSERT
        costs more than running it, under the lock); a bulk load's as one multi-row INSERT per
        chunk, far fewer statements."""
        if len(rows) <= _FEW:
            if rows:
                self._c.execute(table.insert(), rows)
            return
        for i in range(0, len(rows), _CHUNK):
            self._c.execute(table.insert().values(rows[i : i + _CHUNK]))
