"""Spec §11.11 and §11.12 The tally, the trustees' decryptions and the result: payloads, the
decryption context and the lot seed (a ranked contest's mixing and its part of the result are
``_mixing``'s)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from crypto.canonical import JsonValue
from crypto.elgamal import Ciphertext
from crypto.errors import MalformedInput
from crypto.group import Point
from crypto.hashing import Dst, encode_parts, hash_bytes
from crypto.threshold import PartialDecryption
from crypto.wire import expect_int, expect_str, parse_id, parse_text
from election.definition import MAX_CONTESTS, ContestKind
from election.wire._ballot import BallotLayout, ContestShape
from election.wire._common import (
    MAX_OPTIONS,
    expect_exact,
    expect_items,
    parse_count,
    parse_hash,
)
from election.wire._mixing import RankedContestResult

_MAX_TRUSTEES: Final = 255


def tally_decryption_context(fingerprint: bytes, contest: str, option: int) -> bytes:
    """Spec §11.11 The context of a partial decryption of aggregate k of contest c:
    encode_parts("verivote-1/tally/decryption", F, c, I2OSP(k, 4))."""
    return encode_parts(
        Dst.TALLY_DECRYPTION, fingerprint, contest.encode("utf-8"), option.to_bytes(4, "big")
    )


def result_seed(tally_hash: bytes, combined: Sequence[Point]) -> bytes:
    """Spec §11.12 The lot seed: H("verivote-1/result/seed", H_T, M_0, M_1, ..., P_{1,0}, ...),
    where H_T is the tally entry's hash, ``combined`` the combined decryption M_i = alpha_i^x
    (§7.7) of every aggregate of the tally, in tally order, followed by the plaintexts P of
    every ranked contest's final list (ranked contests in definition order, each list in its
    order). Nobody can compute it before t trustees decrypt, so no voter can grind a ballot to
    steer a lot.

    Raises:
        MalformedInput: ``tally_hash`` is not 32 bytes.
    """
    if len(tally_hash) != 32:
        raise MalformedInput("result seed: the tally hash must be 32 bytes")
    return hash_bytes(Dst.RESULT_SEED, tally_hash, *(m.to_bytes() for m in combined))


# --- tally -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContestTally:
    """Spec §11.11 One contest of the tally: ``ballots`` counted ballots contain it;
    ``aggregates`` (homomorphic contests) is the product of their ciphertexts per option, None
    for a ranked contest (whose ballots are mixed instead)."""

    contest: str
    ballots: int
    aggregates: tuple[Ciphertext, ...] | None

    def to_json(self) -> dict[str, JsonValue]:
        if self.aggregates is None:
            return {"contest": self.contest, "ballots": self.ballots}
        return {
            "contest": self.contest,
            "ballots": self.ballots,
            "aggregates": [dict(a.to_json()) for a in self.aggregates],
        }


@dataclass(frozen=True, slots=True)
class Tally:
    """Spec §11.11 The ``tally`` payload: every contest of the definition, in order."""

    contests: tuple[ContestTally, ...]

    @classmethod
    def from_json(cls, value: object, layout: BallotLayout) -> Tally:
        """Raises: MalformedInput (contests not the definition's in order, wrong sizes)."""
        obj = expect_exact(value, "tally payload", {"contests"})
        items = expect_items(obj["contests"], "tally contests", maximum=MAX_CONTESTS)
        order = [c.id for c in layout.definition.contests]
        if len(items) != len(order):
            raise MalformedInput(f"tally: {len(items)} contests, the definition has {len(order)}")
        pairs = zip(items, order, strict=True)
        return cls(tuple(_contest_tally(item, _shape(layout, c)) for item, c in pairs))

    def to_json(self) -> dict[str, JsonValue]:
        return {"contests": [c.to_json() for c in self.contests]}

    def sizes(self) -> tuple[int, ...]:
        """The number of aggregates of each contest, in order (0 for a ranked contest)."""
        return tuple(0 if c.aggregates is None else len(c.aggregates) for c in self.contests)

    def ranked(self) -> dict[str, int]:
        """Spec §11.11 Each ranked contest's N_c, the length of its lists, in tally order."""
        return {c.contest: c.ballots for c in self.contests if c.aggregates is None}


def _shape(layout: BallotLayout, contest: str) -> ContestShape:
    shape = layout.contests.get(contest)
    if shape is None:
        raise MalformedInput(f"contest {contest} has no candidates")
    return shape


def _contest_tally(value: object, shape: ContestShape) -> ContestTally:
    what = f"tally of {shape.id}"
    if shape.homomorphic:
        obj = expect_exact(value, what, {"contest", "ballots", "aggregates"})
        items = expect_items(obj["aggregates"], f"{what}.aggregates", maximum=MAX_OPTIONS)
        if len(items) != shape.options:
            raise MalformedInput(f"{what}: {len(items)} aggregates for {shape.options} options")
        aggregates: tuple[Ciphertext, ...] | None = tuple(
            Ciphertext.from_json(a, f"{what}.aggregates[{k}]") for k, a in enumerate(items)
        )
    else:
        obj = expect_exact(value, what, {"contest", "ballots"})
        aggregates = None
    if obj["contest"] != shape.id:
        raise MalformedInput(f"{what}: the tally names contest {obj['contest']!r} here")
    return ContestTally(shape.id, parse_count(obj["ballots"], f"{what}.ballots"), aggregates)


# --- decryption ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Decryption:
    """Spec §11.11 The ``decryption`` payload: trustee j's partial decryption (§7.6) of every
    aggregate of the tally whose entry hash is ``tally``; one list per tally contest, in tally
    order (empty for a ranked contest); ``None`` (JSON ``null``) exactly where the aggregate's
    alpha is the identity (no ballot), whose decryption needs no trustee."""

    trustee: int
    tally: bytes
    shares: tuple[tuple[PartialDecryption | None, ...], ...]

    @classmethod
    def from_json(cls, value: object, sizes: Sequence[int]) -> Decryption:
        """Parse against the tally's ``sizes()`` (the number of aggregates per contest).

        Raises:
            MalformedInput: wrong keys or sizes, or a share of another trustee.
        """
        obj = expect_exact(value, "decryption payload", {"trustee", "tally", "shares"})
        trustee = expect_int(obj["trustee"], "decryption trustee", minimum=1, maximum=255)
        lists = expect_items(obj["shares"], "decryption shares", maximum=MAX_CONTESTS)
        if len(lists) != len(sizes):
            raise MalformedInput(f"decryption: {len(lists)} share lists for {len(sizes)} contests")
        shares = []
        for c, (items, size) in enumerate(zip(lists, sizes, strict=True)):
            row = expect_items(items, f"decryption shares[{c}]", maximum=MAX_OPTIONS)
            if len(row) != size:
                raise MalformedInput(f"decryption shares[{c}]: {len(row)} shares, need {size}")
            parsed = tuple(None if p is None else PartialDecryption.from_json(p) for p in row)
            if any(p is not None and p.trustee != trustee for p in parsed):
                raise MalformedInput(f"decryption shares[{c}]: a share of another trustee")
            shares.append(parsed)
        return cls(trustee, parse_hash(obj["tally"], "decryption tally"), tuple(shares))

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "trustee": self.trustee,
            "tally": self.tally.hex(),
            "shares": [
                [None if p is None else dict(p.to_json()) for p in row] for row in self.shares
            ],
        }


# --- result ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContestResult:
    """Spec §11.12 A homomorphic contest's result: ``counts`` per option and the ``elected``
    (candidate ids, or the winning referendum option) with the candidates ``passed_over`` for a
    constraint (§12.7). A ranked contest's is a ``RankedContestResult``."""

    contest: str
    kind: ContestKind
    counts: tuple[int, ...]
    elected: tuple[str, ...]
    passed_over: tuple[str, ...]

    def to_json(self) -> dict[str, JsonValue]:
        out: dict[str, JsonValue] = {
            "contest": self.contest,
            "counts": list(self.counts),
            "elected": list(self.elected),
        }
        if self.kind is not ContestKind.REFERENDUM:
            out["passed_over"] = list(self.passed_over)
        return out


@dataclass(frozen=True, slots=True)
class Result:
    """Spec §11.12 The ``result`` payload."""

    tally: bytes
    trustees: tuple[int, ...]
    seed: bytes
    contests: tuple[ContestResult | RankedContestResult, ...]

    @classmethod
    def from_json(cls, value: object, layout: BallotLayout, *, ranked: Mapping[str, int]) -> Result:
        """Parse against the layout and ``ranked``, each ranked contest's N_c from the tally
        (``Tally.ranked``: its number of papers).

        Raises: MalformedInput (wrong keys, contests not the definition's in order, sizes)."""
        obj = expect_exact(value, "result payload", {"tally", "trustees", "seed", "contests"})
        trustees = tuple(
            expect_int(j, "result trustees", minimum=1, maximum=255)
            for j in expect_items(obj["trustees"], "result trustees", maximum=_MAX_TRUSTEES)
        )
        if list(trustees) != sorted(set(trustees)):
            raise MalformedInput("result: trustees must be strictly increasing")
        items = expect_items(obj["contests"], "result contests", maximum=MAX_CONTESTS)
        order = [c.id for c in layout.definition.contests]
        if len(items) != len(order):
            raise MalformedInput(f"result: {len(items)} contests, the definition has {len(order)}")
        pairs = zip(items, order, strict=True)
        return cls(
            tally=parse_hash(obj["tally"], "result tally"),
            trustees=trustees,
            seed=parse_hash(obj["seed"], "result seed"),
            contests=tuple(_contest_result(item, _shape(layout, c), ranked) for item, c in pairs),
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "tally": self.tally.hex(),
            "trustees": list(self.trustees),
            "seed": self.seed.hex(),
            "contests": [c.to_json() for c in self.contests],
        }


def _contest_result(
    value: object, shape: ContestShape, ranked: Mapping[str, int]
) -> ContestResult | RankedContestResult:
    what = f"result of {shape.id}"
    if not shape.homomorphic:
        if shape.id not in ranked:
            raise MalformedInput(f"{what}: the tally does not list it as ranked")
        return RankedContestResult.from_json(value, contest=shape.id, size=ranked[shape.id])
    referendum = shape.kind is ContestKind.REFERENDUM
    keys = {"contest", "counts", "elected"} | (set() if referendum else {"passed_over"})
    obj = expect_exact(value, what, keys)
    items = expect_items(obj["counts"], f"{what}.counts", maximum=MAX_OPTIONS)
    if len(items) != shape.options:
        raise MalformedInput(f"{what}: {len(items)} counts for {shape.options} options")
    counts = tuple(parse_count(n, f"{what}.counts") for n in items)
    read = parse_text if referendum else parse_id
    elected = tuple(
        read(expect_str(e, f"{what}.elected"), f"{what}.elected")
        for e in expect_items(obj["elected"], f"{what}.elected", maximum=MAX_OPTIONS)
    )
    others = [] if referendum else expect_items(obj["passed_over"], what, maximum=MAX_OPTIONS)
    passed_over = tuple(parse_id(p, f"{what}.passed_over") for p in others)
    if obj["contest"] != shape.id:
        raise MalformedInput(f"{what}: the result names contest {obj['contest']!r} here")
    return ContestResult(shape.id, shape.kind, counts, elected, passed_over)
