// The one error hierarchy of the booth, mirroring crypto/errors.py (docs/spec.md is the
// authority; see Spec §4.2 for "malformed" against "non-canonical").
//
//   VerivoteError                       code
//   ├── MalformedInput                  "malformed"       bytes that do not parse, or lie outside the group
//   │   └── NonCanonicalEncoding        "non_canonical"   parses, but is not the one canonical encoding
//   └── VerificationFailed              "verification_failed"  well-formed, but a check does not hold
//       ├── InvalidProof                "invalid_proof"
//       ├── InvalidSignature            "invalid_signature"
//       ├── InclusionProofMismatch      "inclusion_mismatch"  (carries expected and calculated roots)
//       └── InconsistentLog             "inconsistent_log"
//
// Messages name the spec item and the offending value; `code` is what tests and screens read.

export class VerivoteError extends Error {
  constructor(message) {
    super(message);
    this.name = this.constructor.name;
  }
}

export class MalformedInput extends VerivoteError {
  get code() { return 'malformed'; }
}

export class NonCanonicalEncoding extends MalformedInput {
  get code() { return 'non_canonical'; }
}

export class VerificationFailed extends VerivoteError {
  get code() { return 'verification_failed'; }
}

export class InvalidProof extends VerificationFailed {
  get code() { return 'invalid_proof'; }
}

export class InvalidSignature extends VerificationFailed {
  get code() { return 'invalid_signature'; }
}

export class InclusionProofMismatch extends VerificationFailed {
  constructor(message, { expected, calculated }) {
    super(`${message}: expected root ${hex(expected)}, calculated ${hex(calculated)}`);
    this.expected = expected;
    this.calculated = calculated;
  }
  get code() { return 'inclusion_mismatch'; }
}

export class InconsistentLog extends VerificationFailed {
  get code() { return 'inconsistent_log'; }
}

function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
