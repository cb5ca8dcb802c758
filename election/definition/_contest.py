"""Spec §11.1 The contests on the ballot (their kinds, counting methods and quota constraints)
and §11.3 the ballot style a member's roll sections select."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from crypto.wire import expect_int, expect_list, expect_object, expect_str, parse_id, parse_text
from election.definition._errors import DefinitionError

__all__ = ["MAX_RANKING", "BallotStyle", "Constraint", "Contest", "ContestKind", "RankedMethod"]

# Spec §11.1 A ranking travels point-embedded (§5.6): at most 29 preferences.
MAX_RANKING: Final = 29


class ContestKind(StrEnum):
    """Spec §11.1 The kinds of contest."""

    BLOCK = "block"  # vote for up to k of n candidates (k = 1: plurality)
    APPROVAL = "approval"  # vote for any number of candidates
    REFERENDUM = "referendum"  # one of several fixed options (yes/no or more)
    RANKED = "ranked"  # a ranking, counted by IRV or STV after mixing


class RankedMethod(StrEnum):
    """Spec §11.1 Counting method of a ranked contest (the counting rules of spec section 12)."""

    IRV = "irv"
    SCOTTISH = "scottish"
    MEEK = "meek"


@dataclass(frozen=True, slots=True)
class Constraint:
    """Spec §11.1 A quota constraint: at least ``minimum`` / at most ``maximum`` of the seats go
    to candidates whose ``attribute`` equals ``value`` (e.g. gender = woman, minimum 5)."""

    attribute: str
    value: str
    minimum: int
    maximum: int | None

    def to_json(self) -> dict[str, Any]:
        return {
            "attribute": self.attribute,
            "value": self.value,
            "min": self.minimum,
            "max": self.maximum,
        }

    @classmethod
    def from_json(cls, value: object, what: str) -> Constraint:
        obj = expect_object(value, what, required={"attribute", "value", "min", "max"})
        maximum = obj["max"]
        return cls(
            attribute=parse_id(obj["attribute"], f"{what}.attribute"),
            value=parse_text(obj["value"], f"{what}.value"),
            minimum=expect_int(obj["min"], f"{what}.min", minimum=0),
            maximum=None if maximum is None else expect_int(maximum, f"{what}.max", minimum=0),
        )


@dataclass(frozen=True, slots=True)
class Contest:
    """Spec §11.1 One contest on the ballot.

    ``seats`` is the number to elect (1 for a referendum); ``max_selections`` how many a voter may
    mark (block vote: up to ``seats`` by default; approval: null until the candidate list fixes
    it to the number of candidates; referendum: 1; ranked: the most preferences counted).
    ``sections`` lists the roll sections that vote in it (empty: every member).
    """

    id: str
    title: str
    kind: ContestKind
    seats: int
    max_selections: int | None
    sections: tuple[str, ...]
    nomination_threshold: int
    method: RankedMethod | None
    question: str | None
    options: tuple[str, ...]
    constraints: tuple[Constraint, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "kind": self.kind.value,
            "seats": self.seats,
            "max_selections": self.max_selections,
            "sections": list(self.sections),
            "nomination_threshold": self.nomination_threshold,
            "method": None if self.method is None else self.method.value,
            "question": self.question,
            "options": list(self.options),
            "constraints": [c.to_json() for c in self.constraints],
        }

    @classmethod
    def from_json(cls, value: object, what: str) -> Contest:
        obj = expect_object(value, what, required=_CONTEST_KEYS)
        kind = _enum(ContestKind, obj["kind"], f"{what}.kind")
        method = obj["method"]
        question = obj["question"]
        max_selections = obj["max_selections"]
        return cls(
            id=parse_id(obj["id"], f"{what}.id"),
            title=parse_text(obj["title"], f"{what}.title"),
            kind=kind,
            seats=expect_int(obj["seats"], f"{what}.seats", minimum=1, maximum=1000),
            max_selections=None
            if max_selections is None
            else expect_int(max_selections, f"{what}.max_selections", minimum=1, maximum=1000),
            sections=tuple(
                parse_id(s, f"{what}.sections[{i}]")
                for i, s in enumerate(expect_list(obj["sections"], f"{what}.sections"))
            ),
            nomination_threshold=expect_int(
                obj["nomination_threshold"], f"{what}.nomination_threshold", minimum=0
            ),
            method=None if method is None else _enum(RankedMethod, method, f"{what}.method"),
            question=None if question is None else parse_text(question, f"{what}.question"),
            options=tuple(
                parse_text(o, f"{what}.options[{i}]")
                for i, o in enumerate(expect_list(obj["options"], f"{what}.options"))
            ),
            constraints=tuple(
                Constraint.from_json(c, f"{what}.constraints[{i}]")
                for i, c in enumerate(expect_list(obj["constraints"], f"{what}.constraints"))
            ),
        )

    def check(self, what: str) -> None:
        """Raises: DefinitionError when the contest's fields do not fit its kind."""
        if self.kind is ContestKind.REFERENDUM:
            if len(self.options) < 2:
                raise DefinitionError(f"{what}.options: a referendum needs at least 2 options")
            if len(set(self.options)) != len(self.options):
                raise DefinitionError(f"{what}.options: options must be distinct")
            if self.question is None:
                raise DefinitionError(f"{what}.question: a referendum needs a question")
            if self.seats != 1 or self.max_selections != 1:
                raise DefinitionError(f"{what}: a referendum has seats = 1, max_selections = 1")
            if self.constraints:
                raise DefinitionError(f"{what}.constraints: a referendum has no constraints")
        elif self.options or self.question is not None:
            raise DefinitionError(f"{what}: only a referendum has a question and options")
        if (self.kind is ContestKind.RANKED) != (self.method is not None):
            raise DefinitionError(f"{what}.method: required for ranked contests and only there")
        if self.kind is ContestKind.RANKED and self.method is RankedMethod.IRV and self.seats != 1:
            raise DefinitionError(f"{what}.seats: IRV elects exactly one")
        if self.kind is ContestKind.BLOCK and (
            self.max_selections is None or self.max_selections > self.seats
        ):
            raise DefinitionError(f"{what}.max_selections: a block vote allows 1 to seats marks")
        if self.kind is ContestKind.APPROVAL and self.max_selections is not None:
            raise DefinitionError(f"{what}.max_selections: approval allows every candidate")
        if self.kind is ContestKind.RANKED:
            if self.max_selections is None:
                raise DefinitionError(f"{what}.max_selections: required for a ranked contest")
            if self.max_selections > MAX_RANKING:
                raise DefinitionError(
                    f"{what}.max_selections: a ranking holds at most {MAX_RANKING} preferences"
                )
        groups = [(c.attribute, c.value) for c in self.constraints]
        if len(set(groups)) != len(groups):
            raise DefinitionError(f"{what}.constraints: one constraint per group")
        for i, c in enumerate(self.constraints):
            if c.maximum is not None and c.maximum < c.minimum:
                raise DefinitionError(f"{what}.constraints[{i}]: max is below min")
            if c.minimum > self.seats:
                raise DefinitionError(
                    f"{what}.constraints[{i}].min: more than the {self.seats} seats"
                )
            if c.minimum == 0 and c.maximum is None:
                raise DefinitionError(f"{what}.constraints[{i}]: needs a min above 0 or a max")


_CONTEST_KEYS: Final = {
    "id",
    "title",
    "kind",
    "seats",
    "max_selections",
    "sections",
    "nomination_threshold",
    "method",
    "question",
    "options",
    "constraints",
}


@dataclass(frozen=True, slots=True)
class BallotStyle:
    """Spec §11.3 A ballot style: the contests a member sees, derived from the roll sections.

    Its id is the contest ids joined by ``+`` in definition order.
    """

    contests: tuple[str, ...]

    @property
    def id(self) -> str:
        return "+".join(self.contests)


def _enum(enum: type[StrEnum], value: object, what: str) -> Any:
    text = expect_str(value, what)
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise DefinitionError(f"{what}: must be one of {allowed}, got {text!r}") from None
