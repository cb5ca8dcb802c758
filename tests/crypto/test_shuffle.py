"""Spec §6.8 Proof of a shuffle: honest shuffles verify and decrypt to the same multiset, and each
way a mix can be wrong is refused for its own, named reason."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import crypto.shuffle._verifier as verifier
from crypto.elgamal import (
    Ciphertext,
    decrypt,
    decrypt_bytes,
    re_encrypt_with_randomness,
)
from crypto.errors import InvalidProof, MalformedInput
from crypto.group import IDENTITY, G, N, Point, Scalar, g_pow
from crypto.hashing import Dst, hash_to_point
from crypto.multiexp import FixedBase
from crypto.shuffle import (
    ShuffleNonces,
    ShuffleProof,
    ShuffleStatement,
    ShuffleWitness,
    check_shuffle_proof,
    gen_shuffle_proof,
    random_permutation,
    shuffle,
    shuffle_generators,
    shuffle_with_witness,
    unsafe_gen_shuffle_proof,
)
from tests.crypto.shuffle_cases import (
    CONTEXT,
    OTHER_PK,
    PK,
    SEED,
    SK,
    Case,
    encrypt_all,
    honest,
    make_case,
    mix_context,
    mix_seed,
    rankings,
    seeded,
)
from tests.strategies import embeddable

BOTH = pytest.mark.parametrize("batched", [True, False], ids=["batched", "single"])


def _check(proof: ShuffleProof, statement: ShuffleStatement, *, batched: bool = True) -> None:
    check_shuffle_proof(proof, statement, batched=batched)


# Completeness --------------------------------------------------------------------------------
@BOTH
@pytest.mark.parametrize("size", [0, 1, 2, 3])
def test_honest_shuffles_verify(size: int, batched: bool) -> None:
    case = honest(size)
    _check(case.proof, case.statement, batched=batched)
    decrypted = Counter(decrypt_bytes(SK, c) for c in case.statement.outputs)
    assert decrypted == Counter(rankings(size))


def test_exponential_ciphertexts_shuffle_to_the_same_counts() -> None:
    values = [0, 1, 1, 5, 0, 2]
    case = make_case(encrypt_all(values))
    check_shuffle_proof(case.proof, case.statement)
    assert sorted(decrypt(SK, c, bound=10) for c in case.statement.outputs) == sorted(values)


@settings(max_examples=12)
@given(
    st.lists(embeddable, max_size=9),
    st.integers(min_value=0, max_value=2**32 - 1),
    st.booleans(),
)
def test_random_shuffles_verify_and_keep_the_plaintexts(
    plaintexts: list[bytes], mix: int, table: bool
) -> None:
    pk = PK.precompute() if table else PK
    inputs = encrypt_all(plaintexts, pk)
    case = make_case(inputs, pk=pk, context=mix_context(mix), seed=mix_seed(mix))
    check_shuffle_proof(case.proof, case.statement)
    assert Counter(decrypt_bytes(SK, c) for c in case.statement.outputs) == Counter(plaintexts)


def test_a_chain_of_mixes_verifies_mix_by_mix() -> None:
    """Each mix takes the previous outputs, under its own context and generators."""
    current = encrypt_all(rankings(5))
    for mix in range(1, 4):
        case = make_case(current, context=mix_context(mix), seed=mix_seed(mix))
        check_shuffle_proof(case.proof, case.statement)
        current = case.statement.outputs
    assert Counter(decrypt_bytes(SK, c) for c in current) == Counter(rankings(5))


def test_shuffle_with_witness_moves_input_j_to_output_pi_j() -> None:
    inputs = encrypt_all(rankings(4))
    witness = ShuffleWitness((2, 0, 3, 1), tuple(seeded("r", j) for j in range(4)))
    outputs = shuffle_with_witness(PK, inputs, witness)
    for j, ciphertext in enumerate(inputs):
        expected = re_encrypt_with_randomness(PK, ciphertext, randomness=witness.randomness[j])
        assert outputs[witness.permutation[j]] == expected


def test_shuffle_returns_a_fresh_secret_witness() -> None:
    inputs = encrypt_all(rankings(6))
    outputs, witness = shuffle(PK, inputs)
    assert shuffle_with_witness(PK, inputs, witness) == outputs
    assert sorted(witness.permutation) == list(range(6))
    assert "<secret>" in repr(witness)
    assert str(witness.randomness[0].value) not in repr(witness)


def test_random_permutation_is_a_permutation_and_varies() -> None:
    assert random_permutation(0) == ()
    seen = {random_permutation(5) for _ in range(40)}
    assert all(sorted(p) == list(range(5)) for p in seen)
    assert len(seen) > 10


@pytest.mark.parametrize(
    ("permutation", "randomness", "message"),
    [
        ((0, 0), 2, "not a permutation"),
        ((0, 2), 2, "not a permutation"),
        ((1, 0), 1, "1 randomness values for 2 inputs"),
    ],
)
def test_a_witness_must_be_a_permutation(
    permutation: tuple[int, ...], randomness: int, message: str
) -> None:
    with pytest.raises(MalformedInput, match=message):
        ShuffleWitness(permutation, tuple(Scalar(1) for _ in range(randomness)))


# Generators -----------------------------------------------------------------------------------
def test_generators_follow_the_spec_and_are_cached_and_extended() -> None:
    seed = b"generators-test-seed"
    small = shuffle_generators(seed, 3)
    large = shuffle_generators(seed, 6)
    assert large.h == small.h
    assert large.hs[:3] == small.hs
    expected = [hash_to_point(Dst.GENERATOR, seed, k.to_bytes(4, "big")) for k in range(7)]
    assert [large.h, *large.hs] == expected
    assert len(set(expected) | {G}) == 8
    assert shuffle_generators(seed + b"!", 3).h != small.h


def test_generators_refuse_a_size_beyond_4_byte_indices() -> None:
    with pytest.raises(MalformedInput, match="size must be"):
        shuffle_generators(b"seed", 2**32 - 1)


# Negative cases: the statement ---------------------------------------------------------------
# When the statement or a hashed part of the proof changes, the challenge and the e_j change with
# it, so every equation fails: the message names them all, A first.
ALL_FAIL = r"^shuffle proof: equations A, B_0, B_1, .* do not hold$"


def _outputs(case: Case, *outputs: Ciphertext) -> ShuffleStatement:
    return case.with_statement(outputs=tuple(outputs))


@BOTH
def test_swapped_outputs_are_refused(batched: bool) -> None:
    case = honest(3)
    o = case.statement.outputs
    with pytest.raises(InvalidProof, match=ALL_FAIL):
        _check(case.proof, _outputs(case, o[1], o[0], o[2]), batched=batched)


@BOTH
def test_a_replaced_output_is_refused(batched: bool) -> None:
    case = honest(3)
    o = case.statement.outputs
    replaced = encrypt_all([b"stuffed"])[0]
    with pytest.raises(InvalidProof, match=ALL_FAIL):
        _check(case.proof, _outputs(case, o[0], replaced, o[2]), batched=batched)


@BOTH
def test_an_output_re_encrypted_again_is_refused(batched: bool) -> None:
    """Same plaintext, other randomness: the proof is about these exact ciphertexts."""
    case = honest(3)
    o = case.statement.outputs
    again = re_encrypt_with_randomness(PK, o[2], randomness=Scalar(5))
    with pytest.raises(InvalidProof, match=ALL_FAIL):
        _check(case.proof, _outputs(case, o[0], o[1], again), batched=batched)


def test_a_dropped_output_is_refused() -> None:
    case = honest(3)
    o = case.statement.outputs
    with pytest.raises(InvalidProof, match=r"^shuffle: 2 outputs for 3 inputs$"):
        check_shuffle_proof(case.proof, _outputs(case, o[0], o[2]))


def test_an_appended_duplicate_output_is_refused() -> None:
    case = honest(3)
    o = case.statement.outputs
    with pytest.raises(InvalidProof, match=r"^shuffle: 4 outputs for 3 inputs$"):
        check_shuffle_proof(case.proof, _outputs(case, *o, o[1]))


@BOTH
def test_a_duplicated_output_in_place_of_another_is_refused(batched: bool) -> None:
    case = honest(3)
    o = case.statement.outputs
    with pytest.raises(InvalidProof, match=ALL_FAIL):
        _check(case.proof, _outputs(case, o[0], o[0], o[2]), batched=batched)


def test_a_cheating_mixer_cannot_prove_a_replaced_vote() -> None:
    """A mixer that replaces one vote and proves with the honest witness is refused."""
    inputs = encrypt_all(rankings(4))
    outputs, witness = shuffle(PK, inputs)
    forged = list(outputs)
    forged[witness.permutation[1]] = encrypt_all([b"\x00\x01\x02"])[0]
    statement = ShuffleStatement(PK, inputs, tuple(forged), mix_context(1), SEED)
    proof = gen_shuffle_proof(statement, witness)
    with pytest.raises(InvalidProof, match=r"^shuffle proof: equations F.alpha, F.beta do not"):
        check_shuffle_proof(proof, statement)


@BOTH
@pytest.mark.parametrize(
    "context",
    [
        mix_context(2),
        mix_context(1, contest=b"youth"),
        mix_context(1, fingerprint=bytes(32)),
    ],
    ids=["other-mix-number", "other-contest", "other-election"],
)
def test_a_proof_moved_to_another_context_is_refused(context: bytes, batched: bool) -> None:
    case = honest(3)
    with pytest.raises(InvalidProof, match=ALL_FAIL):
        _check(case.proof, case.with_statement(context=context), batched=batched)


@BOTH
def test_a_wrong_generator_seed_is_refused(batched: bool) -> None:
    case = honest(3)
    with pytest.raises(InvalidProof, match=ALL_FAIL):
        _check(case.proof, case.with_statement(generator_seed=mix_seed(2)), batched=batched)


@BOTH
def test_other_inputs_or_key_are_refused(batched: bool) -> None:
    case = honest(3)
    i = case.statement.inputs
    with pytest.raises(InvalidProof, match=ALL_FAIL):
        _check(case.proof, case.with_statement(inputs=(i[1], i[0], i[2])), batched=batched)
    with pytest.raises(InvalidProof, match=ALL_FAIL):
        _check(case.proof, case.with_statement(public_key=OTHER_PK), batched=batched)


@pytest.mark.parametrize("component", ["alpha", "beta"])
def test_an_identity_in_an_output_is_refused(component: str) -> None:
    case = honest(3)
    o = list(case.statement.outputs)
    o[1] = replace(o[1], **{component: IDENTITY})
    with pytest.raises(InvalidProof, match=rf"^shuffle: output 1 {component} is the identity$"):
        check_shuffle_proof(case.proof, _outputs(case, *o))


# Negative cases: the proof ---------------------------------------------------------------------
def _edit(proof: ShuffleProof, path: str, value: object) -> ShuffleProof:
    """A copy of ``proof`` with the field at ``path`` (e.g. "responses.b.1") set to ``value``."""
    parts = path.split(".")

    def set_in(obj: object, keys: list[str]) -> object:
        key, rest = keys[0], keys[1:]
        if isinstance(obj, tuple):
            items = list(obj)
            items[int(key)] = set_in(items[int(key)], rest) if rest else value
            return tuple(items)
        current = getattr(obj, key)
        return replace(obj, **{key: set_in(current, rest) if rest else value})  # type: ignore[type-var]

    result = set_in(proof, parts)
    assert isinstance(result, ShuffleProof)
    return result


def _get(proof: ShuffleProof, path: str) -> object:
    obj: object = proof
    for key in path.split("."):
        obj = obj[int(key)] if isinstance(obj, tuple) else getattr(obj, key)
    return obj


@BOTH
def test_the_permutation_commitment_changed_after_the_challenge_is_refused(batched: bool) -> None:
    case = honest(3)
    u = case.proof.permutation_commitment
    for changed in [(u[1], u[0], u[2]), (u[0] * G, u[1], u[2])]:
        proof = replace(case.proof, permutation_commitment=changed)
        with pytest.raises(InvalidProof, match=ALL_FAIL):
            _check(proof, case.statement, batched=batched)


@BOTH
@pytest.mark.parametrize(
    "path", ["chain.1", "commitments.a", "commitments.b.0", "commitments.c", "commitments.d"]
)
def test_a_hashed_commitment_altered_is_refused(path: str, batched: bool) -> None:
    case = honest(3)
    altered = _get(case.proof, path)
    assert isinstance(altered, Point)
    with pytest.raises(InvalidProof, match=ALL_FAIL):
        _check(_edit(case.proof, path, altered * G), case.statement, batched=batched)


# Responses are not hashed: altering one breaks exactly the equations it enters.
RESPONSE_MUTATIONS = [
    ("responses.a", "equation A does"),
    ("responses.b.0", "equation B_0 does"),
    ("responses.b.2", "equation B_2 does"),
    ("responses.c", "equation C does"),
    ("responses.d", "equation D does"),
    ("responses.e.0", "equations A, B_0, F.alpha, F.beta do"),
    ("responses.e.1", "equations A, B_1, F.alpha, F.beta do"),
    ("responses.e.2", "equations A, B_2, F.alpha, F.beta do"),
    ("responses.f", "equations F.alpha, F.beta do"),
]


@BOTH
@pytest.mark.parametrize(("path", "failing"), RESPONSE_MUTATIONS)
def test_each_response_altered_is_refused_naming_its_equations(
    path: str, failing: str, batched: bool
) -> None:
    case = honest(3)
    response = _get(case.proof, path)
    assert isinstance(response, Scalar)
    proof = _edit(case.proof, path, response + Scalar(1))
    with pytest.raises(InvalidProof, match=rf"^shuffle proof: {failing} not hold$"):
        _check(proof, case.statement, batched=batched)


@BOTH
def test_the_f_commitment_altered_is_refused(batched: bool) -> None:
    case = honest(2)
    f = case.proof.commitments.f
    for altered in (replace(f, alpha=f.alpha * G), replace(f, beta=f.beta * G)):
        proof = replace(case.proof, commitments=replace(case.proof.commitments, f=altered))
        with pytest.raises(InvalidProof, match=r"^shuffle proof: equations A, B_0, B_1, C, D"):
            _check(proof, case.statement, batched=batched)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("permutation_commitment.0", "permutation_commitment[0]"),
        ("chain.2", "chain[2]"),
        ("commitments.b.1", "commitments.b[1]"),
        ("commitments.a", "commitments.a"),
        ("commitments.c", "commitments.c"),
        ("commitments.d", "commitments.d"),
    ],
)
def test_an_identity_in_the_proof_is_refused(path: str, name: str) -> None:
    case = honest(3)
    with pytest.raises(InvalidProof, match=rf"^shuffle proof: {re.escape(name)} is the identity$"):
        check_shuffle_proof(_edit(case.proof, path, IDENTITY), case.statement)


def test_an_identity_in_f_is_refused() -> None:
    case = honest(1)
    k = case.proof.commitments
    for component in ("alpha", "beta"):
        f = replace(k.f, **{component: IDENTITY})
        proof = replace(case.proof, commitments=replace(k, f=f))
        with pytest.raises(InvalidProof, match=rf"commitments.f.{component} is the identity"):
            check_shuffle_proof(proof, case.statement)


@pytest.mark.parametrize(
    "path",
    ["permutation_commitment", "chain", "commitments.b", "responses.b", "responses.e"],
)
def test_a_proof_list_of_the_wrong_length_is_refused(path: str) -> None:
    case = honest(3)
    shorter = _get(case.proof, path)
    assert isinstance(shorter, tuple)
    proof = _edit(case.proof, path, shorter[:2])
    with pytest.raises(InvalidProof, match=rf"^shuffle proof: {path} has 2 elements, expected 3$"):
        check_shuffle_proof(proof, case.statement)


def test_a_proof_for_n_inputs_does_not_pass_for_a_prefix() -> None:
    case = honest(3)
    s = case.statement
    prefix = replace(s, inputs=s.inputs[:2], outputs=s.outputs[:2])
    with pytest.raises(InvalidProof, match="has 3 elements, expected 2"):
        check_shuffle_proof(case.proof, prefix)


# The batched verifier --------------------------------------------------------------------------
def test_weights_are_what_make_the_batch_sound() -> None:
    """s_C + δ and s_D - δ break (C) and (D) by factors that cancel when the weights are equal:
    weights of 1 would accept; secret random weights do not."""
    case = honest(2)
    r = case.proof.responses
    delta = Scalar(12345)
    proof = replace(case.proof, responses=replace(r, c=r.c + delta, d=r.d - delta))
    prepared = verifier._prepare(proof, case.statement)
    with mock.patch.object(verifier, "_weights", lambda count: [1] * count):
        assert verifier._combined_equation_holds(prepared)
    assert not verifier._combined_equation_holds(prepared)
    with pytest.raises(InvalidProof, match=r"^shuffle proof: equations C, D do not hold$"):
        check_shuffle_proof(proof, case.statement)


def test_weights_are_fresh_128_bit_values() -> None:
    first, second = verifier._weights(50), verifier._weights(50)
    assert first != second
    assert all(0 <= z < 2**128 for z in first + second)
    assert max(first + second) >= 2**120


def test_an_honest_batch_never_evaluates_the_single_equations() -> None:
    case = honest(3)
    with mock.patch.object(verifier, "_failed_equations") as single:
        check_shuffle_proof(case.proof, case.statement)
    single.assert_not_called()


_MUTATIONS = [
    "none",
    "response",
    "two-responses-cancelling",
    "commitment",
    "chain",
    "swap-outputs",
    "other-context",
    "other-seed",
    "permutation-commitment",
]


@settings(max_examples=40)
@given(
    st.integers(min_value=1, max_value=4),
    st.sampled_from(_MUTATIONS),
    st.integers(min_value=0, max_value=2**64),
)
def test_batched_accepts_exactly_what_single_equations_accept(
    size: int, mutation: str, choice: int
) -> None:
    case = honest(size)
    proof, statement = case.proof, case.statement
    i = choice % size
    delta = Scalar.reduce(choice + 1)
    r = proof.responses
    if mutation == "response":
        path = ["responses.a", f"responses.b.{i}", "responses.c", "responses.d",
                f"responses.e.{i}", "responses.f"][choice % 6]  # fmt: skip
        value = _get(proof, path)
        assert isinstance(value, Scalar)
        proof = _edit(proof, path, value + delta)
    elif mutation == "two-responses-cancelling":
        proof = replace(proof, responses=replace(r, a=r.a + delta, c=r.c - delta))
    elif mutation == "commitment":
        proof = _edit(proof, f"commitments.b.{i}", proof.commitments.b[i] * g_pow(delta))
    elif mutation == "chain":
        proof = _edit(proof, f"chain.{i}", proof.chain[i] * g_pow(delta))
    elif mutation == "swap-outputs" and size > 1:
        o = list(statement.outputs)
        o[0], o[-1] = o[-1], o[0]
        statement = replace(statement, outputs=tuple(o))
    elif mutation == "other-context":
        statement = replace(statement, context=mix_context(choice % 1000 + 2))
    elif mutation == "other-seed":
        statement = replace(statement, generator_seed=mix_seed(choice % 1000 + 2))
    elif mutation == "permutation-commitment":
        u = list(proof.permutation_commitment)
        u[i] = u[i] * g_pow(delta)
        proof = replace(proof, permutation_commitment=tuple(u))
    prepared = verifier._prepare(proof, statement)
    single_accepts = not verifier._failed_equations(prepared)
    assert verifier._combined_equation_holds(prepared) == single_accepts
    assert single_accepts == (mutation == "none" or (mutation == "swap-outputs" and size == 1))


def test_sizes_beyond_4_byte_indices_are_malformed() -> None:
    case = honest(0)
    with (
        mock.patch.object(verifier, "MAX_SHUFFLE_SIZE", -1),
        pytest.raises(MalformedInput, match="at most -1 ciphertexts"),
    ):
        check_shuffle_proof(case.proof, case.statement)


def test_n_is_the_order_of_the_group_the_exponents_live_in() -> None:
    """The responses are reduced mod n (a response of n - 1 plus 1 wraps to 0)."""
    case = honest(1)
    proof = _edit(case.proof, "responses.c", Scalar(N - 1))
    with pytest.raises(InvalidProof, match="equation C does"):
        check_shuffle_proof(proof, case.statement)


def test_the_prover_with_tables_for_h_and_pk_gives_valid_proofs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Large shuffles build fixed-base tables for h and pk: the same proofs, faster."""
    import crypto.shuffle._prover as prover

    monkeypatch.setattr(prover, "_TABLE_THRESHOLD", 1)
    prover._table.cache_clear()  # each process builds a base's table once
    inputs = encrypt_all(rankings(5))
    with mock.patch.object(FixedBase, "precompute", wraps=FixedBase.precompute) as tables:
        case = make_case(inputs)
    tabled = [call.args[0] for call in tables.call_args_list]
    h = shuffle_generators(SEED, 5).h
    assert [p for p in tabled if p != G] == [PK.element, h]  # shuffle, then prove
    check_shuffle_proof(case.proof, case.statement)
    assert Counter(decrypt_bytes(SK, c) for c in case.statement.outputs) == Counter(rankings(5))


def test_the_prover_reports_its_progress_in_work_units() -> None:
    from crypto.elgamal import SecretKey, encrypt_bytes
    from crypto.shuffle import PROOF_UNITS, ShuffleStatement, gen_shuffle_proof, shuffle

    pk = SecretKey.generate().public_key()
    inputs = tuple(encrypt_bytes(pk, bytes([i]))[0] for i in range(5))
    units: list[int] = []
    outputs, witness = shuffle(pk, inputs, progress=units.append)
    assert sum(units) == 5
    statement = ShuffleStatement(pk, inputs, outputs, b"ctx", b"seed")
    proof = gen_shuffle_proof(statement, witness, progress=units.append)
    assert sum(units) == 5 * (1 + PROOF_UNITS)
    check_shuffle_proof(proof, statement)


def test_a_shuffle_and_its_proof_are_the_same_computed_in_worker_processes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Spec §6.8 (informative, parallel): the prover's exponentiations cut into tasks and run
    by worker processes give the very outputs and proof of the same witness and nonces
    computed in one process (tiny tasks here, so that every product has several parts)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    import crypto.shuffle._prover as prover

    size = 7
    inputs = encrypt_all(rankings(size))
    witness = ShuffleWitness((3, 0, 6, 1, 5, 2, 4), tuple(seeded("r'", j) for j in range(size)))

    def drawn(name: str) -> tuple[Scalar, ...]:
        return tuple(seeded(name, i) for i in range(size))

    nonces = ShuffleNonces(
        drawn("r"), drawn("b"), seeded("w_a"), drawn("w_b"), seeded("w_c"), seeded("w_d"),
        drawn("w_e"), seeded("w_f"),
    )  # fmt: skip
    outputs = shuffle_with_witness(PK, inputs, witness)
    statement = ShuffleStatement(PK, inputs, outputs, CONTEXT, SEED)
    proof = unsafe_gen_shuffle_proof(statement, witness, nonces=nonces)
    monkeypatch.setattr(prover, "_CHUNK", 2)
    monkeypatch.setattr(prover, "_MULTI_CHUNK", 3)
    monkeypatch.setattr(prover, "_TABLE_THRESHOLD", 1)  # the workers build tables too
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=context) as pool:
        assert shuffle_with_witness(PK, inputs, witness, mapper=pool.map) == outputs
        parallel = unsafe_gen_shuffle_proof(statement, witness, nonces=nonces, mapper=pool.map)
    assert parallel == proof
    check_shuffle_proof(parallel, statement)
