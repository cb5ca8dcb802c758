"""Spec §13.1 check 5, the stateless part: a batch of ballot and audit entries decoded,
authenticated, checked to carry the election's ballot paper hash (§11.8, recomputed here from
the candidate-list entries) and their proofs verified, in a worker process.

Every range and sum proof of a batch goes into one ``BatchVerifier`` (§6.7); if the combined
equation fails, each proof is verified alone so the bad entry is named. The worker also returns
the product of the valid ballots' ciphertexts per contest and option (§5.4), so that the main
process aggregates a batch with one multiplication per option, each valid ballot's ranking
ciphertexts (the ranked contests' lists are made of them, §11.11), and each ballot's credential,
style and the 64-bit prefixes of its alphas for the stateful rules (§11.8, §11.10).
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Final

from crypto import canonical
from crypto.batch import BatchVerifier
from crypto.elgamal import Ciphertext, PublicKey
from crypto.envelope import Entry, SignatureScheme, entry_hash, parse_entry
from crypto.errors import (
    InvalidBatch,
    InvalidProof,
    InvalidSignature,
    MalformedInput,
    VerivoteError,
)
from crypto.group import Point, product
from crypto.proofs.randomness import verify_randomness
from crypto.threshold import ThresholdParameters
from election.definition import ElectionDefinition
from election.wire import (
    AUDIT,
    BALLOT,
    VOTER,
    Audit,
    Ballot,
    BallotLayout,
    CandidateList,
    CredentialScheme,
    ElectionKey,
    HomomorphicContestBallot,
    RankedContestBallot,
    credential_from_bytes,
    ranking_context,
    selection_context,
    total_context,
    verify_audit,
)
from verifier._fast_ballots import FastBallot, FastReader, merge_products
from verifier._fast_ballots import check as check_fast

__all__ = [
    "BallotContext",
    "BallotVerdict",
    "BatchOutcome",
    "Item",
    "alpha_prefix",
    "ciphertext_from_encodings",
    "collector_paused",
    "verify_batch",
]

# A ballot task: (leaf index, entry type, author key, entry bytes).
Item = tuple[int, str, bytes, bytes]


@dataclass(frozen=True, slots=True)
class BallotContext:
    """What every ballot is checked against, fixed once voting opens (§11.4): the election id,
    the definition, the candidate lists in force (their whole entries, whose hashes the ballot
    paper hash binds, §11.8), and the election key, as published JSON."""

    election: str
    definition: bytes
    candidate_lists: tuple[bytes, ...]
    election_key: bytes

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(
            canonical.encode(
                [
                    self.election,
                    self.definition.hex(),
                    [c.hex() for c in self.candidate_lists],
                    self.election_key.hex(),
                ]
            )
        ).digest()


@dataclass(frozen=True, slots=True)
class BallotVerdict:
    """One entry's stateless verdict: ``check`` and ``error`` when it failed (check 1 for a
    malformed entry, 5 for a ballot that fails), its style and alpha prefixes otherwise."""

    index: int
    check: int = 0
    error: str = ""
    style: str = ""
    alphas: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """Verdicts in index order, per homomorphic contest the product of the valid ballots'
    ciphertexts as (alpha, beta) encodings per option, and per ranked contest each valid
    ballot's leaf index and ranking ciphertext (alpha || beta encodings), in index order."""

    verdicts: tuple[BallotVerdict, ...]
    products: dict[str, list[tuple[bytes, bytes]]] = field(default_factory=dict)
    rankings: dict[str, list[tuple[int, bytes]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, eq=False)
class _Parsed:
    fingerprint: bytes
    layout: BallotLayout
    key: PublicKey
    schemes: Mapping[str, SignatureScheme]
    reader: FastReader

    @property
    def scheme(self) -> CredentialScheme:
        """The voters' signature scheme (§11.4)."""
        scheme = self.schemes[VOTER]
        assert isinstance(scheme, CredentialScheme)
        return scheme

    @property
    def public_key(self) -> PublicKey:
        """The election key with its fixed-base table, built when first needed (single
        verifications: rankings, audits, a failing batch's proofs): the fast path's batch
        makes the key one base of its multi-exponentiation, which needs no table."""
        return self.reader.ranking_key()


_CACHE: dict[bytes, _Parsed] = {}
_CACHE_SIZE: Final = 8


def _parsed(context: BallotContext) -> _Parsed:
    digest = context.digest
    cached = _CACHE.get(digest)
    if cached is None:
        definition = ElectionDefinition.from_json(canonical.decode(context.definition))
        lists = {}
        hashes = {}
        for raw in context.candidate_lists:
            entry = canonical.decode(raw)
            assert isinstance(entry, dict)
            candidates = CandidateList.from_json(entry["payload"])
            lists[candidates.contest] = candidates
            hashes[candidates.contest] = entry_hash(raw)
        key = ElectionKey.from_json(canonical.decode(context.election_key), _threshold(definition))
        layout = BallotLayout.build(definition, lists, list_hashes=hashes)
        public_key = PublicKey(key.joint_key.public_key)
        precomputed: list[PublicKey] = []

        def with_table() -> PublicKey:
            if not precomputed:
                precomputed.append(public_key.precompute())
            return precomputed[0]

        cached = _Parsed(
            definition.fingerprint,
            layout,
            public_key,
            {VOTER: CredentialScheme(definition.fingerprint)},
            FastReader(context.election, layout, definition.fingerprint, public_key, with_table),
        )
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[digest] = cached
    return cached


def _threshold(definition: ElectionDefinition) -> ThresholdParameters:
    return ThresholdParameters(
        definition.fingerprint, len(definition.trustees), definition.threshold
    )


def _read_entry(raw: bytes, parsed: _Parsed, election: str, kind: str, key: bytes) -> Entry:
    """Spec §4.2 and §10.1 A voter entry's bytes parsed in full (not its signature yet).

    Raises:
        MalformedInput: not a canonical voter entry of this election, or not the type and key
            the log reader located (``peek_entry``).
    """
    entry = parse_entry(raw, parsed.schemes, election=election, verify=False)
    if (entry.type, entry.key) != (kind, key):
        raise MalformedInput("not the entry type and key the log reader located")
    return entry


def alpha_prefix(alpha: Point) -> int:
    """Spec §11.8 An alpha's 64-bit fingerprint: the first 8 bytes of its x coordinate."""
    return int.from_bytes(alpha.to_bytes()[1:9], "big") or 1


def verify_batch(context: BallotContext, items: Sequence[Item]) -> BatchOutcome:
    """Spec §11.8-§11.9 and §6.7 Verify a batch of voter entries (see the module docstring).

    The cyclic garbage collector is paused meanwhile: a batch allocates hundreds of thousands
    of short-lived objects without cycles (reference counting frees them), and the collector's
    passes over them cost about a tenth of the batch's time."""
    with collector_paused():
        return _verify_batch(context, items)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector paused meanwhile (if it runs), for work on many objects without
    cycles: a batch of ballots, a mix's lists (the producers' election/collector.py, which the
    verifier does not import)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _verify_batch(context: BallotContext, items: Sequence[Item]) -> BatchOutcome:
    parsed = _parsed(context)
    batch = BatchVerifier()
    verdicts: dict[int, BallotVerdict] = {}
    ballots: dict[int, Ballot] = {}
    fast: list[tuple[FastBallot, bytes, bytes]] = []  # with the entry and the voter's key
    for index, kind, key, raw in items:
        # A ballot entry read from its bytes (parse_entry would accept it), or parsed.
        quick = parsed.reader.read_entry(index, raw, key) if kind == BALLOT else None
        if quick is None:
            try:
                entry = _read_entry(raw, parsed, context.election, kind, key)
            except VerivoteError as exc:
                verdicts[index] = BallotVerdict(index, 1, f"entry: {exc}")
                continue
            signed, signature = entry.signed_bytes(), entry.signature
        else:
            signed, signature = quick[1].signed, quick[1].signature
        try:
            # A ballot read from its bytes: its signature checked with the key decoded only
            # inside libsecp256k1. Otherwise (and if that says no) the key is decoded once, for
            # the signature (Entry.verify_signature's check) and the proofs; a bad key is
            # refused with the same reason either way.
            if quick is not None and parsed.scheme.holds(key, signed, signature):
                fast.append((quick[0], raw, key))
                continue
            credential = credential_from_bytes(key, "voter key")
            parsed.scheme.verify_credential(credential, signed, signature)
            if quick is not None:
                fast.append((quick[0], raw, key))
                continue
            if kind == BALLOT:
                read = parsed.reader.read(index, entry.payload, credential)
                if read is not None:
                    fast.append((read, raw, key))
                    continue
                verdicts[index] = _plain_ballot(batch, parsed, ballots, entry.payload,
                                                credential, index)  # fmt: skip
            elif kind == AUDIT:
                audit = Audit.from_json(entry.payload, parsed.layout)
                _check_paper(audit.ballot.ballot, parsed.layout, "audited ballot")
                verify_audit(
                    audit,
                    election=context.election,
                    author=credential,
                    fingerprint=parsed.fingerprint,
                    public_key=parsed.public_key,
                    layout=parsed.layout,
                )
                inner = audit.ballot.ballot
                alphas = tuple(alpha_prefix(c.alpha) for c in inner.ciphertexts())
                verdicts[index] = BallotVerdict(index, style=inner.style, alphas=alphas)
            else:
                verdicts[index] = BallotVerdict(index, 5, f"voters cannot post {kind!r} entries")
        except InvalidSignature as exc:
            verdicts[index] = BallotVerdict(index, 5, f"{kind} signature: {exc}")
        except VerivoteError as exc:
            verdicts[index] = BallotVerdict(index, 5, f"{kind}: {exc}")
    fast_products = check_fast([read for read, _, _ in fast], parsed.key)
    if fast_products is None:
        # A point that does not decode, or a proof that fails: the plain path names it.
        for read, raw, key in fast:
            try:
                entry = _read_entry(raw, parsed, context.election, BALLOT, key)
                credential = credential_from_bytes(key, "voter key")
                verdicts[read.index] = _plain_ballot(batch, parsed, ballots, entry.payload,
                                                     credential, read.index)  # fmt: skip
            except VerivoteError as exc:
                verdicts[read.index] = BallotVerdict(read.index, 5, f"{BALLOT}: {exc}")
    else:
        for read, _, _ in fast:
            verdicts[read.index] = BallotVerdict(read.index, style=read.style, alphas=read.alphas)
    try:
        batch.verify()
    except InvalidBatch as exc:
        for label, reason in exc.failures:
            assert isinstance(label, tuple)
            index, what = label
            if verdicts[index].check == 0:
                verdicts[index] = BallotVerdict(index, 5, f"ballot: {what}: {reason}")
                ballots.pop(index, None)
    for index, verdict in verdicts.items():
        if verdict.check:
            ballots.pop(index, None)
    rankings = _rankings(ballots)
    if fast_products is not None:
        for read, _, _ in fast:
            for contest, encoding in read.rankings:
                rankings.setdefault(contest, []).append((read.index, encoding))
        for column in rankings.values():
            column.sort()
    return BatchOutcome(
        tuple(verdicts[index] for index, *_ in items),
        merge_products(_products(ballots.values()), fast_products or {}),
        rankings,
    )


def _plain_ballot(
    batch: BatchVerifier,
    parsed: _Parsed,
    ballots: dict[int, Ballot],
    payload: object,
    credential: Point,
    index: int,
) -> BallotVerdict:
    """Spec §11.8 A ballot read by the plain parsers, its proofs added to ``batch`` (its
    rankings' proofs verified at once), kept in ``ballots``: its verdict if the batch holds.

    Raises:
        VerivoteError: the ballot is malformed, or a ranking's proof fails.
    """
    ballot = Ballot.from_json(payload, parsed.layout)
    _check_paper(ballot, parsed.layout, "ballot")
    _add_ballot(batch, parsed, ballot, credential, index)
    ballots[index] = ballot
    alphas = tuple(alpha_prefix(c.alpha) for c in ballot.ciphertexts())
    return BallotVerdict(index, style=ballot.style, alphas=alphas)


def _check_paper(ballot: Ballot, layout: BallotLayout, what: str) -> None:
    """Spec §11.8 The ballot carries the paper hash of the candidate lists on the log.

    Raises:
        MalformedInput: another paper hash (the board should have refused it: wrong_paper).
    """
    if ballot.paper != layout.paper:
        raise MalformedInput(
            f"the {what} was built against other candidate lists than those on the log (its "
            f"paper hash {ballot.paper.hex()[:16]}…, the lists give "
            f"{(layout.paper or bytes(32)).hex()[:16]}…)"
        )


def _add_ballot(
    batch: BatchVerifier, parsed: _Parsed, ballot: Ballot, credential: Point, index: int
) -> None:
    """Add every range and sum proof of ``ballot`` to the batch; verify rankings' proofs."""
    shapes = parsed.layout.style(ballot.style)
    for contest, shape in zip(ballot.contests, shapes, strict=True):
        if isinstance(contest, RankedContestBallot):
            try:
                verify_randomness(
                    contest.proof,
                    public_key=parsed.public_key,
                    ciphertext=contest.ranking,
                    context=ranking_context(parsed.fingerprint, credential, shape.id),
                )
            except InvalidProof as exc:
                raise InvalidProof(f"contest {shape.id}: ranking: {exc}") from None
            continue
        for k, (selection, proof) in enumerate(
            zip(contest.selections, contest.proofs, strict=True)
        ):
            batch.add_range(
                proof,
                public_key=parsed.public_key,
                ciphertext=selection,
                maximum=1,
                context=selection_context(parsed.fingerprint, credential, shape.id, k),
                label=(index, f"contest {shape.id}: option {k}"),
            )
        total_range = shape.total_range
        if total_range is not None:
            assert contest.total is not None
            batch.add_sum_range(
                contest.total,
                public_key=parsed.public_key,
                ciphertexts=contest.selections,
                minimum=total_range[0],
                maximum=total_range[1],
                context=total_context(parsed.fingerprint, credential, shape.id),
                label=(index, f"contest {shape.id}: total"),
            )


def _products(ballots: Iterable[Ballot]) -> dict[str, list[tuple[bytes, bytes]]]:
    columns: dict[str, list[tuple[list[Point], list[Point]]]] = {}
    for ballot in ballots:
        for contest in ballot.contests:
            if not isinstance(contest, HomomorphicContestBallot):
                continue
            row = columns.get(contest.contest)
            if row is None:
                row = columns[contest.contest] = [([], []) for _ in contest.selections]
            for (alphas, betas), ciphertext in zip(row, contest.selections, strict=True):
                alphas.append(ciphertext.alpha)
                betas.append(ciphertext.beta)
    return {
        contest: [(product(a).to_bytes(), product(b).to_bytes()) for a, b in row]
        for contest, row in columns.items()
    }


def _rankings(ballots: Mapping[int, Ballot]) -> dict[str, list[tuple[int, bytes]]]:
    """Spec §11.11 Each valid ballot's ranking ciphertexts, by contest, in leaf order."""
    out: dict[str, list[tuple[int, bytes]]] = {}
    for index in sorted(ballots):
        for contest in ballots[index].contests:
            if isinstance(contest, RankedContestBallot):
                encoding = contest.ranking.alpha.to_bytes() + contest.ranking.beta.to_bytes()
                out.setdefault(contest.contest, []).append((index, encoding))
    return out


def ciphertext_from_encodings(alpha: bytes, beta: bytes) -> Ciphertext:
    """A product returned by a worker, back as a ciphertext."""
    return Ciphertext(Point.from_bytes(alpha), Point.from_bytes(beta))
