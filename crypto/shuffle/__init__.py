"""Spec §6.8 The proof of a shuffle (Terelius-Wikström, as in Verificatum), for the mixnet.

A mixer re-encrypts and permutes a list of ciphertexts and proves it::

    outputs, witness = shuffle(pk, inputs)
    statement = ShuffleStatement(pk, tuple(inputs), outputs, context, generator_seed)
    proof = gen_shuffle_proof(statement, witness)          # then erase the witness
    check_shuffle_proof(proof, statement)                   # anyone: None or InvalidProof

``context`` and ``generator_seed`` are the caller's bytes (§11 fixes them: the election
fingerprint, the contest, the mix number). The proof's wire form is ``ShuffleProof.to_json`` /
``ShuffleProof.from_json(value, size=N)``; the generators (``shuffle_generators``) are derived
by hashing to the curve and cached per seed.

Modules: ``_generators`` (the h_i), ``_statement`` (the statement, and the hashes over it),
``_proof`` (wire form), ``_prover`` (shuffling and proving, in variable time: see its
docstring and the spec's informative note on side channels), ``_verifier`` (single equations
and the batched check).
"""

from crypto.shuffle._generators import ShuffleGenerators, shuffle_generators
from crypto.shuffle._proof import ShuffleCommitments, ShuffleProof, ShuffleResponses
from crypto.shuffle._prover import (
    PROOF_UNITS,
    ShuffleNonces,
    ShuffleWitness,
    gen_shuffle_proof,
    random_permutation,
    shuffle,
    shuffle_with_witness,
    unsafe_gen_shuffle_proof,
)
from crypto.shuffle._statement import EXPONENT_BITS, MAX_SHUFFLE_SIZE, ShuffleStatement
from crypto.shuffle._verifier import WEIGHT_BITS, check_shuffle_proof

__all__ = [
    "EXPONENT_BITS",
    "MAX_SHUFFLE_SIZE",
    "PROOF_UNITS",
    "WEIGHT_BITS",
    "ShuffleCommitments",
    "ShuffleGenerators",
    "ShuffleNonces",
    "ShuffleProof",
    "ShuffleResponses",
    "ShuffleStatement",
    "ShuffleWitness",
    "check_shuffle_proof",
    "gen_shuffle_proof",
    "random_permutation",
    "shuffle",
    "shuffle_generators",
    "shuffle_with_witness",
    "unsafe_gen_shuffle_proof",
]
