"""On PostgreSQL, the leaves' bytes are compressed with LZ4 instead of pglz.

Spec §10.2 (storage only: the stored bytes, and everything read back, are unchanged). A ballot's
leaf is some 4 to 9 kB of JSON, above PostgreSQL's 2 kB TOAST threshold, so every append tries
to compress it: pglz compressed the whole of it, found it saved less than its 25 % minimum
(hex of curve points and scalars) and stored it as it was, a sixth of PostgreSQL's CPU per
fully-checked ballot for nothing (board_bench, ``perf``); LZ4 is several times cheaper and
keeps what it saves (200 ballots: 10-candidate 8,892 -> 7,762 bytes, the demo's paper 3,814 ->
3,397). Rows already stored keep theirs (PostgreSQL reads both). A server built without LZ4, or
older than PostgreSQL 14, keeps pglz; SQLite does not compress.

Revision ID: v0005
Revises: v0004
"""

from __future__ import annotations

from alembic import op

revision = "v0005"
down_revision = "v0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(
        "DO $$ BEGIN "
        "EXECUTE 'ALTER TABLE leaves ALTER COLUMN leaf SET COMPRESSION lz4'; "
        "EXCEPTION WHEN feature_not_supported OR syntax_error THEN NULL; "
        "END $$"
    )


def downgrade() -> None:
    raise RuntimeError("the board's log is append-only: no downgrade")
