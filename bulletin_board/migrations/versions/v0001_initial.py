"""The board's initial schema: elections, leaves, nodes, tree heads; append-only triggers.

Spec §10.2. Each table refuses UPDATE and DELETE (and TRUNCATE on PostgreSQL) by trigger. An
insert must take exactly the next index: the next leaf index of its election, the next node
index of its level (over leaves already present), a tree size above every earlier one and not
above the number of leaves, with a timestamp not below the latest. An insert that would collide
with an existing row is refused before any conflict resolution, which defeats SQLite's
``INSERT OR REPLACE`` and PostgreSQL's ``ON CONFLICT DO UPDATE``.

Revision ID: v0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "v0001"
down_revision = None
branch_labels = None
depends_on = None

_TABLES = ("elections", "leaves", "nodes", "tree_heads")

# Each guard: (table, SQL condition on NEW that makes an insert wrong, message). Every test is a
# point lookup on a unique index, so a guard costs the same at any log size. With no deletes,
# "index 0 or the previous index exists, and this index does not" means "exactly the next
# index"; refusing an existing key before the insert defeats INSERT OR REPLACE. (No foreign
# keys: on PostgreSQL their per-row share lock on the election row, which the writer holds FOR
# UPDATE, made each insert slower as the transaction grew; the leaf guard checks the election.)
_INSERT_GUARDS = (
    (
        "elections",
        "EXISTS (SELECT 1 FROM elections WHERE election_id = NEW.election_id)",
        "an election log is created once",
    ),
    (
        "leaves",
        "NEW.leaf_index < 0"
        " OR (NEW.leaf_index > 0 AND NOT EXISTS (SELECT 1 FROM leaves"
        " WHERE election_id = NEW.election_id AND leaf_index = NEW.leaf_index - 1))"
        " OR EXISTS (SELECT 1 FROM leaves WHERE election_id = NEW.election_id"
        " AND leaf_index = NEW.leaf_index)"
        " OR EXISTS (SELECT 1 FROM leaves WHERE election_id = NEW.election_id"
        " AND leaf_hash = NEW.leaf_hash)"
        " OR EXISTS (SELECT 1 FROM leaves WHERE election_id = NEW.election_id"
        " AND entry_hash = NEW.entry_hash)",
        "a leaf must take exactly the next index and be new",
    ),
    (
        "nodes",
        "NEW.node_index < 0 OR NEW.level < 0 OR NEW.level > 62"
        " OR (NEW.node_index > 0 AND NOT EXISTS (SELECT 1 FROM nodes"
        " WHERE election_id = NEW.election_id AND level = NEW.level"
        " AND node_index = NEW.node_index - 1))"
        " OR EXISTS (SELECT 1 FROM nodes WHERE election_id = NEW.election_id"
        " AND level = NEW.level AND node_index = NEW.node_index)"
        " OR NOT EXISTS (SELECT 1 FROM leaves WHERE election_id = NEW.election_id"
        " AND leaf_index = (NEW.node_index + 1) * (CAST(1 AS BIGINT) << NEW.level) - 1)",
        "a node must take exactly the next index of its level, over stored leaves",
    ),
    (
        "tree_heads",
        "NEW.tree_size <= (SELECT COALESCE(MAX(tree_size), 0) FROM tree_heads"
        " WHERE election_id = NEW.election_id)"
        " OR NOT EXISTS (SELECT 1 FROM leaves WHERE election_id = NEW.election_id"
        " AND leaf_index = NEW.tree_size - 1)"
        " OR NEW.timestamp < COALESCE((SELECT timestamp FROM tree_heads"
        " WHERE election_id = NEW.election_id ORDER BY tree_size DESC LIMIT 1), 0)",
        "a tree head must be for a larger size, over stored leaves, not older than the last",
    ),
)


def upgrade() -> None:
    op.create_table(
        "elections",
        sa.Column("election_id", sa.String(64), primary_key=True),
        sa.Column("created", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "leaves",
        sa.Column("election_id", sa.String(64), primary_key=True),
        sa.Column("leaf_index", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("leaf_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("entry_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("received", sa.BigInteger, nullable=False),
        sa.Column("leaf", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("election_id", "leaf_hash", name="leaves_leaf_hash_unique"),
        sa.UniqueConstraint("election_id", "entry_hash", name="leaves_entry_hash_unique"),
    )
    op.create_table(
        "nodes",
        sa.Column("election_id", sa.String(64), primary_key=True),
        sa.Column("level", sa.SmallInteger, primary_key=True, autoincrement=False),
        sa.Column("node_index", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
    )
    op.create_table(
        "tree_heads",
        sa.Column("election_id", sa.String(64), primary_key=True),
        sa.Column("tree_size", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(32), nullable=False),
        sa.Column("sth", sa.LargeBinary, nullable=False),
    )
    if op.get_context().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    for table in _TABLES:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'verivote: {table} is append-only "
                f"({operation} refused)'); END"
            )
    for table, condition, message in _INSERT_GUARDS:
        op.execute(
            f"CREATE TRIGGER {table}_insert_guard BEFORE INSERT ON {table} "
            f"WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, 'verivote: {message}'); END"
        )


def _postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION verivote_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'verivote: % is append-only (% refused)', TG_TABLE_NAME, TG_OP; "
        "END $$"
    )
    for table in _TABLES:
        op.execute(
            f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION verivote_refuse_change()"
        )
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION verivote_refuse_change()"
        )
    for table, condition, message in _INSERT_GUARDS:
        op.execute(
            f"CREATE FUNCTION verivote_{table}_insert_guard() RETURNS trigger "
            # Plan each check with its values: a generic plan cached while the table was
            # tiny picks the wrong index and scans the whole log on every insert.
            "LANGUAGE plpgsql SET plan_cache_mode = force_custom_plan "
            f"AS $$ BEGIN IF {condition} THEN "
            f"RAISE EXCEPTION 'verivote: {message}'; END IF; RETURN NEW; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {table}_insert_guard BEFORE INSERT ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION verivote_{table}_insert_guard()"
        )


def downgrade() -> None:
    raise RuntimeError("the board's log is append-only: no downgrade")
