"""A rehearsal's clock: the offsets its administrator set, beside the log (never in it).

Spec §10.2 (rehearsals). One row per accepted clock request: the election, the offset in ms of
the log's clock from the board's real clock after the request, and the request's exact signed
bytes. A log's clock only moves forward, so its offset is the largest stored. Like the log's
tables, this one refuses UPDATE and DELETE (the record of who advanced the clock stays), and
its columns are typed (STRICT on SQLite).

Revision ID: v0003
Revises: v0002
"""

from __future__ import annotations

from alembic import op

revision = "v0003"
down_revision = "v0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE TABLE clock_advances (election_id VARCHAR(64) NOT NULL, "
            "offset_ms BIGINT NOT NULL, request BYTEA NOT NULL, "
            "PRIMARY KEY (election_id, offset_ms))"
        )
        op.execute(
            "CREATE TRIGGER clock_advances_no_change BEFORE UPDATE OR DELETE ON clock_advances "
            "FOR EACH ROW EXECUTE FUNCTION verivote_refuse_change()"
        )
        op.execute(
            "CREATE TRIGGER clock_advances_no_truncate BEFORE TRUNCATE ON clock_advances "
            "FOR EACH STATEMENT EXECUTE FUNCTION verivote_refuse_change()"
        )
        return
    op.execute(
        "CREATE TABLE clock_advances (election_id TEXT NOT NULL, offset_ms INTEGER NOT NULL, "
        "request BLOB NOT NULL, PRIMARY KEY (election_id, offset_ms)) STRICT"
    )
    for operation in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER clock_advances_no_{operation.lower()} BEFORE {operation} ON "
            f"clock_advances BEGIN SELECT RAISE(ABORT, 'verivote: clock_advances is append-only "
            f"({operation} refused)'); END"
        )


def downgrade() -> None:
    raise RuntimeError("the board's records are append-only: no downgrade")
