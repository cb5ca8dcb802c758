// Spec §5 ElGamal encryption in the group of §2: exponential encryption (§5.2) with explicit
// randomness, the product of ciphertexts (§5.4), and point embedding of short byte strings
// (§5.6) for ranked ballots. Every encryption takes its randomness r explicitly; the ballot
// builder draws it (ballot.js).

import { InvalidProof, MalformedInput } from './errors.js';
import { i2osp } from './bytes.js';
import { G, IDENTITY, N, encodePoint, gPow, liftX, pointFromHex, pointToHex, pow, product } from './group.js';
import { expectObject } from './wire.js';

/** Spec §5.6 The embedding capacity in bytes. */
export const EMBEDDING_CAPACITY = 29;

const G_INVERSE = G.negate();

/** Spec §5.1 A public key: a point other than the identity. Throws MalformedInput. */
export function publicKeyFromHex(text, what = 'public key') {
  const point = pointFromHex(text, what);
  if (point.is0()) throw new MalformedInput(`${what}: the identity is not a valid public key`);
  return point;
}

/** Spec §5.2 The wire form {"alpha": point, "beta": point}. */
export function ciphertextToJson({ alpha, beta }) {
  return { alpha: pointToHex(alpha), beta: pointToHex(beta) };
}

/** Spec §5.2 and §4.3 Parse a ciphertext strictly. Throws MalformedInput / NonCanonicalEncoding. */
export function ciphertextFromJson(value, what = 'ciphertext') {
  const obj = expectObject(value, what, ['alpha', 'beta']);
  return { alpha: pointFromHex(obj.alpha, `${what}.alpha`), beta: pointFromHex(obj.beta, `${what}.beta`) };
}

export function ciphertextsEqual(a, b) {
  return a.alpha.equals(b.alpha) && a.beta.equals(b.beta);
}

/**
 * Spec §5.2 Enc(m; r) = (g^r, g^m · pk^r), with 0 <= m < n and r in [1, n). g^m is computed as
 * g^(m+1) · g^-1 so that m = 0 costs what m = 1 costs (the informative note of §5.2).
 */
export function encrypt(publicKey, message, { randomness }) {
  const m = BigInt(message);
  if (m < 0n || m >= N) throw new MalformedInput(`message must be an integer in [0, n), got ${message}`);
  checkRandomness(randomness);
  const gm = gPow((m + 1n) % N).add(G_INVERSE);
  return { alpha: gPow(randomness), beta: gm.add(pow(publicKey, randomness)) };
}

/** Spec §5.4 The component-wise product of ciphertexts; (1, 1) for none. */
export function aggregate(ciphertexts) {
  return {
    alpha: product(ciphertexts.map((c) => c.alpha)),
    beta: product(ciphertexts.map((c) => c.beta)),
  };
}

/**
 * Spec §5.6 embed(d): for ctr = 0..255 the first
 * x = 0x00 || I2OSP(len(d), 1) || d || 0x00^(29 - len(d)) || I2OSP(ctr, 1) with 0x02 || x a point.
 * Throws MalformedInput for more than 29 bytes.
 */
export function embed(data) {
  if (data.length > EMBEDDING_CAPACITY) {
    throw new MalformedInput(`embedding: at most ${EMBEDDING_CAPACITY} bytes, got ${data.length} bytes`);
  }
  const x = new Uint8Array(32);
  x.set(i2osp(data.length, 1), 1);
  x.set(data, 2);
  for (let ctr = 0; ctr < 256; ctr++) {
    x[31] = ctr;
    try {
      return liftX(x);
    } catch (error) {
      if (!(error instanceof MalformedInput)) throw error;
    }
  }
  throw new MalformedInput('embedding: no counter gives a curve point');
}

/** Spec §5.6 extract(M): the d with embed(d) = M. Throws MalformedInput for any other point. */
export function extract(point) {
  const encoding = encodePoint(point);
  if (encoding[0] !== 0x02) throw new MalformedInput('embedding: the point is the identity or has odd y');
  const x = encoding.subarray(1);
  const length = x[1];
  if (x[0] !== 0 || length > EMBEDDING_CAPACITY) throw new MalformedInput('embedding: bad first byte or length in x');
  if (x.subarray(2 + length, 2 + EMBEDDING_CAPACITY).some((b) => b !== 0)) {
    throw new MalformedInput('embedding: non-zero padding in x');
  }
  const counter = x[31];
  const probe = x.slice();
  for (let smaller = 0; smaller < counter; smaller++) {
    probe[31] = smaller;
    try {
      liftX(probe);
    } catch {
      continue;
    }
    throw new MalformedInput(`embedding: counter ${counter} is not the first that works`);
  }
  return x.slice(2, 2 + length);
}

/** Spec §5.6 EncBytes(d; r) = (g^r, embed(d) · pk^r). */
export function encryptBytes(publicKey, data, { randomness }) {
  checkRandomness(randomness);
  return { alpha: gPow(randomness), beta: embed(data).add(pow(publicKey, randomness)) };
}

function checkRandomness(r) {
  if (typeof r !== 'bigint' || r <= 0n || r >= N) throw new MalformedInput('encryption randomness must be in [1, n)');
}

/** Spec §6.4-§6.6 Proofs are about ciphertexts with alpha != 1. */
export function rejectIdentityAlpha(what, ciphertext) {
  if (ciphertext.alpha.equals(IDENTITY)) throw new InvalidProof(`${what}: statement contains the identity point`);
}
