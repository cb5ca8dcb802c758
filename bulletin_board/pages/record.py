"""Spec §12.1.5 Reading a published count record back into the ``CountResult`` it states, so
that the pages draw its stage table and chart with election/counting/report's rules.

Strict: every member of §12.1.5, names that are candidates, values with exactly ``decimals``
digits after the point, stages numbered from 1. ``read_count_record(r.to_dict()) == r`` for
every count (tests/pages/test_record.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from crypto.errors import MalformedInput
from election.counting.record import Action, ActionKind, CountResult, Stage, TieBreak

__all__ = ["COUNT_FORMAT", "read_count_record"]

COUNT_FORMAT: Final = "verivote-count"
_MEMBERS: Final = {
    "format", "version", "method", "title", "candidates", "seats", "decimals", "valid_ballots",
    "invalid_ballots", "distinct_sequences", "constraints", "lot", "quota", "stages", "elected",
}  # fmt: skip
_STAGE_MEMBERS: Final = {
    "stage", "action", "subjects", "quota", "totals", "transfers", "non_transferable",
    "loss_to_fractions", "exhausted", "lost", "elected", "excluded", "doomed", "guarded",
    "ties", "notes",
}  # fmt: skip
_MAX_CANDIDATES: Final = 500
_MAX_STAGES: Final = 2000


def _object(value: object, what: str, members: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or set(value) != members:
        raise MalformedInput(f"count record: {what} must have exactly {sorted(members)}")
    return value


def _int(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise MalformedInput(f"count record: {what} must be a non-negative integer")
    return value


def _list(value: object, what: str, maximum: int) -> Sequence[Any]:
    if not isinstance(value, list) or len(value) > maximum:
        raise MalformedInput(f"count record: {what} must be a list of at most {maximum}")
    return value


class _Reader:
    def __init__(self, candidates: Sequence[str], decimals: int) -> None:
        self.index = {name: i for i, name in enumerate(candidates)}
        if decimals == 0:
            self.pattern = re.compile(r"-?(0|[1-9][0-9]*)")
        else:
            self.pattern = re.compile(rf"-?(0|[1-9][0-9]*)\.[0-9]{{{decimals}}}")
        self.names = candidates

    def value(self, text: object, what: str) -> int:
        if not isinstance(text, str) or not self.pattern.fullmatch(text):
            raise MalformedInput(f"count record: {what} is not a value of this count: {text!r}")
        return int(text.replace(".", ""))

    def names_of(self, value: object, what: str) -> tuple[int, ...]:
        found = []
        for name in _list(value, what, _MAX_CANDIDATES):
            if name not in self.index:
                raise MalformedInput(f"count record: {what} names no candidate: {name!r}")
            found.append(self.index[name])
        return tuple(found)

    def per_candidate(self, value: object, what: str) -> tuple[int, ...]:
        if not isinstance(value, Mapping) or set(value) != set(self.names):
            raise MalformedInput(f"count record: {what} must give every candidate a value")
        return tuple(self.value(value[name], f"{what}.{name}") for name in self.names)

    def tie(self, value: object, what: str) -> TieBreak:
        tie = _object(value, what, {"purpose", "tied", "decided_by_stage", "order"})
        return TieBreak(
            purpose=str(tie["purpose"]),
            tied=self.names_of(tie["tied"], f"{what}.tied"),
            decided_by=_int(tie["decided_by_stage"], f"{what}.decided_by_stage"),
            order=self.names_of(tie["order"], f"{what}.order"),
        )

    def stage(self, value: object, number: int) -> Stage:
        what = f"stage {number}"
        s = _object(value, what, _STAGE_MEMBERS)
        if s["stage"] != number:
            raise MalformedInput(f"count record: {what} is numbered {s['stage']!r}")
        try:
            kind = ActionKind(s["action"])
        except ValueError:
            raise MalformedInput(f"count record: {what}: unknown action {s['action']!r}") from None
        return Stage(
            number=number,
            action=Action(kind, self.names_of(s["subjects"], f"{what}.subjects")),
            quota=self.value(s["quota"], f"{what}.quota"),
            totals=self.per_candidate(s["totals"], f"{what}.totals"),
            transfers=self.per_candidate(s["transfers"], f"{what}.transfers"),
            non_transferable=self.value(s["non_transferable"], f"{what}.non_transferable"),
            loss_to_fractions=self.value(s["loss_to_fractions"], f"{what}.loss_to_fractions"),
            exhausted=self.value(s["exhausted"], f"{what}.exhausted"),
            lost=self.value(s["lost"], f"{what}.lost"),
            elected=self.names_of(s["elected"], f"{what}.elected"),
            excluded=self.names_of(s["excluded"], f"{what}.excluded"),
            doomed=self.names_of(s["doomed"], f"{what}.doomed"),
            guarded=self.names_of(s["guarded"], f"{what}.guarded"),
            ties=tuple(
                self.tie(t, f"{what}.ties[{i}]")
                for i, t in enumerate(_list(s["ties"], f"{what}.ties", _MAX_CANDIDATES))
            ),
            notes=tuple(str(n) for n in _list(s["notes"], f"{what}.notes", _MAX_CANDIDATES)),
        )


def read_count_record(value: object) -> CountResult:
    """Spec §12.1.5 The count a record states.

    Raises:
        MalformedInput: not a count record of this form, naming the member at fault.
    """
    record = _object(value, "the record", _MEMBERS)
    if record["format"] != COUNT_FORMAT or record["version"] != 1:
        raise MalformedInput(f"count record: format must be {COUNT_FORMAT!r} version 1")
    candidates = tuple(str(c) for c in _list(record["candidates"], "candidates", _MAX_CANDIDATES))
    if not candidates or len(set(candidates)) != len(candidates):
        raise MalformedInput("count record: candidates must be distinct and at least one")
    decimals = _int(record["decimals"], "decimals")
    if decimals > 18:
        raise MalformedInput("count record: at most 18 decimals")
    reader = _Reader(candidates, decimals)
    lot = _object(record["lot"], "lot", {"seed", "contest"})
    try:
        seed = bytes.fromhex(str(lot["seed"]))
    except ValueError:
        raise MalformedInput("count record: the lot seed is not hex") from None
    stages = tuple(
        reader.stage(s, i)
        for i, s in enumerate(_list(record["stages"], "stages", _MAX_STAGES), start=1)
    )
    if not stages:
        raise MalformedInput("count record: no stage")
    result = CountResult(
        method=str(record["method"]),
        title=str(record["title"]),
        candidates=candidates,
        seats=_int(record["seats"], "seats"),
        decimals=decimals,
        valid_ballots=_int(record["valid_ballots"], "valid_ballots"),
        invalid_ballots=_int(record["invalid_ballots"], "invalid_ballots"),
        distinct_sequences=_int(record["distinct_sequences"], "distinct_sequences"),
        constraints=tuple(str(c) for c in _list(record["constraints"], "constraints", 64)),
        lot_seed=seed,
        contest=str(lot["contest"]),
        stages=stages,
        elected=reader.names_of(record["elected"], "elected"),
    )
    if reader.value(record["quota"], "quota") != result.quota:
        raise MalformedInput("count record: quota differs from stage 1's")
    return result
