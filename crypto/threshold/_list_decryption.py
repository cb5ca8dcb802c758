"""Spec §7.8 Partial decryption of a list (the outputs of a contest's last shuffle, §6.8), with
ONE Chaum-Pedersen proof per trustee over a hash-weighted combination of the whole list.

Trustee j publishes D_i = alpha_i^x_j for every i and proves log_g X_j = log_A D for
A = Π alpha_i^(e_i), D = Π D_i^(e_i), where the 128-bit e_i hash every alpha_i and every D_i:
a wrong D_i survives with probability 2^-128. The proof blames the trustee, not a share.

The key share x_j is long-lived: it only ever goes through the constant-time exponentiation.
Everything the verifier computes is public, in variable time (Pippenger's method for A and D).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from crypto import canonical
from crypto.elgamal import Ciphertext
from crypto.errors import InsufficientShares, InvalidProof, MalformedInput
from crypto.group import ENCODED_POINT_LENGTH, G, Point, Scalar
from crypto.hashing import Dst, encode_parts, hash_to_exponents
from crypto.multiexp import Mapper, Points, chunks, multi_pow_vartime, pack_points, unpack_points
from crypto.proofs.chaum_pedersen import DleqProof, unsafe_prove_dleq, verify_dleq
from crypto.threshold._ceremony import JointKey, KeyShare
from crypto.threshold._parameters import derive_interpolating_value, index_bytes, parse_index
from crypto.wire import expect_list, expect_object

# Spec §7.8 N is hashed as 4 bytes.
MAX_LIST_SIZE: Final = 2**32 - 1
# Spec §7.8 The secret weights of a batch check of claimed plaintexts (as §6.7's).
_PLAINTEXT_WEIGHT_BITS: Final = 128

_POINT_PART: Final = ENCODED_POINT_LENGTH.to_bytes(4, "big")
_G_BYTES: Final = G.to_bytes()
# Shares per task given to a mapper.
_CHUNK: Final = 1024


@dataclass(frozen=True, slots=True)
class ListPartialDecryption:
    """Spec §7.8 Trustee j's shares D_i = alpha_i^x_j of a list, with one DLEQ proof, which is
    None exactly when the list is empty.

    Wire form: ``{"trustee": j, "decryption_shares": [D_0, ...], "proof": {...} | null}``.
    """

    trustee: int
    decryption_shares: tuple[Point, ...]
    proof: DleqProof | None

    def to_json(self) -> dict[str, canonical.JsonValue]:
        return {
            "trustee": self.trustee,
            "decryption_shares": [d.to_hex() for d in self.decryption_shares],
            "proof": None if self.proof is None else dict(self.proof.to_json()),
        }

    @classmethod
    def from_json(
        cls, value: object, *, size: int, what: str = "list decryption"
    ) -> ListPartialDecryption:
        """Spec §7.8 Parse trustee j's decryption of a list of ``size`` ciphertexts (N comes
        from the list decrypted, never from the shares).

        Raises:
            MalformedInput: a field missing or unknown, a bad index, not exactly N shares, a
                share that does not decode, a null proof for N >= 1 or a proof for N = 0, a
                scalar >= n.
            NonCanonicalEncoding: upper-case hex digits.
        """
        obj = expect_object(value, what, required={"trustee", "decryption_shares", "proof"})
        trustee = parse_index(obj["trustee"], f"{what}: trustee")
        items = expect_list(obj["decryption_shares"], f"{what}.decryption_shares", max_length=size)
        if len(items) != size:
            raise MalformedInput(f"{what}: expected {size} decryption shares, got {len(items)}")
        shares = []
        for i, item in enumerate(items):
            try:
                shares.append(Point.from_hex(item))
            except MalformedInput as exc:
                raise type(exc)(f"{what}.decryption_shares[{i}]: {exc}") from None
        if size == 0:
            if obj["proof"] is not None:
                raise MalformedInput(f"{what}: an empty list has no proof (null)")
            return cls(trustee, (), None)
        if obj["proof"] is None:
            raise MalformedInput(f"{what}: a proof is required for {size} ciphertexts")
        return cls(trustee, tuple(shares), DleqProof.from_json(obj["proof"], f"{what}.proof"))


def _digest(
    context: bytes,
    trustee: int,
    verification_key: Point,
    alphas: Sequence[Point],
    shares: Sequence[Point],
) -> bytes:
    """Spec §7.8 d = H("verivote-1/decryption/list", context, I2OSP(j, 4), g, X_j,
    I2OSP(N, 4), alpha_0, ..., alpha_(N-1), D_0, ..., D_(N-1))."""
    hasher = hashlib.sha256(
        encode_parts(
            Dst.DECRYPTION_LIST,
            context,
            index_bytes(trustee),
            _G_BYTES,
            verification_key.to_bytes(),
            len(alphas).to_bytes(4, "big"),
        )
    )
    hasher.update(b"".join(_POINT_PART + p.to_bytes() for p in alphas))
    hasher.update(b"".join(_POINT_PART + p.to_bytes() for p in shares))
    return hasher.digest()


def _weighted(points: Sequence[Point], exponents: Sequence[int]) -> Point:
    """Π points_i^(e_i) for public 128-bit exponents (Pippenger's method), variable time."""
    return multi_pow_vartime(zip(points, map(Scalar, exponents), strict=True))


def partial_decrypt_list(
    key_share: KeyShare, alphas: Sequence[Point], *, context: bytes, mapper: Mapper = map
) -> ListPartialDecryption:
    """Spec §7.8 D_i = alpha_i^x_j for every alpha, with one DLEQ proof bound to ``context``
    (which names what is decrypted and includes the election fingerprint).

    ``mapper`` (``crypto.multiexp.Mapper``, default: this process) computes the shares in
    chunks, e.g. on the trustee's worker processes, which then receive the key share: only on
    the trustee's own machine (§7.8, informative). The result does not depend on it.

    Raises:
        MalformedInput: an alpha is the identity, or more than 2^32 - 1 alphas.
    """
    return unsafe_partial_decrypt_list(
        key_share, alphas, context=context, nonce=Scalar.random(), mapper=mapper
    )


def unsafe_partial_decrypt_list(
    key_share: KeyShare,
    alphas: Sequence[Point],
    *,
    context: bytes,
    nonce: Scalar,
    mapper: Mapper = map,
) -> ListPartialDecryption:
    """Spec §7.8 The deterministic core of ``partial_decrypt_list``. Never reuse a nonce.

    Raises:
        MalformedInput: an alpha is the identity, or more than 2^32 - 1 alphas.
    """
    if len(alphas) > MAX_LIST_SIZE:
        raise MalformedInput(f"list decryption: at most 2^32 - 1 ciphertexts, got {len(alphas)}")
    for i, alpha in enumerate(alphas):
        if alpha.is_identity:
            raise MalformedInput(f"list decryption: alpha {i} is the identity")
    j, secret = key_share.trustee, key_share.secret
    if not alphas:
        return ListPartialDecryption(j, (), None)
    # D_i = alpha_i^x_j, in constant time: x_j is long-lived.
    remote = mapper is not map
    tasks = [(secret.value, pack_points(part, remote)) for part in chunks(alphas, _CHUNK)]
    shares = tuple(share for done in mapper(_shares_task, tasks) for share in unpack_points(done))
    digest = _digest(context, j, key_share.verification_key, alphas, shares)
    e = hash_to_exponents(Dst.DECRYPTION_LIST_EXPONENT, digest, len(alphas))
    a = _weighted(alphas, e)
    proof = unsafe_prove_dleq(
        secret,
        g1=G,
        h1=key_share.verification_key,
        g2=a,
        h2=a**secret,  # = Π D_i^(e_i), one constant-time exponentiation
        context=digest,
        nonce=nonce,
    )
    return ListPartialDecryption(j, shares, proof)


def _shares_task(task: tuple[int, Points]) -> Points:
    """A mapper's task: alpha^x for each alpha, in constant time (``Point.__pow__``)."""
    secret, alphas = task
    x = Scalar(secret)
    return pack_points([alpha**x for alpha in unpack_points(alphas)], isinstance(alphas, bytes))


def verify_list_partial_decryption(
    partial: ListPartialDecryption,
    *,
    alphas: Sequence[Point],
    verification_key: Point,
    context: bytes,
) -> None:
    """Spec §7.8 Check trustee j's decryption of the list ``alphas`` against X_j.

    Raises:
        InvalidProof: not one share per alpha, an alpha or a share is the identity, a proof is
            missing (N >= 1) or present (N = 0), or the proof does not verify. The message
            names the trustee.
    """
    j, shares = partial.trustee, partial.decryption_shares
    what = f"list decryption by trustee {j}"
    if len(shares) != len(alphas):
        raise InvalidProof(f"{what}: {len(shares)} decryption shares for {len(alphas)} ciphertexts")
    for i, (alpha, share) in enumerate(zip(alphas, shares, strict=True)):
        if alpha.is_identity:
            raise InvalidProof(f"{what}: alpha {i} is the identity")
        if share.is_identity:
            raise InvalidProof(f"{what}: decryption share {i} is the identity")
    if partial.proof is None or not alphas:
        if partial.proof is None and not alphas:
            return
        raise InvalidProof(f"{what}: the proof must be present exactly when the list is not empty")
    digest = _digest(context, j, verification_key, alphas, shares)
    e = hash_to_exponents(Dst.DECRYPTION_LIST_EXPONENT, digest, len(alphas))
    try:
        verify_dleq(
            partial.proof,
            g1=G,
            h1=verification_key,
            g2=_weighted(alphas, e),
            h2=_weighted(shares, e),
            context=digest,
        )
    except InvalidProof as exc:
        raise InvalidProof(f"{what}: {exc}") from None


def threshold_decrypt_list(
    ciphertexts: Sequence[Ciphertext],
    partials: Iterable[ListPartialDecryption],
    *,
    joint_key: JointKey,
    context: bytes,
) -> list[Point]:
    """Spec §7.8, §7.7 The plaintext elements beta_i / alpha_i^x of a list, from the list
    decryptions of any t trustees.

    Each trustee's list decryption is verified (in index order, stopping at t valid); the t
    lowest-indexed valid ones are combined, one set for the whole list.

    Raises:
        MalformedInput: two list decryptions from one trustee, or an index not in 1..n_T.
        InsufficientShares: fewer than t valid list decryptions (the invalid are named).
    """
    t = joint_key.parameters.threshold
    by_trustee: dict[int, ListPartialDecryption] = {}
    for partial in partials:
        joint_key.parameters.check_index(partial.trustee, "list decryption")
        if partial.trustee in by_trustee:
            raise MalformedInput(f"two list decryptions from trustee {partial.trustee}")
        by_trustee[partial.trustee] = partial
    alphas = [c.alpha for c in ciphertexts]
    valid: list[int] = []
    rejected: list[int] = []
    for j in sorted(by_trustee):
        if len(valid) == t:
            break
        try:
            verify_list_partial_decryption(
                by_trustee[j],
                alphas=alphas,
                verification_key=joint_key.verification_key(j),
                context=context,
            )
        except InvalidProof:
            rejected.append(j)
            continue
        valid.append(j)
    if len(valid) < t:
        detail = f"; invalid from trustee(s) {rejected}" if rejected else ""
        raise InsufficientShares(
            f"list of {len(alphas)}: cannot decrypt{detail}", valid=len(valid), threshold=t
        )
    # §7.7 for each ciphertext, with the Lagrange coefficients of T computed once.
    lambdas = [derive_interpolating_value(j, valid) for j in valid]
    shares = [by_trustee[j].decryption_shares for j in valid]
    return [
        c.beta / multi_pow_vartime(zip((s[i] for s in shares), lambdas, strict=True))
        for i, c in enumerate(ciphertexts)
    ]


def combine_list_plaintext(
    ciphertexts: Sequence[Ciphertext], partials: Sequence[ListPartialDecryption], index: int
) -> Point:
    """Spec §7.7 and §7.8 The plaintext element beta_i / alpha_i^x of ciphertext ``index`` of a
    list, combined from exactly the list decryptions ``partials`` (the set T: the caller has
    verified them, §7.8)."""
    indices = [p.trustee for p in partials]
    lambdas = [derive_interpolating_value(j, indices) for j in indices]
    shares = (p.decryption_shares[index] for p in partials)
    return ciphertexts[index].beta / multi_pow_vartime(zip(shares, lambdas, strict=True))


def check_list_plaintexts(
    ciphertexts: Sequence[Ciphertext],
    partials: Sequence[ListPartialDecryption],
    plaintexts: Mapping[int, Point],
) -> None:
    """Spec §7.8 (checking claimed plaintexts) Whether each ``plaintexts[i]`` is the plaintext
    element beta_i / alpha_i^x that the list decryptions ``partials`` (a set T of t trustees,
    verified by the caller) combine to, all at once: with secret weights z_i of 128 bits drawn
    now, Π_i (beta_i / P_i)^(z_i) = Π_{j∈T} (Π_i D_ij^(z_i))^(λ_j). A wrong claim passes with
    probability at most 2^-128 (§6.7's argument). Costs t + 1 multi-exponentiations with 128-bit
    exponents, instead of t exponentiations per plaintext.

    Raises:
        InvalidProof: a claim is wrong; the message names the first (found one by one once the
            batch fails).
    """
    if not plaintexts:
        return
    given = sorted(plaintexts)
    indices = [p.trustee for p in partials]
    lambdas = [derive_interpolating_value(j, indices) for j in indices]
    weights = {i: Scalar(secrets.randbits(_PLAINTEXT_WEIGHT_BITS)) for i in given}
    left = multi_pow_vartime((ciphertexts[i].beta / plaintexts[i], weights[i]) for i in given)
    right = multi_pow_vartime(
        (multi_pow_vartime((p.decryption_shares[i], weights[i]) for i in given), lam)
        for p, lam in zip(partials, lambdas, strict=True)
    )
    if left == right:
        return
    wrong = next(
        i for i in given if combine_list_plaintext(ciphertexts, partials, i) != plaintexts[i]
    )
    raise InvalidProof(f"plaintext {wrong} is not what its ciphertext decrypts to")
