"""Spec §6 Non-interactive zero-knowledge proofs (strong Fiat-Shamir, §6.1).

One module per proof: ``schnorr`` (§6.2), ``chaum_pedersen`` (§6.3). Each pairs ``prove_x``
with ``verify_x``; ``verify_x`` returns None or raises ``InvalidProof``. Each ``prove_x`` draws
its nonces from ``secrets``; its deterministic core ``unsafe_prove_x`` takes them explicitly,
for known-answer tests only: a nonce used twice reveals the secret.
"""
