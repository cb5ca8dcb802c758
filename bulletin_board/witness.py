"""Spec §10.5 What a witness does: keep the last tree head it cosigned per election, check each
new head of the board against it (same board key, not smaller, not older, consistent by a
consistency proof, §9.3), and cosign only a head that passes.

``Witness.check_and_cosign`` is one round for one election's log. The kept head and its
cosignature are written (atomically) BEFORE the cosignature is posted, so that a witness never
cosigns two inconsistent heads, even across a crash. A head it refuses is kept beside the state
as evidence (``<election>.refused.json``: the board's signed head, which with the kept one proves
the board's misbehaviour, §10.2).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from bulletin_board.client import BoardClient
from bulletin_board.cosignature import Cosignature, sign_cosignature
from bulletin_board.wire import SignedTreeHead
from crypto import canonical
from crypto.errors import InconsistentLog, MalformedInput, VerificationFailed
from crypto.merkle import verify_consistency
from crypto.signing import SigningKey
from crypto.wire import expect_object

__all__ = ["Round", "Witness", "WitnessState"]

_STATE_BYTES: Final = 8192


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class Round:
    """What one round did for one election: ``cosigned`` a new head, or found the ``head`` it
    cosigned before (its cosignature posted again if the board lost it); ``skipped`` says why it
    did nothing (no definition yet, not a witness of the election)."""

    election: str
    head: SignedTreeHead | None
    cosigned: bool = False
    skipped: str = ""

    def line(self) -> str:
        """One line for the witness's output."""
        if self.head is None:
            return f"{self.election}: {self.skipped}"
        what = "cosigned" if self.cosigned else "still at"
        return (
            f"{self.election}: {what} tree head {self.head.tree_size} "
            f"(root {self.head.root_hash.hex()[:16]})"
        )


@dataclass(frozen=True, slots=True)
class WitnessState:
    """Spec §10.5 The witness's state directory: per election, the last head it cosigned and
    its cosignature (``<election>.json``, canonical JSON)."""

    directory: Path

    def path(self, election: str) -> Path:
        return self.directory / f"{election}.json"

    def kept(self, election: str) -> tuple[SignedTreeHead, Cosignature] | None:
        """The kept head and cosignature (None: this witness never cosigned this election).

        Raises:
            MalformedInput: a state file that does not parse (never silently replaced).
        """
        path = self.path(election)
        if not path.exists():
            return None
        try:
            obj = expect_object(
                canonical.decode(path.read_bytes(), max_bytes=_STATE_BYTES),
                "witness state",
                required={"sth", "cosignature"},
            )
            head = SignedTreeHead.from_json(obj["sth"])
            cosignature = Cosignature.from_json(obj["cosignature"])
        except (MalformedInput, VerificationFailed) as exc:
            raise MalformedInput(f"{path}: not a witness state file: {exc}") from None
        if not cosignature.matches(head):
            raise MalformedInput(f"{path}: its cosignature is not of its tree head")
        return head, cosignature

    def keep(self, head: SignedTreeHead, cosignature: Cosignature) -> None:
        """Write the new state durably (a temporary file renamed over the old one)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        data = canonical.encode({"sth": head.to_json(), "cosignature": cosignature.to_json()})
        self._write(self.path(head.election), data)

    def keep_refused(self, head: SignedTreeHead) -> Path:
        """Keep a refused head as evidence; its path."""
        path = self.directory / f"{head.election}.refused.json"
        self._write(path, head.to_bytes())
        return path

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        temporary = path.with_suffix(".tmp")
        with temporary.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)


@dataclass(frozen=True, slots=True)
class Witness:
    """Spec §10.5 A witness: its key, its state, and its clock (ms since the Unix epoch)."""

    key: SigningKey
    state: WitnessState
    clock: Callable[[], int] = _now_ms

    def check_and_cosign(self, board_url: str, election: str, *, timeout: float = 60.0) -> Round:
        """Spec §10.5 One round for ``election`` on the board at ``board_url``.

        Raises:
            InconsistentLog: the board rolled back, forked, or changed its key (not cosigned;
                the head kept as evidence). BoardRefused, BoardUnreachable, MalformedInput.
        """
        kept = self.state.kept(election)
        pinned = None if kept is None else kept[0].board_key
        with BoardClient(board_url, election, board_key=pinned, timeout=timeout) as client:
            try:
                client.key()
            except InconsistentLog as exc:
                raise InconsistentLog(f"{election}: {exc}; not cosigned") from None
            definition = client.definition()
            if definition is None:
                return Round(election, None, skipped="no election definition on the board yet")
            if self.key.verify_key not in {w.key for w in definition.witnesses}:
                return Round(election, None, skipped="this key is not one of its witnesses")
            head = client.tree_head()
            if kept is not None:
                previous, cosignature = kept
                if head == previous:  # the same head: make sure the board holds ours
                    client.post_cosignature(cosignature)
                    return Round(election, head)
                self._check(client, previous, head)
            cosignature = sign_cosignature(
                head, cosigned=max(self.clock(), head.timestamp), key=self.key
            )
            self.state.keep(head, cosignature)
            client.post_cosignature(cosignature)
            return Round(election, head, cosigned=True)

    def _check(self, client: BoardClient, kept: SignedTreeHead, head: SignedTreeHead) -> None:
        """Spec §10.5 checks 3 and 4: not smaller, not older, consistent with the kept head."""
        election = head.election
        problem = ""
        if head.tree_size < kept.tree_size:
            problem = (
                f"the board rolled back: its tree head has {head.tree_size} leaves, below the "
                f"{kept.tree_size} this witness cosigned"
            )
        elif head.timestamp < kept.timestamp:
            problem = "the board's tree head is older than the one this witness cosigned"
        elif head.tree_size == kept.tree_size:
            problem = (
                f"the board forked: its tree head of {head.tree_size} leaves has another root "
                "than the one this witness cosigned"
            )
        else:
            proof = client.consistency_proof(kept.tree_size, head.tree_size)
            try:
                verify_consistency(
                    old_size=kept.tree_size,
                    new_size=head.tree_size,
                    old_root=kept.root_hash,
                    new_root=head.root_hash,
                    proof=proof,
                )
            except VerificationFailed:
                problem = (
                    f"the board forked: its tree head of {head.tree_size} leaves is not "
                    f"consistent with the head of {kept.tree_size} this witness cosigned"
                )
        if problem:
            evidence = self.state.keep_refused(head)
            raise InconsistentLog(f"{election}: {problem}; not cosigned (its head: {evidence})")
