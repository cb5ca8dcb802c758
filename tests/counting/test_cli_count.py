"""``verivote count`` end to end (spec §12.1.5): outputs, and one-line errors with exit codes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import verivote
from crypto import canonical
from tests.counting.data import DATA

CALTON = str(DATA / "glasgow_2017_ward09_calton.blt")


def _run(*args: str) -> Result:
    return CliRunner().invoke(verivote, ["count", *args])


def _one_line_error(result: Result, code: int) -> str:
    assert result.exit_code == code, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_count_prints_stages_and_writes_json_csv_html(tmp_path: Path) -> None:
    out = tmp_path / "calton"
    result = _run(CALTON, "--json", f"{out}.json", "--csv", f"{out}.csv", "--html", f"{out}.html")
    assert result.exit_code == 0, result.output
    assert "elected, in order: Greg HEPBURN (SNP), Cecilia O'LONE (Lab)" in result.output
    assert "stage 9: Exclusion of Linda PIKE (SNP)" in result.output
    seed = hashlib.sha256(Path(CALTON).read_bytes()).hexdigest()
    assert f"lot seed {seed} (SHA-256 of the ballot file)" in result.output
    doc = canonical.decode(Path(f"{out}.json").read_bytes())
    assert isinstance(doc, dict)
    assert doc["lot"] == {"contest": "", "seed": seed}
    assert doc["method"] == "scottish-stv"
    assert Path(f"{out}.csv").read_text().startswith("stage,row,action")
    assert Path(f"{out}.html").read_text().count("<svg") == 9


def test_meek_and_irv_methods() -> None:
    meek = _run(CALTON, "--method", "meek", "--seed", "ab" * 32, "--contest", "ward-9")
    assert meek.exit_code == 0, meek.output
    assert "Linda PIKE (SNP)" in meek.output.split("elected, in order:")[1]
    irv = _run(str(DATA / "burlington_2009_mayor.blt"), "--method", "irv")
    assert irv.exit_code == 0, irv.output
    assert "elected, in order: Bob Kiss" in irv.output
    assert "8976 valid and 4 invalid ballots" in irv.output


def test_constraints_from_an_attributes_file(tmp_path: Path) -> None:
    attributes = tmp_path / "groups.csv"
    attributes.write_text(
        "candidate,group\n"
        "Jennifer LAYDEN (SNP),women\nLorraine MCLAREN (Grn),women\n"
        "Cecilia O'LONE (Lab),women\nLinda PIKE (SNP),women\n"
    )
    result = _run(CALTON, "--min", "women=3", "--attributes", str(attributes))
    assert result.exit_code == 0, result.output
    assert "constraints: women >= 3" in result.output
    assert "(constraint, §12.5)" in result.output
    infeasible = _run(CALTON, "--min", "women=5", "--attributes", str(attributes))
    assert "cannot be met" in _one_line_error(infeasible, 1)


def test_csv_ballots(tmp_path: Path) -> None:
    ballots = tmp_path / "primary.csv"
    ballots.write_text("weight,Ann,Bob,Cat\n3,1,2,\n2,2,1,\n2,,,1\n1,1,1,\n")
    result = _run(str(ballots), "--seats", "2")
    assert result.exit_code == 0, result.output
    assert "7 valid and 1 invalid ballots" in result.output
    assert "--seats is needed" in _one_line_error(_run(str(ballots)), 2)


def test_csv_saved_by_excel_with_a_byte_order_mark_and_crlf_is_read(tmp_path: Path) -> None:
    """Issue 15 item 7: Excel's "CSV UTF-8" starts with a byte-order mark and ends lines with
    CRLF; a ballot file and an attributes file saved so count as the plain ones do."""
    bom = "\ufeff".encode()
    ballots = tmp_path / "primary.csv"
    ballots.write_bytes(bom + b"weight,Ann,Bob,Cat\r\n3,1,2,\r\n2,2,1,\r\n2,,,1\r\n1,1,1,\r\n")
    groups = tmp_path / "groups.csv"
    groups.write_bytes(bom + b"candidate,group\r\nCat,women\r\n")
    result = _run(str(ballots), "--seats", "2", "--min", "women=1", "--attributes", str(groups))
    assert result.exit_code == 0, result.output
    assert "7 valid and 1 invalid ballots" in result.output
    assert "constraints: women >= 1" in result.output
    assert "Cat" in result.output.split("elected, in order:")[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.blt"], "No such file"),
        (["--seed", "xyz", CALTON], "lot seed"),
        (["--min", "women=3", CALTON], "--attributes"),
        (["--min", "women", CALTON], "GROUP=N"),
        (["--method", "irv", "--seats", "2", CALTON], "IRV fills one seat"),
        (["--seats", "0", CALTON], "at least one seat"),
    ],
)
def test_bad_input_gives_one_line_and_status_2(args: list[str], message: str) -> None:
    assert message in _one_line_error(_run(*args), 2)


def test_malformed_blt_names_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.blt"
    bad.write_text('2 1\n1 1 3 0\n0\n"A"\n"B"\n"t"\n')
    assert "line 2: candidate 3 outside 1..2" in _one_line_error(_run(str(bad)), 2)


def test_a_tie_decided_by_lot_names_the_seed_and_the_rule(tmp_path: Path) -> None:
    """Issue 15 item 4: A and B are equal at every stage; the lot excludes one of them, and the
    printed stages and the HTML report say "decided by lot, seed ..., rule §12.6"."""
    blt = tmp_path / "tie.blt"
    blt.write_text('3 1\n2 1 0\n2 2 0\n4 3 0\n0\n"A"\n"B"\n"C"\n"tie"\n')
    seed = "cd" * 32
    html_path = tmp_path / "tie.html"
    result = _run(str(blt), "--method", "irv", "--seed", seed, "--html", str(html_path))
    assert result.exit_code == 0, result.output
    assert f"tie (exclude) decided by lot, seed {seed}, rule §12.6" in result.output
    assert f"decided by lot, seed {seed}, rule §12.6" in html_path.read_text()
