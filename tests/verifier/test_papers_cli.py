"""``verivote papers`` (issue 11 item 4) from a local export file: a ranked contest's decrypted
papers as the result publishes them, written as a BLT file that ``verivote count`` recounts to
the published winners; its refusals (no result yet, not a ranked contest, no such contest), each
one line with exit status 2 and nothing written; candidates named by id in the file when their
names are not distinct or hold a double quote (BLT cannot quote one, §12.1.2)."""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli.main import verivote
from cli.papers import read_published
from election.counting import read_blt
from election.wire import RankedContestResult
from tests.election.scenario import ADMIN
from tests.verifier.election import Built, export_bytes, resign


def _papers(tmp: Path, *args: str) -> Result:
    old = Path.cwd()
    os.chdir(tmp)
    try:
        return CliRunner().invoke(verivote, list(args))
    finally:
        os.chdir(old)


def _export(tmp: Path, built: Built, leaves: list[tuple[bytes, int]] | None = None) -> Path:
    path = tmp / "board.export"
    path.write_bytes(export_bytes(built.leaves if leaves is None else leaves))
    return path


def test_the_papers_of_a_local_export_recount_to_the_published_winners(
    built: Built, tmp_path: Path
) -> None:
    export = _export(tmp_path, built)
    out = _papers(tmp_path, "papers", str(export), "--contest", "leader", "--out", "leader.blt")
    assert out.exit_code == 0, out.output
    published = read_published(export)
    assert published.result is not None
    got = next(c for c in published.result.contests if c.contest == "leader")
    assert isinstance(got, RankedContestResult)
    read = read_blt((tmp_path / "leader.blt").read_bytes())
    assert read.seats == 1
    assert read.profile.candidates == ("Lea Lund", "Max Moss", "Noa Nye")
    assert read.profile.valid + read.profile.invalid == len(got.papers) == 4
    assert out.output.startswith(
        f"leader.blt: 4 papers of leader ({read.profile.valid} valid, "
        f"{read.profile.invalid} invalid), 3 candidates, 1 seat(s)\n"
    )
    found = re.search(r"recount with: (.*)", out.output)
    assert found is not None
    command = shlex.split(found.group(1))
    assert command[:3] == ["verivote", "count", "leader.blt"]
    assert command[command.index("--seed") + 1] == published.result.seed.hex()
    recount = _papers(tmp_path, *command[1:])
    assert recount.exit_code == 0, recount.output
    names = {c.id: c.name for c in published.candidate_lists["leader"].candidates}
    assert f"elected, in order: {names[got.elected[0]]}" in recount.output


@pytest.mark.parametrize(
    ("contest", "cut_at", "said"),
    [
        ("leader", "result", "error: the board holds no result yet: the papers are in the result"),
        ("nec-clp", None, "error: nec-clp is a block contest: it has no papers"),
        ("rule-change-1", None, "error: rule-change-1 is a referendum contest: it has no papers"),
        ("nobody", None, "error: the election has no contest 'nobody'"),
    ],
    ids=["no-result-yet", "block", "referendum", "unknown-contest"],
)
def test_each_refusal_is_one_line_and_writes_nothing(
    built: Built, tmp_path: Path, contest: str, cut_at: str | None, said: str
) -> None:
    leaves = built.leaves if cut_at is None else built.leaves[: built.index_of(cut_at)]
    export = _export(tmp_path, built, leaves)
    out = _papers(tmp_path, "papers", str(export), "--contest", contest, "--out", "x.blt")
    assert out.exit_code == 2, out.output
    assert out.output.splitlines() == [said]
    assert not (tmp_path / "x.blt").exists()


def _rename(names: dict[str, str]) -> Callable[[dict[str, Any]], None]:
    def change(payload: dict[str, Any]) -> None:
        for candidate in payload["candidates"]:
            candidate["name"] = names.get(candidate["id"], candidate["name"])

    return change


@pytest.mark.parametrize(
    "names",
    [{"noa": "Lea Lund"}, {"max": 'Max "the Axe" Moss'}],
    ids=["duplicate-names", "a-quoted-name"],
)
def test_names_a_blt_file_cannot_hold_become_the_ids(
    built: Built, tmp_path: Path, names: dict[str, str]
) -> None:
    leaves = list(built.leaves)
    listed = next(
        k
        for k, (raw, _) in enumerate(leaves)
        if b'"candidate-list"' in raw and b'"contest":"leader"' in raw
    )
    raw, received = leaves[listed]
    leaves[listed] = (resign(raw, _rename(names), ADMIN), received)
    export = _export(tmp_path, built, leaves)
    published = read_published(export)
    shown = [c.name for c in published.candidate_lists["leader"].candidates]
    assert set(names.values()) <= set(shown)  # the list as changed
    out = _papers(tmp_path, "papers", str(export), "--contest", "leader", "--out", "leader.blt")
    assert out.exit_code == 0, out.output
    read = read_blt((tmp_path / "leader.blt").read_bytes())
    assert read.profile.candidates == ("lea", "max", "noa")
    assert "3 candidates" in out.output
