"""The optional ``board`` extra: a scrutineer installs verivote without the board's server
(``pip install verivote``: ``verify``, ``count``, the role commands over HTTP); the commands that
run a board (``board serve``, ``new-election``, ``export``, ``demo``) need
``pip install 'verivote[board]'``, and say so in one line when it is missing."""

from __future__ import annotations

import importlib.util
from typing import Final

from crypto.errors import VerivoteError

INSTALL: Final = "pip install 'verivote[board]'"
#: The server's modules a board command imports (psycopg only for a PostgreSQL database, and
#: uvloop and httptools only if present, are left to the import that needs them).
SERVER_MODULES: Final = ("fastapi", "uvicorn", "sqlalchemy", "alembic")
STORAGE_MODULES: Final = ("sqlalchemy", "alembic")


class MissingExtra(VerivoteError):
    """A command needs packages of an optional extra that is not installed."""


def require_board_server(command: str, modules: tuple[str, ...] = SERVER_MODULES) -> None:
    """Check that ``modules`` can be imported before a board command imports them.

    Raises:
        MissingExtra: one is not installed; the message says what to install.
    """
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise MissingExtra(
            f"verivote {command} needs the board server ({', '.join(missing)} not installed): "
            f"{INSTALL}"
        )
