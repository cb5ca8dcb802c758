"""Spec §6 Non-interactive zero-knowledge proofs (strong Fiat-Shamir, §6.1).

One module per proof:

* ``schnorr`` (§6.2): knowledge of a discrete logarithm;
* ``chaum_pedersen`` (§6.3): equality of two discrete logarithms (decryption shares);
* ``disjunctive`` (§6.4, §6.5): a ciphertext encrypts a value in 0..L, and the product of a list
  of ciphertexts encrypts a value in a..b (a contest's total selections);
* ``randomness`` (§6.6): knowledge of a ciphertext's encryption randomness, bound to the
  voter's credential.

Each pairs ``prove_x`` with ``verify_x``; ``verify_x`` returns None or raises ``InvalidProof``.
Each ``prove_x`` draws its nonces from ``secrets``; its deterministic core ``unsafe_prove_x``
takes them explicitly, for known-answer tests only: a nonce used twice reveals the secret.
"""
