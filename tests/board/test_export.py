"""Spec §10.4 The export verifies offline with crypto/merkle.py, and tampering is caught."""

from __future__ import annotations

import io
import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from bulletin_board.export import format_export, read_export, verify_export
from bulletin_board.wire import Leaf, SignedTreeHead
from crypto import canonical
from crypto.errors import InconsistentLog, InvalidSignature, MalformedInput
from crypto.merkle import (
    Frontier,
    consistency_proof,
    leaf_hash,
    reader_from_mapping,
    verify_consistency,
)
from tests.board.helpers import RULES, note, open_board, prechecked
from tests.jsondoc import json_object


def _export(db_url: str) -> list[bytes]:
    board = open_board(db_url)
    for batch in range(5):
        board.append("e1", [prechecked(note(f"{batch}-{i}")) for i in range(batch + 2)])
    final = board.latest_tree_head("e1")
    return list(
        format_export(
            election="e1",
            board_key=final.board_key,
            leaves=(r.raw for r in board.storage.leaves("e1", 0, final.tree_size)),
            tree_heads=((h.tree_size, h.raw) for h in board.storage.tree_heads("e1", up_to=99)),
        )
    )


def test_export_verifies_offline(db_url: str) -> None:
    lines = _export(db_url)
    summary = verify_export(io.BytesIO(b"".join(lines)), RULES.schemes)
    assert summary.leaves == 21
    assert summary.tree_heads == 6
    # Independently: recompute every tree head's root and check consistency proofs between
    # successive tree heads, using only crypto/merkle.py over the exported leaves.
    leaves = [Leaf.from_json(json_object(x[:-1])["leaf"], RULES.schemes)
              for x in lines if x.startswith(b'{"leaf"')]  # fmt: skip
    heads = [SignedTreeHead.from_json(json_object(x[:-1])["sth"])
             for x in lines if x.startswith(b'{"sth"')]  # fmt: skip
    table: dict[tuple[int, int], bytes] = {}
    frontier = Frontier.empty()
    for leaf in leaves:
        frontier, created = frontier.append(leaf_hash(leaf.raw))
        table.update(((lv, ix), h) for lv, ix, h in created)
    reader = reader_from_mapping(table)
    for old, new in itertools.pairwise(heads):
        verify_consistency(
            old_size=old.tree_size, new_size=new.tree_size, old_root=old.root_hash,
            new_root=new.root_hash,
            proof=consistency_proof(old.tree_size, new.tree_size, reader),
        )  # fmt: skip


def _mutate(lines: list[bytes], mutation: str) -> list[bytes]:
    lines = list(lines)
    leaf_lines = [i for i, x in enumerate(lines) if x.startswith(b'{"leaf"')]
    sth_lines = [i for i, x in enumerate(lines) if x.startswith(b'{"sth"')]
    if mutation == "truncated":
        return lines[:-1]
    if mutation == "trailing-garbage":
        return [*lines, b"{}\n"]
    if mutation == "dropped-leaf":
        del lines[leaf_lines[5]]
    elif mutation == "swapped-leaves":
        a, b = leaf_lines[4], leaf_lines[5]
        lines[a], lines[b] = lines[b], lines[a]
    elif mutation == "tampered-entry":
        lines[leaf_lines[3]] = lines[leaf_lines[3]].replace(b'"n":"', b'"n":"x')
    elif mutation == "tampered-received":
        lines[leaf_lines[3]] = lines[leaf_lines[3]].replace(b'"received":', b'"received":1')
    elif mutation == "tampered-root":
        value = json_object(lines[sth_lines[2]][:-1])
        value["sth"]["root_hash"] = "00" * 32
        lines[sth_lines[2]] = canonical.encode(value) + b"\n"
    elif mutation == "dropped-sth":
        del lines[sth_lines[2]]
    elif mutation == "non-canonical-line":
        lines[1] = lines[1].replace(b'{"leaf":', b'{ "leaf":')
    elif mutation == "no-final-newline":
        lines[-1] = lines[-1][:-1]
    elif mutation == "wrong-header-key":
        value = json_object(lines[0][:-1])
        value["board_key"] = "11" * 32
        lines[0] = canonical.encode(value) + b"\n"
    return lines


# The reader's reason for each mutation of _mutate (the export has 28 lines: a header, leaves and
# tree heads, the end line).
EXPORT_REFUSALS = {
    "truncated": "export truncated after line 28: no end line",
    "trailing-garbage": "export line 29: content after the end line",
    "dropped-leaf": "export line 9: tree head of size 6 after 5",
    "swapped-leaves": "export line 8: leaf index 5, expected 4",
    "tampered-entry": "Ed25519 signature does not verify",
    "tampered-received": r"export line 8: reception time goes back",
    "tampered-root": "Ed25519 signature does not verify",
    "dropped-sth": "export line 28: end line counts differ from the file's",
    "non-canonical-line": r"not in canonical form \(RFC 8785\)",
    "no-final-newline": r"export line 29 is truncated \(no newline\)",
    "wrong-header-key": "export line 2: leaf 0, and only leaf 0, is the board-key entry",
}


@pytest.mark.parametrize("mutation", EXPORT_REFUSALS)
def test_tampered_exports_fail(tmp_path: Path, mutation: str) -> None:
    lines = _export(f"sqlite:///{tmp_path / 'b.db'}")
    bad = _mutate(lines, mutation)
    errors = (MalformedInput, InvalidSignature, InconsistentLog)
    with pytest.raises(errors, match=EXPORT_REFUSALS[mutation]):
        list(read_export(iter(bad), RULES.schemes))


def test_export_reader_imports_no_storage_or_server() -> None:
    code = (
        "import sys, bulletin_board.export, bulletin_board.wire;"
        "bad = [m for m in ('sqlalchemy', 'fastapi', 'alembic', 'bulletin_board.storage',"
        " 'bulletin_board.service') if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
