"""Spec §11.3 and §11.8 Ballots: the layout of each ballot style, the ballot paper hash, the
per-contest forms, the proof contexts, and the stateless check of every proof a ballot carries.

A ballot is parsed against a ``BallotLayout``: the definition's contests with their number of
options (candidates from the candidate lists in force, or a referendum's options), so that the
number of ciphertexts and proof branches comes from the statement, never from the ballot; and
the paper hash of those candidate lists, which every ballot must carry.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, cast

from crypto.batch import BatchVerifier
from crypto.canonical import JsonValue
from crypto.elgamal import Ciphertext, PublicKey
from crypto.errors import InvalidProof, MalformedInput
from crypto.group import Point
from crypto.hashing import Dst, encode_parts, hash_bytes
from crypto.proofs.disjunctive import DisjunctiveProof, verify_range, verify_sum_range
from crypto.proofs.randomness import RandomnessProof, verify_randomness
from election.definition import MAX_CONTESTS, ContestKind, ElectionDefinition
from election.wire._common import (
    expect_exact,
    expect_items,
    parse_hash,
    parse_style,
)
from election.wire._setup import CandidateList

# Spec §11.8 A ranked ballot that marks nobody sends this one-byte ranking.
EMPTY_RANKING: Final = b"\xff"
# Spec §5.6 / §11.1 A ranking must fit the point embedding.
MAX_RANKING_LENGTH: Final = 29


# --- layout ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContestShape:
    """Spec §11.8 What a contest's ballot must look like: its kind, its number of options L_c,
    and how many marks the total proof allows."""

    id: str
    kind: ContestKind
    options: int
    max_selections: int | None
    seats: int

    @property
    def homomorphic(self) -> bool:
        """Block, approval and referendum contests are counted homomorphically (§11.11)."""
        return self.kind is not ContestKind.RANKED

    @property
    def total_range(self) -> tuple[int, int] | None:
        """Spec §11.8 The range of the sum proof: 0..max_selections (block), 0..1 (referendum),
        none (approval); ranked contests have no sum proof."""
        if self.kind is ContestKind.BLOCK:
            assert self.max_selections is not None
            return (0, self.max_selections)
        if self.kind is ContestKind.REFERENDUM:
            return (0, 1)
        return None


def ballot_paper(fingerprint: bytes, list_hashes: Sequence[bytes]) -> bytes:
    """Spec §11.8 paper = H("verivote-1/ballot/paper", F, h_1, ..., h_m): ``list_hashes`` are
    the entry hashes of the candidate lists in force of the definition's contests that are not
    referendums, in definition order."""
    return hash_bytes(Dst.BALLOT_PAPER, fingerprint, *list_hashes)


@dataclass(frozen=True, slots=True, eq=False)
class BallotLayout:
    """Spec §11.3 and §11.8 The shapes of every contest, the ballot styles the definition can
    produce, and the ballot paper hash. ``contests`` holds only the contests that have options
    (a candidate list, or a referendum's options); ``paper`` is None until every contest that
    is not a referendum has one."""

    definition: ElectionDefinition
    contests: Mapping[str, ContestShape]
    paper: bytes | None = None
    _styles: dict[str, tuple[ContestShape, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def build(
        cls,
        definition: ElectionDefinition,
        candidate_lists: Mapping[str, CandidateList],
        *,
        list_hashes: Mapping[str, bytes],
    ) -> BallotLayout:
        """The layout from the definition and the candidate lists in force (by contest id),
        with ``list_hashes`` the entry hashes (§10.1) of those lists' entries (by contest id)."""
        shapes: dict[str, ContestShape] = {}
        hashes: list[bytes] = []
        complete = True
        for contest in definition.contests:
            if contest.kind is ContestKind.REFERENDUM:
                options = len(contest.options)
            elif contest.id in candidate_lists:
                options = len(candidate_lists[contest.id].candidates)
                hashes.append(list_hashes[contest.id])
            else:
                complete = False
                continue
            shapes[contest.id] = ContestShape(
                contest.id, contest.kind, options, contest.max_selections, contest.seats
            )
        paper = ballot_paper(definition.fingerprint, hashes) if complete else None
        return cls(definition, shapes, paper)

    def style(self, style: str) -> tuple[ContestShape, ...]:
        """Spec §11.3 The contests of ballot style ``style``, in definition order.

        The style must be one the definition can produce: for some set of roll sections S, its
        contests are exactly those whose sections are empty or meet S.

        Raises:
            MalformedInput: a style the definition cannot produce, or one with a contest that
                has no candidate list yet.
        """
        cached = self._styles.get(style)
        if cached is not None:
            return cached
        ids = check_style(self.definition, style)
        missing = [c for c in ids if c not in self.contests]
        if missing:
            raise MalformedInput(f"ballot style {style}: contest {missing[0]} has no candidates")
        shapes = tuple(self.contests[c] for c in ids)
        if len(self._styles) < 4096:
            self._styles[style] = shapes
        return shapes


def check_style(definition: ElectionDefinition, style: str) -> tuple[str, ...]:
    """Spec §11.3 The contest ids of ``style`` if the definition can produce it.

    Let C be the style's contests and U' the sections of C's contests that belong to no
    contest outside C; the style is producible iff C is non-empty, in definition order, holds
    every contest open to all members, and every sectional contest of C meets U'.

    Raises:
        MalformedInput: the style cannot be produced.
    """
    ids = tuple(parse_style(style, "ballot style").split("+"))
    order = [c.id for c in definition.contests]
    if len(set(ids)) != len(ids) or any(c not in order for c in ids):
        raise MalformedInput(f"ballot style {style}: unknown or repeated contest")
    if list(ids) != [c for c in order if c in ids]:
        raise MalformedInput(f"ballot style {style}: contests not in definition order")
    chosen = set(ids)
    outside = {s for c in definition.contests if c.id not in chosen for s in c.sections}
    usable = {s for c in definition.contests if c.id in chosen for s in c.sections} - outside
    for contest in definition.contests:
        if not contest.sections and contest.id not in chosen:
            raise MalformedInput(f"ballot style {style}: lacks {contest.id}, open to all")
        if contest.id in chosen and contest.sections and not usable & set(contest.sections):
            raise MalformedInput(f"ballot style {style}: no member can have exactly it")
    return ids


# --- proof contexts --------------------------------------------------------------------------


def selection_context(fingerprint: bytes, credential: Point, contest: str, option: int) -> bytes:
    """Spec §11.8 ctx_sel(c, k) = encode_parts("verivote-1/ballot/selection", F, X, c,
    I2OSP(k, 4))."""
    return encode_parts(
        Dst.BALLOT_SELECTION,
        fingerprint,
        credential.to_bytes(),
        contest.encode("utf-8"),
        option.to_bytes(4, "big"),
    )


def total_context(fingerprint: bytes, credential: Point, contest: str) -> bytes:
    """Spec §11.8 ctx_total(c) = encode_parts("verivote-1/ballot/total", F, X, c)."""
    return encode_parts(
        Dst.BALLOT_TOTAL, fingerprint, credential.to_bytes(), contest.encode("utf-8")
    )


def ranking_context(fingerprint: bytes, credential: Point, contest: str) -> bytes:
    """Spec §11.8 ctx_rank(c) = encode_parts("verivote-1/ballot/ranking", F, X, c)."""
    return encode_parts(
        Dst.BALLOT_RANKING, fingerprint, credential.to_bytes(), contest.encode("utf-8")
    )


# --- per-contest forms -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HomomorphicContestBallot:
    """Spec §11.8 A block, approval or referendum contest: one 0/1 ciphertext per option, a range
    proof for each, and the sum proof (none for approval)."""

    contest: str
    selections: tuple[Ciphertext, ...]
    proofs: tuple[DisjunctiveProof, ...]
    total: DisjunctiveProof | None

    @classmethod
    def from_json(
        cls, value: object, shape: ContestShape, *, proofs: bool = True
    ) -> HomomorphicContestBallot:
        """``proofs=False``: the proofs are counted, not read (left empty), for a ballot already
        on a log (see ``Ballot.from_json``).

        Raises: MalformedInput (wrong contest, counts of selections, proofs or branches)."""
        what = f"contest {shape.id}"
        obj = expect_exact(value, what, {"contest", "selections", "proofs", "total"})
        if obj["contest"] != shape.id:
            raise MalformedInput(f"{what}: ballot holds contest {obj['contest']!r} here")
        selections = expect_items(obj["selections"], f"{what}.selections", maximum=shape.options)
        items = expect_items(obj["proofs"], f"{what}.proofs", maximum=shape.options)
        if len(selections) != shape.options or len(items) != shape.options:
            raise MalformedInput(f"{what}: need {shape.options} selections and proofs")
        total_range = shape.total_range
        total: DisjunctiveProof | None = None
        if not proofs:
            pass
        elif total_range is None:
            if obj["total"] is not None:
                raise MalformedInput(f"{what}: an approval contest has no total proof")
        else:
            low, high = total_range
            total = DisjunctiveProof.from_json(
                obj["total"], branches=high - low + 1, what=f"{what}.total"
            )
        return cls(
            contest=shape.id,
            selections=tuple(
                Ciphertext.from_json(s, f"{what}.selections[{k}]") for k, s in enumerate(selections)
            ),
            proofs=tuple(
                DisjunctiveProof.from_json(p, branches=2, what=f"{what}.proofs[{k}]")
                for k, p in enumerate(items if proofs else ())
            ),
            total=total,
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "contest": self.contest,
            "selections": [dict(c.to_json()) for c in self.selections],
            "proofs": [_proof_json(p) for p in self.proofs],
            "total": None if self.total is None else _proof_json(self.total),
        }

    def ciphertexts(self) -> tuple[Ciphertext, ...]:
        return self.selections


@dataclass(frozen=True, slots=True)
class RankedContestBallot:
    """Spec §11.8 A ranked contest: one point-embedded ciphertext of the ranking and a proof of
    knowledge of its randomness (§6.6)."""

    contest: str
    ranking: Ciphertext
    proof: RandomnessProof

    @classmethod
    def from_json(cls, value: object, shape: ContestShape) -> RankedContestBallot:
        """Raises: MalformedInput."""
        what = f"contest {shape.id}"
        obj = expect_exact(value, what, {"contest", "ranking", "proof"})
        if obj["contest"] != shape.id:
            raise MalformedInput(f"{what}: ballot holds contest {obj['contest']!r} here")
        return cls(
            contest=shape.id,
            ranking=Ciphertext.from_json(obj["ranking"], f"{what}.ranking"),
            proof=RandomnessProof.from_json(obj["proof"], f"{what}.proof"),
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "contest": self.contest,
            "ranking": dict(self.ranking.to_json()),
            "proof": dict(self.proof.to_json()),
        }

    def ciphertexts(self) -> tuple[Ciphertext, ...]:
        return (self.ranking,)


def _proof_json(proof: DisjunctiveProof) -> JsonValue:
    return cast(JsonValue, proof.to_json())


ContestBallot = HomomorphicContestBallot | RankedContestBallot


@dataclass(frozen=True, slots=True)
class Ballot:
    """Spec §11.8 The ``ballot`` payload: a style, the ballot paper hash it was built against,
    and one contest ballot per contest of the style."""

    style: str
    paper: bytes
    contests: tuple[ContestBallot, ...]

    @classmethod
    def from_json(cls, value: object, layout: BallotLayout, *, proofs: bool = True) -> Ballot:
        """Spec §11.8 Parse a ballot against the layout (the number of contests, options and
        proof branches all come from the layout). Whether ``paper`` is the layout's is the
        rules' check (``wrong_paper``), not the parser's.

        ``proofs=False`` reads a ballot already accepted on a log for its style and ciphertexts
        only (the rules fold it, Spec §11.4): the range and sum proofs are not read (a
        homomorphic contest's ``proofs`` are empty and ``total`` None), which is most of the
        parsing. Such a ballot cannot be verified.

        Raises:
            MalformedInput: a style the definition cannot produce, a paper hash that is not 32
                bytes of hex, a contest missing, extra or out of order, or a malformed contest
                ballot.
        """
        obj = expect_exact(value, "ballot payload", {"style", "paper", "contests"})
        style = parse_style(obj["style"], "ballot style")
        paper = parse_hash(obj["paper"], "ballot paper")
        shapes = layout.style(style)
        items = expect_items(obj["contests"], "ballot contests", maximum=MAX_CONTESTS)
        if len(items) != len(shapes):
            raise MalformedInput(
                f"ballot: style {style} has {len(shapes)} contests, the ballot {len(items)}"
            )
        contests: list[ContestBallot] = []
        for item, shape in zip(items, shapes, strict=True):
            if shape.homomorphic:
                contests.append(HomomorphicContestBallot.from_json(item, shape, proofs=proofs))
            else:
                contests.append(RankedContestBallot.from_json(item, shape))
        return cls(style, paper, tuple(contests))

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "style": self.style,
            "paper": self.paper.hex(),
            "contests": [c.to_json() for c in self.contests],
        }

    def ciphertexts(self) -> Iterator[Ciphertext]:
        """Every ciphertext of the ballot, contest by contest, option by option."""
        for contest in self.contests:
            yield from contest.ciphertexts()


def verify_ballot(
    ballot: Ballot,
    *,
    credential: Point,
    fingerprint: bytes,
    public_key: PublicKey,
    layout: BallotLayout,
) -> None:
    """Spec §11.8 Check every proof of a ballot cast with ``credential`` (the author key): the
    range proof of each selection, each contest's sum proof, each ranking's randomness proof,
    all bound to F and X. The credential signature is checked with the entry (§11.4).

    ``public_key`` should be ``PublicKey.precompute()``-d: a ballot makes many proofs under it.

    Raises:
        InvalidProof: a proof does not verify (the message names the contest and option), or
            an alpha is the identity.
        MalformedInput: the ballot does not fit the layout.
    """
    statements = _ballot_statements(ballot, credential, fingerprint, public_key, layout)
    for where, statement in statements:
        try:
            statement.verify()
        except InvalidProof as exc:
            raise InvalidProof(f"{where}: {exc}") from None


def add_ballot_proofs(
    batch: BatchVerifier,
    ballot: Ballot,
    *,
    credential: Point,
    fingerprint: bytes,
    public_key: PublicKey,
    layout: BallotLayout,
    label: object,
) -> None:
    """Spec §11.8, §6.7 Add the range and sum proofs of a ballot to ``batch``, each labelled
    ``(label, where)`` (``where`` as ``verify_ballot`` names it: "contest c: option k"), and
    verify its rankings' randomness proofs at once (§6.6 proofs are not batched). A ballot is
    valid iff this returns and ``batch`` names none of its labels: exactly ``verify_ballot``.

    Raises:
        InvalidProof: a ranking's randomness proof does not verify (the ballot is invalid; an
            earlier proof may fail too, which ``verify_ballot`` would name first).
        MalformedInput: the ballot does not fit the layout.
    """
    statements = _ballot_statements(ballot, credential, fingerprint, public_key, layout)
    for where, statement in statements:
        if isinstance(statement, _Randomness):
            try:
                statement.verify()
            except InvalidProof as exc:
                raise InvalidProof(f"{where}: {exc}") from None
        else:
            statement.add_to(batch, (label, where))


@dataclass(frozen=True, slots=True)
class _Range:
    """Spec §6.4 A selection's 0/1 statement with its proof."""

    proof: DisjunctiveProof
    public_key: PublicKey
    ciphertext: Ciphertext
    context: bytes

    def verify(self) -> None:
        verify_range(self.proof, public_key=self.public_key, ciphertext=self.ciphertext,
                     maximum=1, context=self.context)  # fmt: skip

    def add_to(self, batch: BatchVerifier, label: object) -> None:
        batch.add_range(self.proof, public_key=self.public_key, ciphertext=self.ciphertext,
                        maximum=1, context=self.context, label=label)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Total:
    """Spec §6.5 A contest's total statement with its proof."""

    proof: DisjunctiveProof
    public_key: PublicKey
    ciphertexts: tuple[Ciphertext, ...]
    bounds: tuple[int, int]
    context: bytes

    def verify(self) -> None:
        verify_sum_range(self.proof, public_key=self.public_key, ciphertexts=self.ciphertexts,
                         minimum=self.bounds[0], maximum=self.bounds[1],
                         context=self.context)  # fmt: skip

    def add_to(self, batch: BatchVerifier, label: object) -> None:
        batch.add_sum_range(self.proof, public_key=self.public_key,
                            ciphertexts=self.ciphertexts, minimum=self.bounds[0],
                            maximum=self.bounds[1], context=self.context,
                            label=label)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Randomness:
    """Spec §6.6 A ranking's statement with its randomness proof."""

    proof: RandomnessProof
    public_key: PublicKey
    ciphertext: Ciphertext
    context: bytes

    def verify(self) -> None:
        verify_randomness(self.proof, public_key=self.public_key, ciphertext=self.ciphertext,
                          context=self.context)  # fmt: skip


def _ballot_statements(
    ballot: Ballot, credential: Point, fingerprint: bytes, public_key: PublicKey,
    layout: BallotLayout,
) -> Iterator[tuple[str, _Range | _Total | _Randomness]]:  # fmt: skip
    """Spec §11.8 Every proof of a ballot with its statement, in order, each with where it is
    ("contest c: option k", "contest c: total", "contest c: ranking")."""
    shapes = layout.style(ballot.style)
    for contest, shape in zip(ballot.contests, shapes, strict=True):
        if isinstance(contest, RankedContestBallot):
            context = ranking_context(fingerprint, credential, shape.id)
            yield (f"contest {shape.id}: ranking",
                   _Randomness(contest.proof, public_key, contest.ranking, context))  # fmt: skip
            continue
        for k, (selection, proof) in enumerate(
            zip(contest.selections, contest.proofs, strict=True)
        ):
            context = selection_context(fingerprint, credential, shape.id, k)
            yield f"contest {shape.id}: option {k}", _Range(proof, public_key, selection, context)
        total_range = shape.total_range
        if total_range is not None:
            assert contest.total is not None
            context = total_context(fingerprint, credential, shape.id)
            yield (f"contest {shape.id}: total",
                   _Total(contest.total, public_key, contest.selections, total_range,
                          context))  # fmt: skip


def check_ranking(data: Sequence[int], shape: ContestShape) -> bytes:
    """Spec §11.8 The bytes a ranked contest encrypts: 1 to max_selections distinct option
    indices (each below L_c), most preferred first; or ``EMPTY_RANKING`` for nobody ranked.

    Raises:
        MalformedInput: repeats, an index out of range, too long, or empty.
    """
    ranking = bytes(data) if all(0 <= i <= 255 for i in data) else b""
    if ranking == EMPTY_RANKING:
        return ranking
    limit = min(shape.max_selections or MAX_RANKING_LENGTH, MAX_RANKING_LENGTH)
    if not 1 <= len(data) <= limit or len(ranking) != len(data):
        raise MalformedInput(f"contest {shape.id}: a ranking holds 1 to {limit} preferences")
    if len(set(ranking)) != len(ranking) or any(i >= shape.options for i in ranking):
        raise MalformedInput(f"contest {shape.id}: a ranking lists distinct options only")
    return ranking
