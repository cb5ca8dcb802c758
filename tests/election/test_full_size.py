"""Issue 14, the bug at the real size: an organisation of 400,000 members. Once the issuer's 40
credential parts (some 690 KB each, 28 MB) are on the board, every command that reads the log
must still work: pages are cut by bytes as well as by count (Spec §10.3) and read one at a time.
Before, the client asked for 1,000 leaves at once and the board sent all 40 parts in one answer,
which the client refused ("JSON document too large").

The election is built in memory and folded only (``MemoryBoard(checked=False)``): four real
members with codes among 399,996 public credentials made by point additions (public keys only:
nobody holds their codes), then served by a real board (uvicorn on 127.0.0.1, SQLite, a simulated
clock). The commands run as a member, a trustee and the administrator would run them: a trustee
confirms the election key after the credentials (``trustee publish``), a member casts and checks
their credential and receipt, the administrator tallies.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bulletin_board.client import BoardClient
from bulletin_board.config import MAX_PAGE_BYTES
from crypto import canonical
from crypto.credentials import CredentialCode, derive_credential_key
from crypto.group import G, Scalar
from election.role_keys import RoleKey
from election.wire import CREDENTIALS, CREDENTIALS_COMPLETE, MAX_CREDENTIALS_PER_PART
from simulation.boards import MemoryBoard
from simulation.builder import ElectionBuilder, Member
from simulation.plan import RoleKeys
from simulation.plans import leader_plan
from simulation.served import SimulatedClock, served_copy
from tests.election.board_log import BOARD_KEY
from tests.election.test_cli_mixing import PASSPHRASE, run

MEMBERS = 400_000
REAL = 4  # members with codes
T0 = datetime(2027, 9, 6, 9, tzinfo=UTC)


def public_credentials(count: int, *, seed: int) -> list[bytes]:
    """``count`` distinct public credentials (33-byte encodings), quickly: successive sums
    ``P + k·G`` from a point ``P`` of ``seed`` (public keys nobody holds the codes of)."""
    point = G ** Scalar(random.Random(seed).randrange(1, 2**200))
    out = []
    for _ in range(count):
        point = point * G
        out.append(point.to_bytes())
    return out


@dataclass
class Crowd:
    """An election of ``MEMBERS`` credentials with its trustees 1 and 2 confirmed and trustee 3
    not yet (their confirmations are the ceremony's last step), built in memory."""

    builder: ElectionBuilder
    log: MemoryBoard
    members: list[Member]


def build_crowd(members: int = MEMBERS) -> Crowd:
    plan = leader_plan(start=T0, members=REAL, election="full-size")
    log = MemoryBoard(plan.election, created=plan.at(0), checked=False)
    builder = ElectionBuilder(
        plan, log, keys=RoleKeys.fixed_for_testing(plan.trustees), rng=random.Random(14)
    )
    builder.define()
    builder.nominate()
    builder.candidate_lists()
    builder.ceremony(confirm=False)
    builder.confirm_keys(trustees=[1, 2])
    # the real members' credentials, found by the builder's issue, and the crowd's, in one list
    definition = builder.definition
    style_of = definition.style_for(("member",))
    assert style_of is not None
    style = style_of.id
    real = []
    for i in range(REAL):
        code = CredentialCode.generate()
        key = derive_credential_key(code, fingerprint=definition.fingerprint)
        real.append(Member(code, key, style, f"M{i:06d}"))
    crowd = public_credentials(members - len(real), seed=14)
    ordered = sorted(crowd + [m.key.public.to_bytes() for m in real])
    when = plan.at(plan.timetable.nominations_close + 0.5)
    for part, start in enumerate(range(0, len(ordered), MAX_CREDENTIALS_PER_PART)):
        chunk = ordered[start : start + MAX_CREDENTIALS_PER_PART]
        payload = {"style": style, "part": part, "credentials": [c.hex() for c in chunk]}
        builder.post(builder.signed("issuer", CREDENTIALS, payload, builder.keys.issuer), when)
    complete = {"counts": {style: len(ordered)}}
    builder.post(
        builder.signed("issuer", CREDENTIALS_COMPLETE, complete, builder.keys.issuer), when
    )
    return Crowd(builder, log, real)


@pytest.fixture(scope="module")
def crowd() -> Crowd:
    return build_crowd()


@pytest.fixture
def served(crowd: Crowd, tmp_path: Path) -> Iterator[tuple[str, SimulatedClock]]:
    clock = SimulatedClock(0)
    with served_copy(
        crowd.log, f"sqlite:///{tmp_path / 'board.db'}", BOARD_KEY, clock=clock
    ) as url:
        yield url, clock


@pytest.mark.slow
def test_every_command_reads_a_log_of_400000_credentials(
    crowd: Crowd, served: tuple[str, SimulatedClock], tmp_path: Path
) -> None:
    url, clock = served
    builder, plan = crowd.builder, crowd.builder.plan
    election = plan.election
    passphrase = PASSPHRASE.encode()
    (tmp_path / "administrator.key").write_bytes(
        RoleKey("administrator", builder.keys.administrator).seal(
            passphrase, strength="interactive"
        )
    )
    (tmp_path / "trustee3.key").write_bytes(
        RoleKey("trustee", builder.keys.trustee(3)).seal(passphrase, strength="interactive")
    )
    (tmp_path / "t3.sealed").write_bytes(
        builder.trustees[3].seal(passphrase, strength="interactive")
    )
    board = ["--board", url, "--election", election]
    # Spec §10.3: pages cut by bytes (each part comes with at most a few others)
    sizes = []
    with httpx.Client(timeout=60, base_url=url) as http:
        start: int | None = 0
        while start is not None:
            answer = http.get(f"/v1/elections/{election}/entries", params={"start": start})
            page = canonical.decode(answer.content, max_bytes=2**30)
            assert isinstance(page, dict)
            leaves, start = page["leaves"], page["next"]  # type: ignore[assignment]
            assert isinstance(leaves, list)
            sizes.append((len(answer.content), len(leaves)))
    assert sum(count for _, count in sizes) == len(crowd.log.entries)
    assert all(size <= MAX_PAGE_BYTES + 2**16 or count == 1 for size, count in sizes), sizes
    with BoardClient(url, election) as client:
        parts = sum(1 for leaf in client.leaves() if leaf.entry.type == CREDENTIALS)
    assert parts == MEMBERS // MAX_CREDENTIALS_PER_PART

    # the ceremony's last step, after the credentials
    out = run("trustee", "publish", *board, "--key", "trustee3.key", "--state", "t3.sealed",
              "--passphrase-env", "VV_PASS", cwd=tmp_path).output  # fmt: skip
    assert "key-confirmation" in out or "confirmation" in out

    # a member votes and checks
    clock.set(plan.at(plan.timetable.voting_open + 0.1))
    member = crowd.members[0]
    code = member.code.formatted()
    out = run("cast", *board, "--credential", code, "--choices", "leader=2",
              "--receipt-out", "receipt.json", cwd=tmp_path).output  # fmt: skip
    assert "ballot cast" in out
    out = run("credentials", "check", code, *board, cwd=tmp_path).output
    assert "your credential is on the published list" in out
    out = run("receipt", "check", "receipt.json", cwd=tmp_path).output
    assert "it is your counted ballot" in out

    # the administrator tallies after the close
    clock.set(plan.at(plan.timetable.voting_close + 0.01))
    out = run("admin", "tally", *board, "--key", "administrator.key", "--passphrase-env",
              "VV_PASS", cwd=tmp_path).output  # fmt: skip
    assert "tally" in out
