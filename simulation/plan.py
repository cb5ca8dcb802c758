"""What election to build: the parameters of its definition (contests, sections, t of n
trustees, the timetable on a clock), its nominees, its members, and the role keys that sign it.

A plan is plain data: ``ElectionPlan.definition_toml`` writes the election.toml it stands for
(given the role keys' public halves, so that keys made elsewhere, by ``verivote keys generate``
for instance, fit too), and ``ElectionPlan.roll`` draws each member's sections.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Final

from crypto.signing import SigningKey
from election.rules import to_ms
from election.wire import Candidate

__all__ = ["DAY", "ElectionPlan", "Nominee", "RoleKeys", "Timetable", "contest_toml"]

#: A day of the board's clock, in milliseconds.
DAY: Final = 86_400_000


def contest_toml(id: str, title: str, kind: str, **fields: object) -> str:
    """One ``[[contests]]`` table of election.toml (docs/election-toml.md): strings quoted,
    numbers as they are, lists (of strings, or of tables such as constraints) inline."""

    def value(v: object) -> str:
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, bool | int):
            return str(v).lower() if isinstance(v, bool) else str(v)
        if isinstance(v, Mapping):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        if isinstance(v, Sequence):
            return "[ " + ", ".join(value(x) for x in v) + " ]"
        raise TypeError(f"no TOML form for {v!r}")

    lines = [f"id = {value(id)}", f"title = {value(title)}", f"kind = {value(kind)}"]
    lines += [f"{name} = {value(v)}" for name, v in fields.items()]
    return "\n[[contests]]\n" + "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class Nominee:
    """A nominee of a contest, and who nominates them (one nomination entry each)."""

    id: str
    name: str
    attributes: Mapping[str, str] = field(default_factory=dict)
    nominators: tuple[str, ...] = ("Members",)

    def candidate(self) -> Candidate:
        return Candidate(self.id, self.name, dict(self.attributes))


@dataclass(frozen=True, slots=True)
class Timetable:
    """The election's timetable, in days after the plan's ``start``. The key ceremony's
    deadlines (spec §11.1) default to half and three quarters of the way from the close of
    nominations to the opening of voting (the builder runs the ceremony at nominations close +
    0.5 days, before both)."""

    nominations_open: float = 1
    nominations_close: float = 8
    voting_open: float = 15
    voting_close: float = 22
    trustee_keys_close: float | None = None
    ceremony_close: float | None = None

    @property
    def keys_close(self) -> float:
        """Spec §11.1 ``trustee_keys_close``, in days."""
        if self.trustee_keys_close is not None:
            return self.trustee_keys_close
        return self.nominations_close + (self.voting_open - self.nominations_close) / 2

    @property
    def ceremony_closes(self) -> float:
        """Spec §11.1 ``ceremony_close``, in days."""
        if self.ceremony_close is not None:
            return self.ceremony_close
        return self.nominations_close + (self.voting_open - self.nominations_close) * 3 / 4


@dataclass(frozen=True, slots=True)
class RoleKeys:
    """The Ed25519 signing keys of the administrator, the issuer, trustees 1 to n and the
    witnesses (spec §10.5)."""

    administrator: SigningKey
    issuer: SigningKey
    trustees: tuple[SigningKey, ...]
    witnesses: tuple[SigningKey, ...] = ()

    @classmethod
    def generate(cls, trustees: int, witnesses: int = 0) -> RoleKeys:
        """Fresh keys (from ``secrets``)."""
        return cls(
            SigningKey.generate(),
            SigningKey.generate(),
            tuple(SigningKey.generate() for _ in range(trustees)),
            tuple(SigningKey.generate() for _ in range(witnesses)),
        )

    @classmethod
    def fixed_for_testing(cls, trustees: int, witnesses: int = 0) -> RoleKeys:
        """Keys anyone can derive (administrator 01..01, issuer 02..02, trustee i (10 + i - 1)
        repeated, witness i (40 + i - 1) repeated): for tests and benchmarks, whose elections
        must be reproducible. Never for an election that matters."""
        return cls(
            SigningKey(bytes([1] * 32)),
            SigningKey(bytes([2] * 32)),
            tuple(SigningKey(bytes([10 + i] * 32)) for i in range(trustees)),
            tuple(SigningKey(bytes([40 + i] * 32)) for i in range(witnesses)),
        )

    def trustee(self, j: int) -> SigningKey:
        """Trustee ``j``'s key (1-based, as in the spec)."""
        return self.trustees[j - 1]


@dataclass(frozen=True, slots=True)
class ElectionPlan:
    """An election to build.

    ``contests`` are ``[[contests]]`` tables as election.toml has them (docs/election-toml.md;
    ``contest_toml`` writes one);
    ``nominees`` lists each candidate contest's nominees in the order they are nominated.
    ``start`` is the board's clock when the definition is posted; the timetable counts days from
    it. ``members`` are drawn by ``roll``: each is in ``sections[0]``, and in each section of
    ``section_shares`` with that probability. Trustees in ``absent`` do not decrypt.
    ``witnesses`` cosign the board's tree heads, ``witness_quorum`` of them required (§10.5).
    """

    election: str
    contests: str
    nominees: Mapping[str, Sequence[Nominee]] = field(default_factory=dict)
    title: str = "Election (demonstration)"
    organisation: str = "Example Party"
    time_zone: str = "Europe/London"
    sections: tuple[str, ...] = ("member",)
    trustees: int = 5
    threshold: int = 3
    absent: frozenset[int] = frozenset()
    start: datetime = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    timetable: Timetable = field(default_factory=Timetable)
    members: int = 100
    section_shares: Mapping[str, float] = field(default_factory=dict)
    witnesses: int = 0
    witness_quorum: int = 0

    def at(self, days: float) -> int:
        """The board time (ms) ``days`` after ``start``."""
        return to_ms(self.start + timedelta(days=days))

    def definition_toml(
        self,
        *,
        administrator: str,
        issuer: str,
        trustees: Sequence[str],
        witnesses: Sequence[str] = (),
    ) -> str:
        """The election.toml of this plan, naming these role keys (public keys, 64 hex)."""
        if len(trustees) != self.trustees:
            raise ValueError(f"{len(trustees)} trustee keys for {self.trustees} trustees")
        if len(witnesses) != self.witnesses:
            raise ValueError(f"{len(witnesses)} witness keys for {self.witnesses} witnesses")

        def when(days: float) -> str:
            moment = self.start + timedelta(days=days)
            return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        members = ",\n".join(
            f'  {{ name = "Trustee {i}", key = "{key}" }}' for i, key in enumerate(trustees, 1)
        )
        sections = ", ".join(f'"{s}"' for s in self.sections)
        listed = ",\n".join(
            f'  {{ name = "Witness {i}", key = "{key}" }}' for i, key in enumerate(witnesses, 1)
        )
        witnessed = (
            f"[witnesses]\nquorum = {self.witness_quorum}\nmembers = [\n{listed}\n]\n\n"
            if witnesses
            else ""
        )
        t = self.timetable
        return f"""version = 1
id = "{self.election}"
title = "{self.title}"
organisation = "{self.organisation}"
time_zone = "{self.time_zone}"
sections = [{sections}]

[timetable]
nominations_open = {when(t.nominations_open)}
nominations_close = {when(t.nominations_close)}
trustee_keys_close = {when(t.keys_close)}
ceremony_close = {when(t.ceremony_closes)}
voting_open = {when(t.voting_open)}
voting_close = {when(t.voting_close)}

[administrator]
name = "Returning Officer"
key = "{administrator}"

[issuer]
name = "Membership Office"
key = "{issuer}"

[trustees]
threshold = {self.threshold}
members = [
{members}
]

{witnessed}{self.contests.strip()}
"""

    def definition_toml_for(self, keys: RoleKeys) -> str:
        """``definition_toml`` naming the public halves of ``keys``."""
        return self.definition_toml(
            administrator=keys.administrator.verify_key.to_hex(),
            issuer=keys.issuer.verify_key.to_hex(),
            trustees=[k.verify_key.to_hex() for k in keys.trustees],
            witnesses=[k.verify_key.to_hex() for k in keys.witnesses],
        )

    def roll(self, rng: random.Random) -> list[tuple[str, ...]]:
        """Each member's sections, drawn with ``rng`` (a simulation: never a secret)."""
        extra = sorted(self.section_shares.items())
        return [
            (self.sections[0], *(s for s, share in extra if rng.random() < share))
            for _ in range(self.members)
        ]
