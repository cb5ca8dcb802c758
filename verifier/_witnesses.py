"""Spec §10.5 and §13.1 check 1: the tree head a verifier checks carries a quorum of the
definition's witnesses' cosignatures.

Re-derived here on purpose (the board and the witness have their own code): the cosignature's
bytes are read with the wire format's parser (``bulletin_board.cosignature``), and the rule is
this module's: a cosignature counts if it verifies, cosigns exactly the final tree head, comes
from a witness the definition lists (each once), and, when the log holds a result, was made after
the close of voting in force. Fewer than the definition's quorum is a failure of check 1: a board
that rolled back or shows different logs to different readers would go unseen.
"""

from __future__ import annotations

from collections.abc import Sequence

from bulletin_board.cosignature import Cosignature
from bulletin_board.wire import SignedTreeHead
from election.definition import ElectionDefinition
from verifier._report import Report

__all__ = ["check_witnesses"]


def check_witnesses(
    report: Report,
    *,
    final: SignedTreeHead | None,
    cosignatures: Sequence[Cosignature],
    definition: ElectionDefinition | None,
    result: bool,
    voting_close: int | None,
) -> None:
    """Spec §13.1 check 1 (§10.5) Record whether ``final`` carries the definition's quorum of
    cosignatures; ``result``: the log holds the result, whose head must be cosigned after
    ``voting_close`` (ms, the close in force)."""
    if final is None or definition is None:
        return  # check 1 or 2 already failed for want of a tree head or a definition
    names = {w.key.raw: w.name for w in definition.witnesses}
    quorum = definition.witness_quorum
    counted: dict[bytes, Cosignature] = {}
    early = 0
    for cosignature in cosignatures:
        if not cosignature.matches(final):
            report.fail(
                1, None, f"a cosignature by {cosignature.witness.hex()[:16]} is not of the final "
                f"tree head (size {final.tree_size})",
            )  # fmt: skip
        elif cosignature.witness not in names or cosignature.witness in counted:
            continue  # not a listed witness, or the same witness twice: counted once at most
        elif result and voting_close is not None and cosignature.cosigned <= voting_close:
            early += 1
        else:
            counted[cosignature.witness] = cosignature
    if not definition.witnesses:
        report.notes.append(
            "the definition names no witnesses: a board that rolls back or shows different "
            "logs to different readers is caught only by a kept tree head (verify --since) or a "
            "receipt"
        )
        return
    who = ", ".join(names[k] for k in names if k in counted) or "none"
    if len(counted) >= quorum:
        report.ok(1)
        report.notes.append(
            f"tree head {final.tree_size} cosigned by {len(counted)} of the "
            f"{len(names)} witnesses (quorum {quorum}): {who}"
        )
        return
    late = f" ({early} made before the close of voting do not count)" if early else ""
    report.fail(
        1,
        None,
        f"the final tree head (size {final.tree_size}) carries {len(counted)} valid "
        f"cosignature(s) of the definition's witnesses{late}, the definition requires {quorum}: "
        "a rollback or split view would go unseen (the witnesses run verivote witness)",
    )
