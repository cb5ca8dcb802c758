"""Witnesses' cosignatures of the board's tree heads, beside the log (never in it).

Spec §10.5. One row per accepted cosignature: the election, the size of the tree head it
cosigns, the witness's key, its ``cosigned`` time and the cosignature's exact signed bytes. A
witness may cosign a head again later (a later time): the latest row of each witness is the one
served. Like the log's tables, this one refuses UPDATE and DELETE, and its columns are typed
(STRICT on SQLite); the board checks each row's bytes against its columns when it serves it.

Revision ID: v0004
Revises: v0003
"""

from __future__ import annotations

from alembic import op

revision = "v0004"
down_revision = "v0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE cosignatures (election_id VARCHAR(64) NOT NULL, "
            "tree_size BIGINT NOT NULL, witness BYTEA NOT NULL CHECK (length(witness) = 32), "
            "cosigned BIGINT NOT NULL, cosignature BYTEA NOT NULL, "
            "PRIMARY KEY (election_id, tree_size, witness, cosigned))"
        )
        op.execute(
            "CREATE TRIGGER cosignatures_no_change BEFORE UPDATE OR DELETE ON cosignatures "
            "FOR EACH ROW EXECUTE FUNCTION verivote_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER cosignatures_no_truncate BEFORE TRUNCATE ON cosignatures "
            "FOR EACH STATEMENT EXECUTE FUNCTION verivote_refuse_change()"
        )
        return
    op.execute(
        "CREATE TABLE cosignatures (election_id TEXT NOT NULL, tree_size INTEGER NOT NULL, "
        "witness BLOB NOT NULL CHECK (length(witness) = 32), cosigned INTEGER NOT NULL, "
        "cosignature BLOB NOT NULL, PRIMARY KEY (election_id, tree_size, witness, cosigned)) "
        "STRICT"
    )
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER cosignatures_no_{operation.lower()} BEFORE {operation} ON "
            f"cosignatures BEGIN SELECT RAISE(ABORT, 'verivote: cosignatures is append-only "
            f"({operation} refused)'); END"
        )


def downgrade() -> None:
    raise RuntimeError("the board's records are append-only: no downgrade")
