"""Alembic environment for the board's schema (Spec §10.2), run programmatically.

``bulletin_board.storage.Storage.migrate`` passes an open connection in
``config.attributes["connection"]``; the migration runs inside that connection's transaction.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run the board's migrations through bulletin_board.storage")
context.configure(connection=connection, target_metadata=None, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
