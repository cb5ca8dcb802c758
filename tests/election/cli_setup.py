"""What the CLI tests of an election's setup share: ``run`` (a `verivote` command in a folder,
passphrases from the environment), the election they set up (``PLAN``, its ``election.toml``
naming the keys ``generate_keys`` made), its roll, and a mailbox for a local SMTP server."""

from __future__ import annotations

import os
import re
import stat
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from cli.main import verivote
from simulation.plan import ElectionPlan, contest_toml

PASSPHRASE = "correct horse battery staple"
ENV = {"VV_PASS": PASSPHRASE}
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
ELECTION = "spring-2027"


def run(*args: str, cwd: Path, ok: bool = True, input: str | None = None) -> Result:
    runner = CliRunner()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = runner.invoke(verivote, list(args), env=ENV, input=input, catch_exceptions=False)
    finally:
        os.chdir(old)
    if ok:
        assert result.exit_code == 0, f"{args}: {result.output}"
    return result


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


PLAN = ElectionPlan(
    election=ELECTION,
    contests=(
        contest_toml(
            "nec",
            "NEC",
            "block",
            seats=2,
            nomination_threshold=2,
            constraints=[{"attribute": "gender", "value": "woman", "min": 1}],
        )
        + contest_toml("youth-rep", "Youth representative", "block", seats=1, sections=["youth"])
        + contest_toml(
            "rule-1",
            "Rule change 1",
            "referendum",
            question="Adopt rule change 1?",
            options=["Yes", "No"],
        )
    ),
    title="Spring ballot 2027",
    sections=("member", "youth"),
    start=T0 - DAY,  # nominations open at T0, close a week later; voting in weeks 3 and 4
)


def election_toml(keys: dict[str, str]) -> str:
    """The election.toml of ``PLAN`` naming the keys ``verivote keys generate`` printed."""
    return PLAN.definition_toml(
        administrator=keys["administrator"],
        issuer=keys["issuer"],
        trustees=[keys[f"trustee{i}"] for i in range(1, 6)],
    )


MEMBERS = """member_id,name,email,sections
A001,Ada Ames,ada@example.org,member
A002,Bo Bell,bo@example.org,member;youth
A003,Cy Cole,cy@example.org,member
A004,Di Dunn,di@example.org,member youth
"""


def generate_keys(tmp: Path) -> dict[str, str]:
    keys = {}
    for name, role in [("administrator", "administrator"), ("issuer", "issuer")] + [
        (f"trustee{i}", "trustee") for i in range(1, 6)
    ]:
        out = run(
            "keys",
            "generate",
            "--role",
            role,
            "--out",
            f"{name}.key",
            "--passphrase-env",
            "VV_PASS",
            "--kdf",
            "interactive",
            cwd=tmp,
        ).output
        keys[name] = re.search(r"public key: ([0-9a-f]{64})", out).group(1)  # type: ignore[union-attr]
        assert stat.S_IMODE((tmp / f"{name}.key").stat().st_mode) == 0o600
    return keys
