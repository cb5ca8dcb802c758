"""Issue 16 item 1: ``verivote verify`` on an export or a kept tree head holding a lone-surrogate
escape (``\\udc00``) in an object key printed a 55-line traceback. Through the verifier's public
entry point (the CLI): a header, a ``--since`` or ``--receipt`` file that does not parse is
unreadable input (one line, exit 2); a leaf or tree head that does not parse fails check 1 for
its reason, in the report (exit 1). Never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import verivote
from tests.verifier.election import Built, export_bytes

# The reproduction: a key with a lone surrogate beside a non-ASCII key.
MEMBERS = b'"\\udc00":1,"\xc3\xa9":1,'


def _export(built: Built, tmp_path: Path, change: tuple[bytes, bytes] | None = None) -> Path:
    data = export_bytes(built.leaves)
    if change is not None:
        assert change[0] in data
        data = data.replace(*change, 1)
    path = tmp_path / "export.jsonl"
    path.write_bytes(data)
    return path


def _verify(*argv: str) -> Result:
    result = CliRunner().invoke(verivote, ["verify", *argv, "--jobs", "1", "--quiet"])
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def test_an_export_header_with_a_lone_surrogate_key_is_one_line_exit_2(
    built: Built, tmp_path: Path
) -> None:
    export = _export(built, tmp_path, (b'{"board_key"', b"{" + MEMBERS + b'"board_key"'))
    result = _verify(str(export))
    assert result.exit_code == 2
    assert result.output == (
        "error: not a verivote board export: object key contains a lone surrogate U+DC00 at "
        "character 0\n"
    )


@pytest.mark.parametrize("option", ["--since", "--receipt"])
def test_a_kept_file_with_a_lone_surrogate_key_is_one_line_exit_2(
    built: Built, tmp_path: Path, option: str
) -> None:
    kept = tmp_path / "kept.json"
    kept.write_bytes(b"{" + MEMBERS + b'"version":1}\n')
    result = _verify(str(_export(built, tmp_path)), option, str(kept))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "does not parse: object key contains a lone surrogate U+DC00" in result.output


LEAVES = {
    # Leaf 0, the board's entry: read with canonical decoding.
    "board-key-entry": (b'{"entry":{"author"', b'{"entry":{' + MEMBERS + b'"author"',
                        "check 1: entry 0: leaf: object key contains a lone surrogate U+DC00"),
    # A ballot: located by the reader's fast path, decoded by a ballot worker.
    "ballot-payload": (b'"role":"voter"},"election":"nec-2027","payload":{',
                       b'"role":"voter"},"election":"nec-2027","payload":{' + MEMBERS,
                       ": entry: object key contains a lone surrogate U+DC00"),
    "tree-head": (b'{"sth":{', b'{"sth":{' + MEMBERS,
                  "check 1: entry 6: signed tree head: object key contains a lone surrogate"),
}  # fmt: skip


@pytest.mark.parametrize("case", LEAVES)
def test_a_leaf_or_tree_head_with_a_lone_surrogate_fails_check_1(
    built: Built, tmp_path: Path, case: str
) -> None:
    old, new, reason = LEAVES[case]
    result = _verify(str(_export(built, tmp_path, (old, new))))
    assert result.exit_code == 1, result.output
    assert "[FAIL] 1." in result.output
    assert reason in result.output
