"""``verivote report`` runs without the board's server: the modules it uses import neither the
web framework nor the database layer (a scrutineer installs ``verivote`` without the extra)."""

from __future__ import annotations

import subprocess
import sys

from bulletin_board.pages import election_url

SERVER = ("fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg")


def test_the_report_imports_no_server_module() -> None:
    probe = (
        "import sys, cli.report, bulletin_board.pages.render, bulletin_board.pages.verdict;"
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {SERVER!r}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.strip() == "[]"


def test_an_election_public_url() -> None:
    assert election_url("http://127.0.0.1:8000/", "nec-2027") == "http://127.0.0.1:8000/e/nec-2027/"
