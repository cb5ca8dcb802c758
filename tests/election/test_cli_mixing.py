"""The ranked contests through the CLI against a real board (uvicorn on 127.0.0.1, simulated
clock): an election built up to its tally (the demo's: an NEC by Scottish STV with a quota and a
mayoral primary by IRV), then `verivote trustee mix` by three trustees, `trustee decrypt`
(the tally and the mixed lists), `admin result --html` (the stage tables, the count reports),
`verivote papers` writing each ranked contest's papers as BLT, `verivote count` recounting them
to the very record the result published (but for the names), and `verivote verify`."""

from __future__ import annotations

import os
import random
import re
import shlex
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bulletin_board.client import BoardClient
from cli.main import verivote
from cli.papers import read_published
from crypto import canonical
from election.role_keys import RoleKey
from election.wire import RankedContestResult
from simulation.boards import HttpBoard
from simulation.builder import ElectionBuilder
from simulation.plan import RoleKeys
from simulation.plans import nec_choices, nec_plan
from tests.election.live_board import live_board
from tests.jsondoc import json_object

PASSPHRASE = "correct horse battery staple"
ENV = {"VV_PASS": PASSPHRASE}
MIXERS = (1, 2, 4)


def run(*args: str, cwd: Path, ok: bool = True) -> Result:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(verivote, list(args), env=ENV, catch_exceptions=False)
    finally:
        os.chdir(old)
    if ok:
        assert result.exit_code == 0, f"{args}: {result.output}"
    return result


def _key_files(tmp: Path, builder: ElectionBuilder) -> None:
    """The administrator's and trustees' sealed key files and the trustees' state files, as
    their own machines would hold them."""
    passphrase = PASSPHRASE.encode()
    admin = RoleKey("administrator", builder.keys.administrator)
    (tmp / "administrator.key").write_bytes(admin.seal(passphrase, strength="interactive"))
    for j, state in builder.trustees.items():
        key = RoleKey("trustee", builder.keys.trustee(j))
        (tmp / f"trustee{j}.key").write_bytes(key.seal(passphrase, strength="interactive"))
        (tmp / f"t{j}.sealed").write_bytes(state.seal(passphrase, strength="interactive"))


def _trustee(url: str, election: str, j: int) -> list[str]:
    return ["--board", url, "--election", election, "--key", f"trustee{j}.key",
            "--state", f"t{j}.sealed", "--passphrase-env", "VV_PASS"]  # fmt: skip


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_ranked_contests_mixed_decrypted_counted_and_recounted_through_the_cli(
    db_url: str, tmp_path: Path
) -> None:
    plan = nec_plan(start=datetime(2027, 5, 3, 9, tzinfo=UTC), members=25)
    rng = random.Random(11)
    with live_board(db_url, elections=(plan.election,), now=plan.at(0)) as board:
        url = board.url
        with BoardClient(url, plan.election) as client:
            builder = ElectionBuilder(
                plan, HttpBoard(client, board.clock.set), keys=RoleKeys.generate(5), rng=rng
            )
            builder.prepare()
            builder.vote_all(
                [(m, nec_choices(rng, builder.params, m.style)) for m in builder.members]
            )
            builder.tally()
        _key_files(tmp_path, builder)
        board.clock.set(plan.at(plan.timetable.voting_close + 0.02))
        _mix_and_decrypt(tmp_path, url, plan.election)
        _result_papers_recount(tmp_path, url, plan.election)


def _mix_and_decrypt(tmp: Path, url: str, election: str) -> None:
    out = run("trustee", "decrypt", *_trustee(url, election, 1), cwd=tmp).output
    assert "partial decryption(s) with proofs of the tally" in out
    assert "nec: 0 of the 3 mixes needed are on the board" in out
    for j in MIXERS:
        out = run("trustee", "mix", *_trustee(url, election, j), cwd=tmp).output
        k = MIXERS.index(j)
        assert f"mix {k} of nec (25 ballots) posted" in out
        assert f"mix {k} of mayor (25 ballots) posted" in out
    again = run("trustee", "mix", *_trustee(url, election, 2), "--contest", "nec", cwd=tmp)
    assert "nec: trustee 2's mix is on the board already" in again.output
    unknown = run("trustee", "mix", *_trustee(url, election, 3), "--contest", "rule-change",
                  cwd=tmp, ok=False)  # fmt: skip
    assert unknown.exit_code == 2
    assert "rule-change is not a ranked contest" in unknown.output
    for j in MIXERS:
        out = run("trustee", "decrypt", *_trustee(url, election, j), cwd=tmp).output
        assert "decryption of nec (25 papers) posted" in out
        assert ("decryption of the tally is on the board already" in out) == (j == 1)
    closed = run("trustee", "mix", *_trustee(url, election, 5), cwd=tmp).output
    assert "nec: mixing is closed (its decryption began) after 3" in closed


def _result_papers_recount(tmp: Path, url: str, election: str) -> None:
    admin = ["--board", url, "--election", election, "--key", "administrator.key",
             "--passphrase-env", "VV_PASS"]  # fmt: skip
    out = run("admin", "result", *admin, "--html", "count.html", cwd=tmp).output
    assert "NEC: constituency section (nec): ranked, scottish, 9 seat(s); 25 papers" in out
    assert "stage 1: First preferences" in out
    printed = dict(re.findall(r"count report of (\w+): (\S+)", out))
    assert set(printed) == {"nec", "mayor"}
    assert "<svg" in (tmp / "count-nec.html").read_text()
    with BoardClient(url, election) as client:
        client.export_to(tmp / "board.export")
    published = read_published(tmp / "board.export")
    assert published.result is not None
    for contest in ("nec", "mayor"):
        got = next(c for c in published.result.contests if c.contest == contest)
        assert isinstance(got, RankedContestResult)
        out = run("papers", f"{url}/v1/elections/{election}", "--contest", contest,
                  "--out", f"{contest}.blt", cwd=tmp).output  # fmt: skip
        assert f"{contest}.blt: 25 papers of {contest}" in out
        found = re.search(r"recount with: (.*)", out)
        assert found is not None
        command = shlex.split(found.group(1))
        assert command[:3] == ["verivote", "count", f"{contest}.blt"]
        recount = run(*command[1:], "--json", f"{contest}.json", cwd=tmp).output
        names = {c.id: c.name for c in published.candidate_lists[contest].candidates}
        elected = ", ".join(names[i] for i in got.elected)
        assert f"elected, in order: {elected}" in recount
        mine = json_object((tmp / f"{contest}.json").read_bytes())
        assert got.count is not None
        assert _renamed(dict(got.count), names) == _without_constraint_names(mine)
    verified = run("verify", f"{url}/v1/elections/{election}", "--jobs", "1", cwd=tmp).output
    assert "[PASS] 9. mixes" in verified
    assert "[PASS] 10. ranked decryptions" in verified
    assert "RESULT VERIFIED: every check passed" in verified


def _renamed(record: dict[str, Any], names: dict[str, str]) -> dict[str, Any]:
    """The published record (candidates named by id) with the candidates' names instead, as a
    count of the BLT file names them, and no constraint text (its group names differ)."""
    text = canonical.encode(record).decode()
    for ident, name in names.items():
        text = text.replace(f'"{ident}"', f'"{name}"')
    return _without_constraint_names(json_object(text.encode()))


def _without_constraint_names(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "constraints"}
