"""Spec §10.5, §13.1 check 1: the verifier requires the checked tree head to carry the
definition's quorum of witnesses' cosignatures. A board that forks (two views under one key) and
one that rolls back are both caught: the witnesses refuse to cosign them, and the verifier fails
for want of a quorum; a cosigned head the log contradicts is named as a fork or a cut."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from bulletin_board.client import BoardClient
from bulletin_board.cosignature import sign_cosignature
from bulletin_board.wire import sign_tree_head
from bulletin_board.witness import Witness, WitnessState
from crypto.errors import InconsistentLog
from election.definition import ElectionDefinition
from simulation.boards import MemoryBoard
from simulation.served import SimulatedClock, served_copy
from tests.board.witnessed import KEYS, PLAN, witnessed_log
from tests.election.board_log import BOARD_KEY
from verifier import verify_export_file, verify_source
from verifier._report import Report
from verifier._witnesses import check_witnesses

E = PLAN.election


@pytest.fixture
def boards(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Three boards under the same key: the log as it grew, the same log cut short (a
    rollback), and a view that forked from it (another candidate list)."""
    logs: dict[str, MemoryBoard] = {
        "grown": witnessed_log(grown=True),
        "short": witnessed_log(),
        "forked": witnessed_log(grown=True, order="nominated"),
    }
    with ExitStack() as stack:
        yield {
            name: stack.enter_context(
                served_copy(log, f"sqlite:///{tmp_path / name}.db", BOARD_KEY,
                            clock=SimulatedClock(0))
            )
            for name, log in logs.items()
        }  # fmt: skip


def _witness(j: int, tmp_path: Path) -> Witness:
    return Witness(KEYS.witnesses[j], WitnessState(tmp_path / f"witness-{j}"))


def _check_1(report: Report) -> list[str]:
    return [f.message for f in report.findings() if f.check == 1]


def test_a_quorum_of_witnesses_passes_and_too_few_fail(
    boards: dict[str, str], tmp_path: Path
) -> None:
    url = f"{boards['grown']}/v1/elections/{E}"
    _witness(0, tmp_path).check_and_cosign(boards["grown"], E)
    report = verify_source(url, jobs=1)
    assert _check_1(report) == [
        "the final tree head (size 6) carries 1 valid cosignature(s) of the definition's "
        "witnesses, the definition requires 2: a rollback or split view would go unseen (the "
        "witnesses run verivote witness)"
    ]
    assert report.exit_status == 1
    _witness(2, tmp_path).check_and_cosign(boards["grown"], E)
    report = verify_source(url, jobs=1)
    assert _check_1(report) == []
    assert "tree head 6 cosigned by 2 of the 3 witnesses (quorum 2): Witness 1, Witness 3" in (
        report.notes
    )


def test_a_fork_and_a_rollback_are_caught(boards: dict[str, str], tmp_path: Path) -> None:
    first, second = _witness(0, tmp_path), _witness(1, tmp_path)
    for witness in (first, second):
        assert witness.check_and_cosign(boards["grown"], E).cosigned
    # The other view and the old log: the witnesses who saw the grown log cosign neither.
    with pytest.raises(InconsistentLog, match="the board forked"):
        first.check_and_cosign(boards["forked"], E)
    with pytest.raises(InconsistentLog, match="the board rolled back"):
        second.check_and_cosign(boards["short"], E)
    # A witness who saw only the forked view cosigns it: one of the quorum of two.
    assert _witness(2, tmp_path).check_and_cosign(boards["forked"], E).cosigned
    for name, found in (("forked", 1), ("short", 0)):
        report = verify_source(f"{boards[name]}/v1/elections/{E}", jobs=1)
        assert report.exit_status == 1, name
        assert _check_1(report)[0].startswith(
            f"the final tree head (size {6 if name == 'forked' else 5}) carries {found} valid"
        )
    assert verify_source(f"{boards['grown']}/v1/elections/{E}", jobs=1).checks[1].failed == 0


def _export(url: str, path: Path) -> Path:
    with BoardClient(url, E) as client:
        client.export_to(path)
    return path


def test_a_cosigned_head_the_log_contradicts_is_named(
    boards: dict[str, str], tmp_path: Path
) -> None:
    with BoardClient(boards["grown"], E) as client:
        grown = client.tree_head()
    forked = _export(boards["forked"], tmp_path / "forked.jsonl")
    report = verify_export_file(forked, jobs=1, cosigned=grown)
    assert any("proof that the board forked" in m for m in _check_1(report))
    short = _export(boards["short"], tmp_path / "short.jsonl")
    report = verify_export_file(short, jobs=1, cosigned=grown)
    assert any("cut short (rolled back)" in m for m in _check_1(report))


def test_a_tampered_cosignature_line_is_refused_for_its_reason(
    boards: dict[str, str], tmp_path: Path
) -> None:
    _witness(0, tmp_path).check_and_cosign(boards["grown"], E)
    path = _export(boards["grown"], tmp_path / "grown.jsonl")
    lines = path.read_bytes().splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines) if text.startswith(b'{"cosignature":'))
    lines[line] = lines[line].replace(b'"cosigned":', b'"cosigned":1', 1)
    path.write_bytes(b"".join(lines))
    messages = _check_1(verify_export_file(path, jobs=1))
    assert any("cosignature: Ed25519 signature does not verify" in m for m in messages)


def test_cosignatures_made_before_the_close_do_not_count_for_a_result() -> None:
    definition = ElectionDefinition.from_toml(PLAN.definition_toml_for(KEYS))
    head = sign_tree_head(election=E, tree_size=5, root_hash=bytes(32), timestamp=1000,
                          rehearsal=False, key=BOARD_KEY)  # fmt: skip
    cosignatures = [sign_cosignature(head, cosigned=2000, key=k) for k in KEYS.witnesses]
    report = Report()
    check_witnesses(report, final=head, cosignatures=cosignatures, definition=definition,
                    result=True, voting_close=5000)  # fmt: skip
    assert next(f.message for f in report.findings()).startswith(
        "the final tree head (size 5) carries 0 valid cosignature(s) of the definition's "
        "witnesses (3 made before the close of voting do not count)"
    )
    report = Report()
    check_witnesses(report, final=head, cosignatures=cosignatures, definition=definition,
                    result=False, voting_close=5000)  # fmt: skip
    assert report.passed
