// Spec §2 The group: secp256k1, written multiplicatively as in the spec, through @noble/curves.
//
// A point is a noble projective point (the identity is `IDENTITY`, noble's Point.ZERO); a scalar
// is a bigint in [0, n), with arithmetic mod n from noble's field `Fn`. This module only
// encodes, decodes and names operations: every curve and field operation is noble's.
//
// Secret exponents (keys, encryption randomness, proof nonces) go through `gPow` and `pow`
// (noble's constant-time `multiply`); public ones through `powVartime` and `mulVartime`
// (noble's `multiplyUnsafe` / `mulAddUnsafe`), as §2.5 allows for public exponents only.
// JavaScript gives no constant-time guarantee beyond what noble provides.

import { secp256k1 } from '@noble/curves/secp256k1.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { MalformedInput } from './errors.js';
import { os2ip, parseHex, toHex } from './bytes.js';

export const Point = secp256k1.Point;
/** Spec §2.2 Scalars mod n: noble's prime field of order n. */
export const Fn = Point.Fn;
/** Spec §2.1 */
export const N = Fn.ORDER;
export const P = Point.Fp.ORDER;
export const G = Point.BASE;
export const IDENTITY = Point.ZERO;
export const POINT_LENGTH = 33;
export const SCALAR_LENGTH = 32;
const IDENTITY_ENCODING = new Uint8Array(POINT_LENGTH);

// --- §2.2 Scalars ---------------------------------------------------------------------------

/** Spec §2.2 I2OSP(x, 32). */
export function encodeScalar(x) {
  if (typeof x !== 'bigint' || x < 0n || x >= N) throw new MalformedInput(`scalar out of range [0, n): ${x}`);
  return Fn.toBytes(x);
}

/** Spec §2.2 Exactly 32 bytes, value < n; never reduced. Throws MalformedInput. */
export function decodeScalar(bytes) {
  if (bytes.length !== SCALAR_LENGTH) throw new MalformedInput(`scalar must be 32 bytes, got ${bytes.length}`);
  const x = os2ip(bytes);
  if (x >= N) throw new MalformedInput(`scalar out of range [0, n): 0x${toHex(bytes)}`);
  return x;
}

/** Spec §2.2 and §1.2: 64 lower-case hex digits. Throws MalformedInput / NonCanonicalEncoding. */
export function scalarFromHex(text, what = 'scalar') {
  try {
    return decodeScalar(parseHex(text, SCALAR_LENGTH, what));
  } catch (error) {
    throw rename(error, what);
  }
}

export function scalarToHex(x) {
  return toHex(encodeScalar(x));
}

/** A uniformly random scalar in [1, n), by rejection sampling over 32 random bytes. */
export function randomScalar() {
  for (;;) {
    const x = os2ip(randomBytes(SCALAR_LENGTH));
    if (x > 0n && x < N) return x;
  }
}

// --- §2.3 Points ----------------------------------------------------------------------------

/** Spec §2.3 The 33-byte encoding: SEC1 compressed, or 33 zero bytes for the identity. */
export function encodePoint(point) {
  return point.is0() ? IDENTITY_ENCODING.slice() : point.toBytes(true);
}

export function pointToHex(point) {
  return toHex(encodePoint(point));
}

/**
 * Spec §2.3 Decode exactly one encoding per element. Throws MalformedInput for a length other
 * than 33, a first byte other than 0x00/0x02/0x03, 0x00 followed by non-zero bytes, x >= p, or
 * an x for which x^3 + 7 is not a square mod p.
 */
export function decodePoint(bytes) {
  if (bytes.length !== POINT_LENGTH) throw new MalformedInput(`point must be 33 bytes, got ${bytes.length}`);
  const prefix = bytes[0];
  if (prefix === 0x00) {
    if (bytes.some((b) => b !== 0)) throw new MalformedInput('point prefix 0x00 must be followed by zeros');
    return IDENTITY;
  }
  if (prefix !== 0x02 && prefix !== 0x03) {
    throw new MalformedInput(`point prefix must be 0x02 or 0x03, got 0x${prefix.toString(16).padStart(2, '0')}`);
  }
  if (os2ip(bytes.subarray(1)) >= P) throw new MalformedInput(`point x >= p: ${toHex(bytes)}`);
  try {
    return Point.fromBytes(bytes);
  } catch {
    throw new MalformedInput(`point not on curve: ${toHex(bytes)}`);
  }
}

/** Spec §2.3 and §1.2: 66 lower-case hex digits. Throws MalformedInput / NonCanonicalEncoding. */
export function pointFromHex(text, what = 'point') {
  try {
    return decodePoint(parseHex(text, POINT_LENGTH, what));
  } catch (error) {
    throw rename(error, what);
  }
}

/** Spec §2.3 Two points are equal iff their encodings are equal. */
export function pointsEqual(a, b) {
  return a.equals(b);
}

/** Spec §2.4 lift_x(x): the point 0x02 || x (even y). Throws MalformedInput if there is none. */
export function liftX(x) {
  const encoding = new Uint8Array(POINT_LENGTH);
  encoding[0] = 0x02;
  encoding.set(x, 1);
  return decodePoint(encoding);
}

// --- §2.5 Exponentiation ----------------------------------------------------------------------

/** g^x for a secret x in [0, n) (constant time in noble for x != 0). */
export function gPow(x) {
  return x === 0n ? IDENTITY : G.multiply(x);
}

/** B^x for a secret x (constant time in noble for x != 0 and B != 1). */
export function pow(base, x) {
  return x === 0n || base.is0() ? IDENTITY : base.multiply(x);
}

/** B^x for a public x: variable time. */
export function powVartime(base, x) {
  return base.multiplyUnsafe(x);
}

/** A^a · B^b for public a and b (Strauss-Shamir in noble): variable time. */
export function mulVartime(a, exponentA, b, exponentB) {
  if (a.is0()) return powVartime(b, exponentB);
  if (b.is0()) return powVartime(a, exponentA);
  return a.mulAddUnsafe(exponentA, b, exponentB);
}

/** The product of points (the group operation, §1.1), the identity for none. */
export function product(points) {
  let acc = IDENTITY;
  for (const p of points) acc = acc.add(p);
  return acc;
}

/**
 * Spec §2.5 A long-lived base (an election key) with a fixed-base table: the same element,
 * faster to raise to many powers. Build once per election.
 */
export function precomputed(point) {
  if (point.is0()) return point;
  return Point.fromAffine(point.toAffine()).precompute(8, false);
}

function rename(error, what) {
  if (error instanceof MalformedInput && !error.message.startsWith(what)) {
    error.message = `${what}: ${error.message}`;
  }
  return error;
}
