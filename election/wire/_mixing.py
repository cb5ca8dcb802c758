"""Spec §11.11 and §11.12 Mixing a ranked contest: the ``mix`` and ``ranked-decryption``
payloads, their contexts, and a ranked contest's part of the result.

A reader takes every size from the statement: a mix of contest c has exactly N_c outputs and a
proof for N_c ciphertexts, a ranked decryption N_c shares, a ranked result N_c papers (N_c the
tally's number of counted ballots containing c), never from the payload.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from crypto.canonical import JsonValue
from crypto.elgamal import Ciphertext, PublicKey, embed, extract
from crypto.errors import InvalidProof, MalformedInput, NonCanonicalEncoding
from crypto.group import Point
from crypto.hashing import Dst, encode_parts
from crypto.shuffle import ShuffleProof, ShuffleStatement
from crypto.threshold import (
    ListPartialDecryption,
    check_list_plaintexts,
    combine_list_plaintext,
)
from crypto.wire import expect_int, expect_str, parse_id
from election.wire._ballot import MAX_RANKING_LENGTH
from election.wire._common import MAX_COUNT, MAX_OPTIONS, expect_exact, expect_items, parse_hash

__all__ = [
    "Mix",
    "RankedContestResult",
    "RankedDecryption",
    "mix_context",
    "paper_plaintexts",
    "payload_contest",
    "ranked_decryption_context",
]

_MAX_TRUSTEES: Final = 255
_PAPER: Final = re.compile(rf"(?:[0-9a-f]{{2}}){{0,{MAX_RANKING_LENGTH}}}")


def mix_context(fingerprint: bytes, contest: str, mix: int, trustee: int) -> bytes:
    """Spec §11.11 ctx_mix(c, k, j) = encode_parts("verivote-1/mix/context", F, c, I2OSP(k, 4),
    I2OSP(j, 4)): the context of mix k of contest c by trustee j, and its generators' seed."""
    return encode_parts(
        Dst.MIX_CONTEXT,
        fingerprint,
        contest.encode("utf-8"),
        mix.to_bytes(4, "big"),
        trustee.to_bytes(4, "big"),
    )


def ranked_decryption_context(fingerprint: bytes, contest: str, mix_hash: bytes) -> bytes:
    """Spec §11.11 ctx_list(c, H_M) = encode_parts("verivote-1/mix/decryption", F, c, H_M): the
    context of a list decryption (§7.8) of the outputs of the mix whose entry hash is H_M."""
    return encode_parts(Dst.MIX_DECRYPTION, fingerprint, contest.encode("utf-8"), mix_hash)


def payload_contest(value: object, what: str) -> str:
    """The ``contest`` a mixing payload names, read before the payload (its sizes depend on it).

    Raises:
        MalformedInput: not an object, or no contest id in it.
    """
    if not isinstance(value, Mapping) or "contest" not in value:
        raise MalformedInput(f"{what}: a JSON object naming its contest")
    return parse_id(value["contest"], f"{what}.contest")


@dataclass(frozen=True, slots=True)
class Mix:
    """Spec §11.11 The ``mix`` payload: mix ``mix`` (k) of ``contest`` by ``trustee`` (j), its
    ``outputs`` (list_(k+1)) and its proof of a shuffle (§6.8). ``proof`` is None only when
    parsed without it (``with_proof=False``: folding a log whose entries were checked)."""

    contest: str
    mix: int
    trustee: int
    outputs: tuple[Ciphertext, ...]
    proof: ShuffleProof | None

    @classmethod
    def from_json(cls, value: object, *, size: int, with_proof: bool = True) -> Mix:
        """Parse a mix of a contest whose lists hold ``size`` (N_c) ciphertexts.

        Raises:
            MalformedInput: a field missing or unknown, not ``size`` outputs, a bad point or
                scalar, a proof for another number of ciphertexts.
            NonCanonicalEncoding: upper-case hex digits.
        """
        obj = expect_exact(value, "mix payload", {"contest", "mix", "trustee", "outputs", "proof"})
        items = expect_items(obj["outputs"], "mix outputs", maximum=size)
        if len(items) != size:
            raise MalformedInput(f"mix: {len(items)} outputs for {size} ciphertexts")
        outputs = tuple(Ciphertext.from_json(c, f"mix outputs[{i}]") for i, c in enumerate(items))
        proof = ShuffleProof.from_json(obj["proof"], size=size) if with_proof else None
        if not with_proof:
            _json_object(obj["proof"], "shuffle proof")
        return cls(
            contest=parse_id(obj["contest"], "mix contest"),
            mix=expect_int(obj["mix"], "mix number", minimum=0, maximum=MAX_COUNT),
            trustee=expect_int(obj["trustee"], "mix trustee", minimum=1, maximum=_MAX_TRUSTEES),
            outputs=outputs,
            proof=proof,
        )

    def to_json(self) -> dict[str, JsonValue]:
        assert self.proof is not None, "a mix parsed without its proof cannot be written"
        return {
            "contest": self.contest,
            "mix": self.mix,
            "trustee": self.trustee,
            "outputs": [dict(c.to_json()) for c in self.outputs],
            "proof": self.proof.to_json(),
        }

    def statement(
        self, *, public_key: PublicKey, inputs: tuple[Ciphertext, ...], fingerprint: bytes
    ) -> ShuffleStatement:
        """Spec §11.11 The statement the proof is about: ``inputs`` (list_k) shuffled into the
        outputs under the election key, with ctx_mix(c, k, j) as context and generators' seed."""
        context = mix_context(fingerprint, self.contest, self.mix, self.trustee)
        return ShuffleStatement(public_key, inputs, self.outputs, context, context)


@dataclass(frozen=True, slots=True)
class RankedDecryption:
    """Spec §11.11 The ``ranked-decryption`` payload: trustee j's list decryption (§7.8) of the
    outputs of the mix of ``contest`` whose entry hash is ``mix``."""

    contest: str
    mix: bytes
    decryption: ListPartialDecryption

    @property
    def trustee(self) -> int:
        return self.decryption.trustee

    @classmethod
    def from_json(cls, value: object, *, size: int) -> RankedDecryption:
        """Parse the decryption of a list of ``size`` (N_c) ciphertexts.

        Raises:
            MalformedInput: a field missing or unknown, not ``size`` shares, a bad point, a
                proof present for an empty list or missing for another.
            NonCanonicalEncoding: upper-case hex digits.
        """
        obj = expect_exact(value, "ranked-decryption payload", {"contest", "mix", "decryption"})
        return cls(
            contest=parse_id(obj["contest"], "ranked-decryption contest"),
            mix=parse_hash(obj["mix"], "ranked-decryption mix"),
            decryption=ListPartialDecryption.from_json(
                obj["decryption"], size=size, what="ranked-decryption decryption"
            ),
        )

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "contest": self.contest,
            "mix": self.mix.hex(),
            "decryption": self.decryption.to_json(),
        }


@dataclass(frozen=True, slots=True)
class RankedContestResult:
    """Spec §11.12 A ranked contest's part of the result: its decrypting trustees, one paper per
    ciphertext of its final list (the extracted bytes, None where the plaintext is not an
    embedding), the elected in order of election, and the count record (§12.1.5) as published
    (None when no paper is a valid ranking)."""

    contest: str
    trustees: tuple[int, ...]
    papers: tuple[bytes | None, ...]
    elected: tuple[str, ...]
    count: Mapping[str, Any] | None

    @classmethod
    def from_json(cls, value: object, *, contest: str, size: int) -> RankedContestResult:
        """Parse contest ``contest``'s result with ``size`` (N_c) papers.

        Raises:
            MalformedInput: a field missing or unknown, trustees not strictly increasing, not
                ``size`` papers, a paper that is not null or 0 to 29 bytes of lower-case hex.
        """
        what = f"result of {contest}"
        obj = expect_exact(value, what, {"contest", "trustees", "papers", "elected", "count"})
        if obj["contest"] != contest:
            raise MalformedInput(f"{what}: the result names contest {obj['contest']!r} here")
        trustees = tuple(
            expect_int(j, f"{what}.trustees", minimum=1, maximum=_MAX_TRUSTEES)
            for j in expect_items(obj["trustees"], f"{what}.trustees", maximum=_MAX_TRUSTEES)
        )
        if list(trustees) != sorted(set(trustees)):
            raise MalformedInput(f"{what}: trustees must be strictly increasing")
        items = expect_items(obj["papers"], f"{what}.papers", maximum=size)
        if len(items) != size:
            raise MalformedInput(f"{what}: {len(items)} papers for {size} ciphertexts")
        papers = tuple(_paper(p, f"{what}.papers[{i}]") for i, p in enumerate(items))
        elected = tuple(
            parse_id(e, f"{what}.elected")
            for e in expect_items(obj["elected"], f"{what}.elected", maximum=MAX_OPTIONS)
        )
        count = obj["count"]
        if count is not None:
            count = _json_object(count, f"{what}.count")
        return cls(contest, trustees, papers, elected, count)

    def to_json(self) -> dict[str, JsonValue]:
        return {
            "contest": self.contest,
            "trustees": list(self.trustees),
            "papers": [None if p is None else p.hex() for p in self.papers],
            "elected": list(self.elected),
            "count": None if self.count is None else dict(self.count),
        }


def paper_plaintexts(
    papers: Sequence[bytes | None],
    *,
    ciphertexts: Sequence[Ciphertext],
    partials: Sequence[ListPartialDecryption],
) -> list[Point]:
    """Spec §11.12 The plaintexts P_i of a ranked contest's final list (``ciphertexts``), as its
    papers give them, checked against the list decryptions of its decrypting trustees
    (``partials``, verified by the caller): a paper given as bytes is ``embed(paper)``, all of
    them checked at once (§7.8, ``check_list_plaintexts``); a null paper's plaintext is combined
    alone, and must not be an embedding.

    Raises:
        InvalidProof: a paper is not what its ciphertext decrypts to (the message names it).
        MalformedInput: not one paper per ciphertext.
    """
    if len(papers) != len(ciphertexts):
        raise MalformedInput(f"{len(papers)} papers for {len(ciphertexts)} ciphertexts")
    plaintexts: list[Point] = []
    for i, paper in enumerate(papers):
        if paper is not None:
            plaintexts.append(embed(paper))
            continue
        point = combine_list_plaintext(ciphertexts, partials, i)
        try:
            extract(point)
        except MalformedInput:
            plaintexts.append(point)
            continue
        raise InvalidProof(f"paper {i} is null, but it decrypts to a ranking")
    claims = {i: plaintexts[i] for i, paper in enumerate(papers) if paper is not None}
    try:
        check_list_plaintexts(ciphertexts, partials, claims)
    except InvalidProof as exc:
        raise InvalidProof(f"paper: {exc}") from None
    return plaintexts


def _json_object(value: object, what: str) -> dict[str, Any]:
    """Any JSON object (its content is checked by recomputing it).

    Raises:
        MalformedInput: not an object.
    """
    if not isinstance(value, Mapping):
        raise MalformedInput(f"{what} must be a JSON object, got {type(value).__name__}")
    return dict(value)


def _paper(value: object, what: str) -> bytes | None:
    """Spec §11.12 A paper: null, or the hex (§1.2) of 0 to 29 bytes."""
    if value is None:
        return None
    text = expect_str(value, what)
    if not _PAPER.fullmatch(text):
        if _PAPER.fullmatch(text.lower()):
            raise NonCanonicalEncoding(f"{what}: hex digits must be lower-case")
        raise MalformedInput(f"{what}: null or the hex of at most {MAX_RANKING_LENGTH} bytes")
    return bytes.fromhex(text)
