"""verivote's cryptographic core (docs/spec.md sections 2-9): pure functions, immutable values.

No I/O, no logging, no global mutable state. Every public function cites the spec section it
implements. Modules: ``group`` (Scalar, Point), ``multiexp`` (variable-time tables and
multi-exponentiation, for public exponents), ``hashing``, ``canonical`` (RFC 8785 JSON),
``wire`` (strict JSON field readers), ``signing`` (Ed25519), ``elgamal``, ``proofs/``,
``threshold/`` (key ceremony, threshold decryption), ``credentials`` (codes, credential keys and
signatures), ``sealing`` (secrets at rest), ``merkle`` (RFC 9162), ``batch`` (batch
verification of range and sum proofs, §6.7), ``shuffle`` (the mixnet's proof of a shuffle,
§6.8; the decryption of its output list, §7.8, is in ``threshold``). The only mutable objects
are accumulators a caller creates and fills (``multiexp.MultiPowAccumulator``,
``batch.BatchVerifier``), and caches of derived public values (fixed-base tables, the shuffle
generators of the two most recent seeds).

Side channels: Python gives no constant-time guarantees. Secret exponents go through
libsecp256k1's constant-time paths (``g_pow``, ``Point.__pow__``), and secret comparisons use
``hmac.compare_digest``, but the Python code around them (big-integer arithmetic, branches)
may still leak timing. Do not run key-holding code (trustee, voter client) where an attacker
can time it finely. One deliberate exception: the mixer (``shuffle``) computes with its
ephemeral secrets in variable time, for a mixer runs offline on its trustee's own machine
(spec §6.8, informative).
"""
