"""Spec §11.8 and §6.7 The verifier's fast reading of ballots.

The plain path (``Ballot.from_json``, then a ``BatchVerifier``) builds an object for every
ciphertext, point, branch and scalar of a ballot: most of a ballot's cost in Python. This path
reads a homomorphic contest (block, approval, referendum) straight from its JSON into bytes:
every ciphertext's points and every commitment of a batch are decoded in one call each, each
proof's challenge is checked as its hash (§6.4, §6.5) as it is read, and the weighted
equations of the whole batch (§6.7 steps 2-4, with weights drawn once every proof is in hand)
are summed in one multi-exponentiation. A ranked contest's ranking is parsed and its §6.6 proof
verified at once, as on the plain path.

It only ever accepts. A ballot not of exactly the form the plain parsers accept (a field
missing or unknown, a type, length or case of hex that differs, a point prefix other than 0x02
or 0x03, a scalar not below n, a challenge that is not the hash) is left to the plain path
(``read`` returns None), which names what is wrong. A batch any of whose points does not
decode, or whose combined equation fails, is read again on the plain path (``check`` returns
None), which names each failure exactly as verifying each proof alone does.
tests/verifier/test_fast_ballots.py holds the two paths to the same verdicts.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from crypto.elgamal import PublicKey
from crypto.errors import MalformedInput, VerivoteError
from crypto.group import ENCODED_POINT_LENGTH, G, N, Point, product
from crypto.hashing import Dst, encode_parts, hash_chunks_to_int
from crypto.multiexp import (
    PACKED,
    MultiPowAccumulator,
    decode_packed,
    packed_point,
    sum_packed,
)
from crypto.proofs.randomness import verify_randomness
from election.wire import BallotLayout, ContestShape, RankedContestBallot, ranking_context
from verifier._ballot_template import Holes, Template

__all__ = ["FastBallot", "FastReader", "check", "merge_products"]

_BALLOT_FIELDS: Final = frozenset({"style", "paper", "contests"})
_CONTEST_FIELDS: Final = frozenset({"contest", "selections", "proofs", "total"})
_CIPHERTEXT_FIELDS: Final = frozenset({"alpha", "beta"})
_PROOF_FIELDS: Final = frozenset({"branches"})
_BRANCH_FIELDS: Final = frozenset({"a", "b", "challenge", "response"})
_POINT_HEX: Final = 2 * ENCODED_POINT_LENGTH
_SCALAR_HEX: Final = 64
_PREFIXES: Final = frozenset({0x02, 0x03})
# encode_parts' length prefix of a 33-byte part (a point), and of a 4-byte one.
_L33: Final = ENCODED_POINT_LENGTH.to_bytes(4, "big")
_L4: Final = (4).to_bytes(4, "big")
_L33_HEX: Final = _L33.hex()
# A ciphertext's two encodings (alpha, beta); a point as encode_parts writes it (I2OSP(33, 4)
# then the encoding), alone and for a ciphertext.
_CIPHERTEXT: Final = 2 * ENCODED_POINT_LENGTH
_PART: Final = 4 + ENCODED_POINT_LENGTH
_CIPHERTEXT_PARTS: Final = 2 * _PART
_WEIGHT_BYTES: Final = 16  # §6.7 weights of 128 bits
# The bytes of a ballot entry after its style: '"},"signature":"', 128 hex digits of the
# signature, then '","type":"ballot","version":1}' (§10.1).
_STYLE_END: Final = len('"},"signature":"') + 128 + len('","type":"ballot","version":1}')
_PACKED_SIZE: Final = 64  # a packed point (crypto.multiexp.decode_packed)


@dataclass(frozen=True, slots=True)
class FastBallot:
    """A ballot read by the fast path, its challenges checked: its leaf ``index`` and style;
    ``ciphertexts``, the 33-byte encodings alpha, beta of each option, contest after contest;
    ``commitments``, A and B of each branch, proof after proof; ``proofs``, per proof the
    first ciphertext it is about, how many (1 for a range proof, a contest's options for a sum
    proof), its minimum value, where its branches' challenges and responses start in
    ``numbers`` (c_0, s_0, c_1, s_1, ...) and its number of branches; ``columns``, per
    homomorphic contest its id, first ciphertext and options (for the tally's products);
    ``alphas``, the 64-bit prefixes of the alphas of every ciphertext in the ballot's order
    (§11.8); ``rankings``, each ranked contest's id and ranking ciphertext (alpha || beta)."""

    index: int
    style: str
    ciphertexts: bytes
    commitments: bytes
    proofs: tuple[tuple[int, int, int, int, int], ...]
    columns: tuple[tuple[str, int, int], ...]
    alphas: tuple[int, ...]
    rankings: tuple[tuple[str, bytes], ...]
    numbers: list[int]


class FastReader:
    """Reads ballots against one election's layout and key, when the C extension is built
    and the layout has its paper hash (``enabled`` says whether it can): a whole ballot entry
    from its bytes, if they are its style's template filled in (``read_entry``), or else a
    parsed ballot payload (``read``). A ranked contest's ranking is parsed and its proof
    verified at once, as on the plain path (§6.6 proofs are not batched), under the key
    ``ranking_key()`` gives (one with its table)."""

    def __init__(
        self,
        election: str,
        layout: BallotLayout,
        fingerprint: bytes,
        public_key: PublicKey,
        ranking_key: Callable[[], PublicKey],
    ) -> None:
        self.election = election
        self.layout = layout
        self.fingerprint = fingerprint
        self.public_key = public_key
        self.ranking_key = ranking_key
        self.enabled = PACKED and layout.paper is not None
        self._paper = (layout.paper or b"").hex()
        # encode_parts(g, pk): the statement's fixed parts after each proof's context (§6.4).
        self._keys = encode_parts(G.to_bytes(), public_key.to_bytes())
        self._option_middles: list[bytes] = []
        # Per style named in an entry's bytes: its template, the style and its bounds (as
        # read() makes them); None for a style with a ranked contest.
        self._templates: dict[
            bytes, tuple[Template, str, list[tuple[ContestShape, int]]] | None
        ] = {}

    def read(self, index: int, payload: object, credential: Point) -> FastBallot | None:
        """Spec §11.8 The ballot ``payload`` of the voter with ``credential``, its challenges
        checked (and its rankings' proofs verified); None when the plain path must read it."""
        if not self.enabled or type(payload) is not dict or payload.keys() != _BALLOT_FIELDS:
            return None
        style, contests = payload["style"], payload["contests"]
        if type(style) is not str or payload["paper"] != self._paper:
            return None
        try:
            shapes = self.layout.style(style)
        except MalformedInput:
            return None
        if type(contests) is not list or len(contests) != len(shapes):
            return None
        points: list[str] = []
        commitments: list[str] = []
        scalars: list[str] = []
        bounds: list[tuple[ContestShape, int]] = []  # each contest's shape and its proofs
        rankings: dict[int, tuple[str, bytes]] = {}  # by position in the ballot
        for value, shape in zip(contests, shapes, strict=True):
            if not shape.homomorphic:
                ranking = self._ranking(value, shape, credential)
                if ranking is None:
                    return None
                rankings[len(bounds)] = (shape.id, ranking)
                bounds.append((shape, 0))
                continue
            proofs = _read_contest(value, shape, points, commitments, scalars)
            if proofs < 0:
                return None
            bounds.append((shape, proofs))
        cts = _hex(points, _POINT_HEX)
        cms = _hex(commitments, _POINT_HEX)
        scs = _hex(scalars, _SCALAR_HEX)
        if cts is None or cms is None or scs is None:
            return None
        numbers = _numbers(cts, cms, scs)
        if numbers is None:
            return None
        # Every point as encode_parts writes it (I2OSP(33, 4) || encoding, 37 bytes each), from
        # the hex already checked above.
        ct_parts = bytes.fromhex(_L33_HEX + _L33_HEX.join(points)) if points else b""
        cm_parts = bytes.fromhex(_L33_HEX + _L33_HEX.join(commitments)) if commitments else b""
        return self._check_challenges(
            index, style, credential.to_bytes(), bounds, rankings,
            (cts, ct_parts), (cms, cm_parts), numbers,
        )  # fmt: skip

    def read_entry(self, index: int, raw: bytes, key: bytes) -> tuple[FastBallot, Holes] | None:
        """Spec §10.1, §11.8 The ballot entry ``raw`` of the voter with key ``key`` read from
        its bytes, when they are its style's template filled in (``Template``), its challenges
        checked: the same ballot ``read`` gives from the parsed entry, and the signed bytes and
        signature. None when the entry must be parsed (any other form, a ranked contest, a
        challenge that is not the hash): the parsers then name what is wrong, if anything."""
        if not self.enabled or len(raw) <= _STYLE_END:
            return None
        end = len(raw) - _STYLE_END
        start = raw.rfind(b'"style":"', 0, end) + len(b'"style":"')
        found = self._template(raw[start:end])
        if found is None:
            return None
        template, style, bounds = found
        if raw[template.key] != key.hex().encode():
            return None
        holes = template.read(raw)
        if holes is None:
            return None
        numbers = _numbers(holes.ciphertexts, holes.commitments, holes.scalars)
        if numbers is None:
            return None
        ballot = self._check_challenges(
            index, style, key, bounds, {},
            (holes.ciphertexts, holes.ciphertext_parts),
            (holes.commitments, holes.commitment_parts), numbers,
        )  # fmt: skip
        return None if ballot is None else (ballot, holes)

    def _middles(self, options: int) -> list[bytes]:
        """Per option k, the parts of its range proof's statement between the context and the
        ciphertext: I2OSP(4, 4) || I2OSP(k, 4) || encode_parts(g, pk) (§6.4, §11.8)."""
        middles = self._option_middles
        while len(middles) < options:
            middles.append(_L4 + len(middles).to_bytes(4, "big") + self._keys)
        return middles

    def _template(
        self, style_bytes: bytes
    ) -> tuple[Template, str, list[tuple[ContestShape, int]]] | None:
        """The template of the style ``style_bytes`` names, with its shapes and their numbers of
        proofs; None for a style the election cannot produce or with a ranked contest."""
        cached = self._templates.get(style_bytes)
        if cached is not None or style_bytes in self._templates:
            return cached
        try:
            style = style_bytes.decode("ascii")
            shapes = self.layout.style(style)
        except (UnicodeDecodeError, MalformedInput):
            return None  # not kept: the layout keeps only the styles it can produce
        made = None
        if all(shape.homomorphic for shape in shapes):
            try:
                template = Template(self.election, style, self._paper, shapes)
            except ValueError:  # pragma: no cover - ids and styles hold no "@"
                template = None
            if template is not None:
                bounds = [(s, s.options + (s.total_range is not None)) for s in shapes]
                made = (template, style, bounds)
        self._templates[style_bytes] = made
        return made

    def _ranking(self, value: object, shape: ContestShape, credential: Point) -> bytes | None:
        """Spec §11.8 A ranked contest's ranking (alpha || beta) once its proof verifies, as
        the plain path reads and verifies it; None if it does not."""
        try:
            contest = RankedContestBallot.from_json(value, shape)
            verify_randomness(
                contest.proof,
                public_key=self.ranking_key(),
                ciphertext=contest.ranking,
                context=ranking_context(self.fingerprint, credential, shape.id),
            )
        except VerivoteError:
            return None
        return contest.ranking.alpha.to_bytes() + contest.ranking.beta.to_bytes()

    def _check_challenges(
        self,
        index: int,
        style: str,
        credential: bytes,
        bounds: list[tuple[ContestShape, int]],
        rankings: dict[int, tuple[str, bytes]],
        ciphertexts: tuple[bytes, bytes],
        commitments: tuple[bytes, bytes],
        numbers: list[int],
    ) -> FastBallot | None:
        """Spec §6.4 and §6.5 steps 1-2 of each proof: the challenges sum to the hash of the
        statement (contexts of §11.8) and the commitments as received. ``ciphertexts`` and
        ``commitments`` hold the points' encodings joined, and as encode_parts writes them."""
        proofs: list[tuple[int, int, int, int, int]] = []
        columns: list[tuple[str, int, int]] = []
        alphas: list[int] = []
        (cts, ct_parts), (cms, cm_parts) = ciphertexts, commitments
        ct = cm = sc = 0  # the next ciphertext, commitment and scalar
        for position, (shape, count) in enumerate(bounds):
            if position in rankings:
                alphas.append(_alpha_prefix(rankings[position][1]))
                continue
            options = shape.options
            last = _CIPHERTEXT * (ct + options)
            alphas += (
                _alpha_prefix(cts[k : k + 9]) for k in range(_CIPHERTEXT * ct, last, _CIPHERTEXT)
            )
            contest = shape.id.encode("utf-8")
            columns.append((shape.id, ct, options))
            selection = encode_parts(Dst.BALLOT_SELECTION, self.fingerprint, credential, contest)
            head = encode_parts(Dst.RANGE) + (len(selection) + 8).to_bytes(4, "big") + selection
            middles = self._middles(options)
            for k in range(options):
                # §6.4 step 2 for option k's proof (0 or 1): c_0 + c_1 = H_s(statement).
                at = _CIPHERTEXT_PARTS * (ct + k)
                value = hash_chunks_to_int(
                    (head, middles[k], ct_parts[at : at + _CIPHERTEXT_PARTS], _BOUNDS_01,
                     cm_parts[_PART * cm : _PART * (cm + 4)])
                )  # fmt: skip
                if value != (numbers[sc] + numbers[sc + 2]) % N:
                    return None
                proofs.append((ct + k, 1, 0, sc, 2))
                cm, sc = cm + 4, sc + 4
            if count > options:
                low, high = shape.total_range or (0, 0)
                branches = high - low + 1
                total = encode_parts(Dst.BALLOT_TOTAL, self.fingerprint, credential, contest)
                statement = b"".join(
                    (encode_parts(Dst.SUM_RANGE, total), self._keys,
                     encode_parts(options.to_bytes(4, "big")),
                     ct_parts[_CIPHERTEXT_PARTS * ct : _CIPHERTEXT_PARTS * (ct + options)],
                     encode_parts(low.to_bytes(4, "big"), high.to_bytes(4, "big")),
                     cm_parts[_PART * cm : _PART * (cm + 2 * branches)])
                )  # fmt: skip
                if not _challenge_holds(statement, numbers, sc, branches):
                    return None
                proofs.append((ct, options, low, sc, branches))
                cm, sc = cm + 2 * branches, sc + 2 * branches
            ct += options
        return FastBallot(
            index, style, cts, cms, tuple(proofs), tuple(columns), tuple(alphas),
            tuple(rankings.values()), numbers,
        )  # fmt: skip


def _numbers(ciphertexts: bytes, commitments: bytes, scalars: bytes) -> list[int] | None:
    """The scalars as integers, if every point's first byte is 0x02 or 0x03 (§2.3) and every
    scalar is below n (§2.2); else None."""
    prefixes = set(ciphertexts[::ENCODED_POINT_LENGTH]) | set(commitments[::ENCODED_POINT_LENGTH])
    if not prefixes <= _PREFIXES:
        return None
    numbers = [int.from_bytes(scalars[k : k + 32], "big") for k in range(0, len(scalars), 32)]
    if numbers and max(numbers) >= N:
        return None
    return numbers


def _alpha_prefix(data: bytes) -> int:
    """Spec §11.8 The 64-bit fingerprint of the alpha whose encoding ``data`` starts with."""
    return int.from_bytes(data[1:9], "big") or 1


# encode_parts(I2OSP(0, 4), I2OSP(1, 4)): the bounds of a selection's range proof (§11.8).
_BOUNDS_01: Final = encode_parts((0).to_bytes(4, "big"), (1).to_bytes(4, "big"))


def _read_contest(
    value: object,
    shape: ContestShape,
    points: list[str],
    commitments: list[str],
    scalars: list[str],
) -> int:
    """Collect a homomorphic contest's hex fields (its ciphertexts' points, its proofs'
    commitments and scalars, in order); its number of proofs, or -1 for the plain path."""
    if not shape.homomorphic or type(value) is not dict or value.keys() != _CONTEST_FIELDS:
        return -1
    selections, proofs, total = value["selections"], value["proofs"], value["total"]
    if (
        value["contest"] != shape.id
        or type(selections) is not list
        or type(proofs) is not list
        or len(selections) != shape.options
        or len(proofs) != shape.options
    ):
        return -1
    for ciphertext in selections:
        if type(ciphertext) is not dict or ciphertext.keys() != _CIPHERTEXT_FIELDS:
            return -1
        points += (ciphertext["alpha"], ciphertext["beta"])
    for proof in proofs:
        if not _read_proof(proof, 2, commitments, scalars):
            return -1
    total_range = shape.total_range
    if total_range is None:
        return shape.options if total is None else -1
    low, high = total_range
    if not _read_proof(total, high - low + 1, commitments, scalars):
        return -1
    return shape.options + 1


def _read_proof(value: object, branches: int, commitments: list[str], scalars: list[str]) -> bool:
    if type(value) is not dict or value.keys() != _PROOF_FIELDS:
        return False
    items = value["branches"]
    if type(items) is not list or len(items) != branches:
        return False
    for branch in items:
        if type(branch) is not dict or branch.keys() != _BRANCH_FIELDS:
            return False
        commitments += (branch["a"], branch["b"])
        scalars += (branch["challenge"], branch["response"])
    return True


def _hex(texts: list[str], length: int) -> bytes | None:
    """The bytes of ``texts``, each exactly ``length`` lower-case hex digits, or None."""
    if not texts:
        return b""
    try:
        if set(map(len, texts)) != {length}:  # a number has no len(): TypeError
            return None
        joined = "".join(texts)  # a list of the right length is no str: TypeError
        data = bytes.fromhex(joined)
    except (TypeError, ValueError):
        return None
    return data if data.hex() == joined else None  # lower-case, no white space


def _challenge_holds(statement: bytes, numbers: list[int], start: int, branches: int) -> bool:
    """Spec §6.4 step 2: the branches' challenges (numbers[start], numbers[start + 2], ...)
    sum to H_s of ``statement``, the encoded parts up to the commitments as received."""
    return hash_chunks_to_int((statement,)) == sum(numbers[start : start + 2 * branches : 2]) % N


def check(
    ballots: Sequence[FastBallot], public_key: PublicKey
) -> dict[str, list[tuple[bytes, bytes]]] | None:
    """Spec §6.7 steps 1-4 for every proof of ``ballots`` together: None if a point does not
    decode or the combined equation fails (the plain path reads them again); otherwise, per
    contest, the product of the ballots' ciphertexts per option as (alpha, beta) encodings
    (§5.4)."""
    if not ballots:
        return {}
    ciphertexts = decode_packed(b"".join(b.ciphertexts for b in ballots))
    # Step 1: the commitments' inverses, decoded directly (first byte flipped).
    commitments = decode_packed(b"".join(b.commitments for b in ballots), inverse=True)
    if ciphertexts is None or commitments is None:
        return None
    # Step 2: two 128-bit weights per branch (za for A, zb for B), all proofs in hand.
    count = len(commitments) // _PACKED_SIZE
    drawn = secrets.randbits(8 * _WEIGHT_BYTES * count).to_bytes(_WEIGHT_BYTES * count, "little")
    weights = [
        int.from_bytes(drawn[k : k + _WEIGHT_BYTES], "little")
        for k in range(0, len(drawn), _WEIGHT_BYTES)
    ]
    # Step 3: branch j (value v = minimum + j) with weights (za, zb) contributes
    # g^(za·s + zb·c·v) · pk^(zb·s) · alpha^(-za·c) · beta^(-zb·c) · (A^-1)^za · (B^-1)^zb; a sum
    # proof's alpha and beta are products, so its exponents go to each of its ciphertexts.
    exponents = [0] * (len(ciphertexts) // _PACKED_SIZE)
    g_exponent = key_exponent = 0
    w = first = 0
    for ballot in ballots:
        numbers = ballot.numbers
        for start, size, minimum, at, branches in ballot.proofs:
            if size == 1 and branches == 2 and minimum == 0:
                # A selection's range proof (0 or 1), most of the proofs: the loop below,
                # unrolled (v = 0 then 1).
                c0, s0, c1, s1 = numbers[at : at + 4]
                za0, zb0, za1, zb1 = weights[w : w + 4]
                w += 4
                g_exponent += za0 * s0 + za1 * s1 + zb1 * c1
                key_exponent += zb0 * s0 + zb1 * s1
                i = 2 * (first + start)
                exponents[i] -= za0 * c0 + za1 * c1
                exponents[i + 1] -= zb0 * c0 + zb1 * c1
                continue
            alpha_exponent = beta_exponent = 0
            for j in range(branches):
                c, s = numbers[at], numbers[at + 1]
                za, zb = weights[w], weights[w + 1]
                at, w = at + 2, w + 2
                g_exponent += za * s + zb * c * (minimum + j)
                key_exponent += zb * s
                alpha_exponent -= za * c
                beta_exponent -= zb * c
            for i in range(2 * (first + start), 2 * (first + start + size), 2):
                exponents[i] += alpha_exponent
                exponents[i + 1] += beta_exponent
        first += len(ballot.ciphertexts) // _CIPHERTEXT
    terms = MultiPowAccumulator()
    terms.add_packed(commitments, weights)
    terms.add_packed(ciphertexts, exponents)
    terms.add_packed(packed_point(G) + packed_point(public_key.element), [g_exponent, key_exponent])
    # Step 4: the product is the identity iff (but with probability 2^-128) every one holds.
    if not terms.compute().is_identity:
        return None
    return _products(ballots, ciphertexts)


def _products(
    ballots: Sequence[FastBallot], ciphertexts: bytes
) -> dict[str, list[tuple[bytes, bytes]]]:
    """Per contest and option, the product of the ballots' ciphertexts, as encodings."""
    columns: dict[str, list[tuple[list[bytes], list[bytes]]]] = {}
    first = 0
    for ballot in ballots:
        for contest, start, options in ballot.columns:
            row = columns.get(contest)
            if row is None:
                row = columns[contest] = [([], []) for _ in range(options)]
            at = _PACKED_SIZE * 2 * (first + start)
            for alphas, betas in row:
                alphas.append(ciphertexts[at : at + _PACKED_SIZE])
                betas.append(ciphertexts[at + _PACKED_SIZE : at + 2 * _PACKED_SIZE])
                at += 2 * _PACKED_SIZE
        first += len(ballot.ciphertexts) // _CIPHERTEXT
    return {
        contest: [
            (sum_packed(b"".join(a)).to_bytes(), sum_packed(b"".join(b)).to_bytes()) for a, b in row
        ]
        for contest, row in columns.items()
    }


def merge_products(
    *parts: dict[str, list[tuple[bytes, bytes]]],
) -> dict[str, list[tuple[bytes, bytes]]]:
    """Products of disjoint sets of ballots, per contest and option, multiplied together."""
    out: dict[str, list[tuple[bytes, bytes]]] = {}
    for part in parts:
        for contest, row in part.items():
            mine = out.get(contest)
            if mine is None:
                out[contest] = list(row)
                continue
            out[contest] = [
                (
                    product([Point.from_bytes(a1), Point.from_bytes(a2)]).to_bytes(),
                    product([Point.from_bytes(b1), Point.from_bytes(b2)]).to_bytes(),
                )
                for (a1, b1), (a2, b2) in zip(mine, row, strict=True)
            ]
    return out
