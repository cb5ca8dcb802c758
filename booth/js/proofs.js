// Spec §6 Zero-knowledge proofs on the voter's side: the compact (challenge, response) form of
// §6.1, the Schnorr sigma protocol of §6.2 (under a caller's tag: §8.2 reuses it), the
// disjunctive range and sum proofs of §6.4 and §6.5 (full transcripts), and the proof of
// knowledge of the encryption randomness of §6.6.
//
// Each prover is a deterministic core taking its nonce (and, for §6.4/§6.5, the simulated
// branches) explicitly, as crypto/proofs/*.py does, plus a wrapper that draws them at random.
// The real branch uses the constant-time `gPow`/`pow` on the secret nonce; simulated branches
// and verification use variable-time arithmetic on public values.

import { InvalidProof, MalformedInput } from './errors.js';
import { equal, i2osp, parseHex, toHex } from './bytes.js';
import {
  Fn, G, POINT_LENGTH, encodePoint, gPow, mulVartime, pow, powVartime, randomScalar,
  scalarFromHex, scalarToHex,
} from './group.js';
import { Dst, hashToScalar } from './hashing.js';
import { aggregate, rejectIdentityAlpha } from './elgamal.js';
import { expectList, expectObject } from './wire.js';

/** Spec §6.4 Bounds and list lengths are hashed as I2OSP(., 4). */
export const MAX_RANGE_VALUE = 2 ** 32 - 1;
const G_BYTES = encodePoint(G);
const G_INVERSE = G.negate();

// --- §6.1 The compact form ------------------------------------------------------------------

export function compactToJson({ challenge, response }) {
  return { challenge: scalarToHex(challenge), response: scalarToHex(response) };
}

/** Spec §6.1 {"challenge": scalar, "response": scalar}. Throws MalformedInput. */
export function compactFromJson(value, what = 'proof') {
  const obj = expectObject(value, what, ['challenge', 'response']);
  return {
    challenge: scalarFromHex(obj.challenge, `${what}.challenge`),
    response: scalarFromHex(obj.response, `${what}.response`),
  };
}

function rejectIdentity(what, ...points) {
  if (points.some((p) => p.is0())) throw new InvalidProof(`${what}: statement contains the identity point`);
}

// --- §6.2 Schnorr ---------------------------------------------------------------------------

/** Spec §6.2 The prover under tag `dst`: A = B^w, c = H_s(dst, ctx, B, X, A), s = w + c·x. */
export function proveSchnorrCore(dst, secret, { publicPoint, context, base = G, nonce }) {
  const commitment = pow(base, nonce);
  const challenge = hashToScalar(dst, context, encodePoint(base), encodePoint(publicPoint), encodePoint(commitment));
  return { challenge, response: Fn.add(nonce, Fn.mul(challenge, secret)) };
}

/** Spec §6.2 The verifier under tag `dst`. Throws InvalidProof. */
export function verifySchnorrCore(dst, what, proof, { publicPoint, context, base = G }) {
  rejectIdentity(what, base, publicPoint);
  // A' = B^s · X^-c
  const commitment = mulVartime(base, proof.response, publicPoint, Fn.neg(proof.challenge));
  const expected = hashToScalar(dst, context, encodePoint(base), encodePoint(publicPoint), encodePoint(commitment));
  if (expected !== proof.challenge) throw new InvalidProof(`${what}: challenge does not match the statement`);
}

/** Spec §6.2 Schnorr proof of knowledge of x with X = B^x, with nonce w given. Never reuse w. */
export function unsafeProveSchnorr(secret, { publicPoint, context, base = G, nonce }) {
  return proveSchnorrCore(Dst.SCHNORR, secret, { publicPoint, context, base, nonce });
}

export function proveSchnorr(secret, { publicPoint, context, base = G }) {
  return unsafeProveSchnorr(secret, { publicPoint, context, base, nonce: randomScalar() });
}

export function verifySchnorr(proof, { publicPoint, context, base = G }) {
  verifySchnorrCore(Dst.SCHNORR, 'schnorr', proof, { publicPoint, context, base });
}

// --- §6.4 / §6.5 The disjunctive core ---------------------------------------------------------

const IDENTITY_ENCODING = new Uint8Array(POINT_LENGTH);

function checkCommitment(data, what) {
  if (data.length !== POINT_LENGTH) throw new MalformedInput(`${what}: a commitment must be 33 bytes, got ${data.length}`);
  if (data[0] !== 0x02 && data[0] !== 0x03 && !equal(data, IDENTITY_ENCODING)) {
    throw new MalformedInput(`${what}: commitment prefix must be 0x02 or 0x03, got 0x${data[0].toString(16).padStart(2, '0')}`);
  }
}

/** Spec §6.4 Wire form of a transcript: {"branches": [{"a", "b", "challenge", "response"}, ...]}. */
export function disjunctiveToJson(proof) {
  return {
    branches: proof.branches.map((b) => ({
      a: toHex(b.a), b: toHex(b.b), challenge: scalarToHex(b.challenge), response: scalarToHex(b.response),
    })),
  };
}

/**
 * Spec §6.4 Parse a transcript that must have exactly `branches` branches (from the statement,
 * never from the proof); commitments are checked for format only. Throws MalformedInput.
 */
export function disjunctiveFromJson(value, { branches, what = 'proof' }) {
  const obj = expectObject(value, what, ['branches']);
  const items = expectList(obj.branches, `${what}.branches`, { maxLength: branches });
  if (items.length !== branches) throw new MalformedInput(`${what}: expected ${branches} branches, got ${items.length}`);
  return {
    branches: items.map((item, j) => {
      const w = `${what}.branches[${j}]`;
      const b = expectObject(item, w, ['a', 'b', 'challenge', 'response']);
      const a = parseHex(b.a, POINT_LENGTH, `${w}.a`);
      const bb = parseHex(b.b, POINT_LENGTH, `${w}.b`);
      checkCommitment(a, `${w}.a`);
      checkCommitment(bb, `${w}.b`);
      return {
        a, b: bb, challenge: scalarFromHex(b.challenge, `${w}.challenge`), response: scalarFromHex(b.response, `${w}.response`),
      };
    }),
  };
}

function checkBounds(minimum, maximum) {
  if (!(Number.isInteger(minimum) && Number.isInteger(maximum) && minimum >= 0 && minimum <= maximum && maximum <= MAX_RANGE_VALUE)) {
    throw new MalformedInput(`range: need 0 <= minimum <= maximum <= 2^32 - 1, got ${minimum}..${maximum}`);
  }
}

/** beta · g^-v for v = minimum, ..., minimum + count - 1 (public values). */
function shiftedBetas(beta, minimum, count) {
  let shifted = minimum ? beta.add(powVartime(G, BigInt(minimum)).negate()) : beta;
  const out = [shifted];
  for (let j = 1; j < count; j++) {
    shifted = shifted.add(G_INVERSE);
    out.push(shifted);
  }
  return out;
}

function disjunctiveProve(dst, head, { publicKey, alpha, beta, minimum, maximum, value, randomness, nonce, simulated }) {
  checkBounds(minimum, maximum);
  if (!(Number.isInteger(value) && value >= minimum && value <= maximum)) {
    throw new MalformedInput(`range proof: value ${value} not in ${minimum}..${maximum}`);
  }
  const count = maximum - minimum + 1;
  if (simulated.length !== count - 1) throw new MalformedInput(`range proof: need ${count - 1} simulated branches`);
  const real = value - minimum;
  const pairs = [];
  const commitments = [];
  let fake = 0;
  shiftedBetas(beta, minimum, count).forEach((shifted, j) => {
    if (j === real) {
      // Step 1 (real branch): A = g^w, B = pk^w.
      pairs.push(null);
      commitments.push(encodePoint(gPow(nonce)), encodePoint(pow(publicKey, nonce)));
    } else {
      // Step 1 (simulated branch): A = g^s · alpha^-c, B = pk^s · (beta/g^v)^-c.
      const { challenge, response } = simulated[fake++];
      const minusC = Fn.neg(challenge);
      pairs.push({ challenge, response });
      commitments.push(
        encodePoint(mulVartime(G, response, alpha, minusC)),
        encodePoint(mulVartime(publicKey, response, shifted, minusC)),
      );
    }
  });
  // Step 2: c = H_s(dst, head..., I2OSP(a, 4), I2OSP(b, 4), A_0, B_0, ...).
  const challenge = hashToScalar(dst, ...head, i2osp(minimum, 4), i2osp(maximum, 4), ...commitments);
  // Step 3: the real branch takes the rest of the challenge; s = w + c_t · r.
  let realChallenge = challenge;
  for (const s of simulated) realChallenge = Fn.sub(realChallenge, s.challenge);
  pairs[real] = { challenge: realChallenge, response: Fn.add(nonce, Fn.mul(realChallenge, randomness)) };
  return {
    branches: pairs.map((p, j) => ({ a: commitments[2 * j], b: commitments[2 * j + 1], challenge: p.challenge, response: p.response })),
  };
}

function disjunctiveVerify(what, dst, head, proof, { publicKey, alpha, beta, minimum, maximum }) {
  checkBounds(minimum, maximum);
  const count = maximum - minimum + 1;
  // Step 1: exactly k branches.
  if (proof.branches.length !== count) throw new InvalidProof(`${what}: expected ${count} branches, got ${proof.branches.length}`);
  // Step 2: the challenges sum to the hash of the commitments as received.
  const received = [];
  let total = 0n;
  for (const branch of proof.branches) {
    received.push(branch.a, branch.b);
    total = Fn.add(total, branch.challenge);
  }
  const challenge = hashToScalar(dst, ...head, i2osp(minimum, 4), i2osp(maximum, 4), ...received);
  if (challenge !== total) throw new InvalidProof(`${what}: challenges do not sum to the hash of the statement`);
  // Step 3: each commitment is the encoding of the element its (c_j, s_j) give.
  shiftedBetas(beta, minimum, count).forEach((shifted, j) => {
    const branch = proof.branches[j];
    const minusC = Fn.neg(branch.challenge);
    if (!equal(encodePoint(mulVartime(G, branch.response, alpha, minusC)), branch.a)) {
      throw new InvalidProof(`${what}: branch ${j}: A is not g^s · alpha^-c`);
    }
    if (!equal(encodePoint(mulVartime(publicKey, branch.response, shifted, minusC)), branch.b)) {
      throw new InvalidProof(`${what}: branch ${j}: B is not pk^s · (beta / g^v)^-c`);
    }
  });
}

function randomBranches(count) {
  return Array.from({ length: count }, () => ({ challenge: randomScalar(), response: randomScalar() }));
}

// --- §6.4 One ciphertext in 0..L ---------------------------------------------------------------

function rangeHead(context, publicKey, ciphertext) {
  return [context, G_BYTES, encodePoint(publicKey), encodePoint(ciphertext.alpha), encodePoint(ciphertext.beta)];
}

/** Spec §6.4 The deterministic core: `simulated` holds the L (c, s) of the other branches in order. */
export function unsafeProveRange(randomness, { value, publicKey, ciphertext, maximum, context, nonce, simulated }) {
  return disjunctiveProve(Dst.RANGE, rangeHead(context, publicKey, ciphertext), {
    publicKey, alpha: ciphertext.alpha, beta: ciphertext.beta, minimum: 0, maximum, value, randomness, nonce, simulated,
  });
}

export function proveRange(randomness, { value, publicKey, ciphertext, maximum, context }) {
  return unsafeProveRange(randomness, {
    value, publicKey, ciphertext, maximum, context, nonce: randomScalar(), simulated: randomBranches(maximum),
  });
}

/** Spec §6.4 Throws InvalidProof (alpha = 1, branch count, challenge sum, a commitment). */
export function verifyRange(proof, { publicKey, ciphertext, maximum, context }) {
  rejectIdentityAlpha('range proof: ciphertext alpha', ciphertext);
  disjunctiveVerify('range proof', Dst.RANGE, rangeHead(context, publicKey, ciphertext), proof, {
    publicKey, alpha: ciphertext.alpha, beta: ciphertext.beta, minimum: 0, maximum,
  });
}

// --- §6.5 The product of a list of ciphertexts in a..b ------------------------------------------

function sumHead(context, publicKey, ciphertexts) {
  if (!(ciphertexts.length > 0 && ciphertexts.length <= MAX_RANGE_VALUE)) {
    throw new MalformedInput(`sum proof: need 1 to 2^32 - 1 ciphertexts, got ${ciphertexts.length}`);
  }
  const head = [context, G_BYTES, encodePoint(publicKey), i2osp(ciphertexts.length, 4)];
  for (const c of ciphertexts) head.push(encodePoint(c.alpha), encodePoint(c.beta));
  return head;
}

/** Spec §6.5 The deterministic core; `randomness` is the sum of the r_i, `value` of the m_i. */
export function unsafeProveSumRange(randomness, { value, publicKey, ciphertexts, minimum, maximum, context, nonce, simulated }) {
  const head = sumHead(context, publicKey, ciphertexts);
  const total = aggregate(ciphertexts);
  return disjunctiveProve(Dst.SUM_RANGE, head, {
    publicKey, alpha: total.alpha, beta: total.beta, minimum, maximum, value, randomness, nonce, simulated,
  });
}

export function proveSumRange(randomness, { value, publicKey, ciphertexts, minimum, maximum, context }) {
  return unsafeProveSumRange(randomness, {
    value, publicKey, ciphertexts, minimum, maximum, context, nonce: randomScalar(), simulated: randomBranches(maximum - minimum),
  });
}

/** Spec §6.5 Throws InvalidProof, or MalformedInput for bad bounds or an empty list. */
export function verifySumRange(proof, { publicKey, ciphertexts, minimum, maximum, context }) {
  ciphertexts.forEach((c, i) => rejectIdentityAlpha(`sum proof: ciphertext ${i} alpha`, c));
  const head = sumHead(context, publicKey, ciphertexts);
  const total = aggregate(ciphertexts);
  disjunctiveVerify('sum proof', Dst.SUM_RANGE, head, proof, {
    publicKey, alpha: total.alpha, beta: total.beta, minimum, maximum,
  });
}

// --- §6.6 Knowledge of the encryption randomness ----------------------------------------------

function randomnessChallenge(context, publicKey, ciphertext, commitment) {
  return hashToScalar(
    Dst.RANDOMNESS, context, G_BYTES, encodePoint(publicKey), encodePoint(ciphertext.alpha),
    encodePoint(ciphertext.beta), encodePoint(commitment),
  );
}

/** Spec §6.6 A = g^w, c = H_s(tag, ctx, g, pk, alpha, beta, A), s = w + c·r. Never reuse w. */
export function unsafeProveRandomness(randomness, { publicKey, ciphertext, context, nonce }) {
  const challenge = randomnessChallenge(context, publicKey, ciphertext, gPow(nonce));
  return { challenge, response: Fn.add(nonce, Fn.mul(challenge, randomness)) };
}

export function proveRandomness(randomness, { publicKey, ciphertext, context }) {
  return unsafeProveRandomness(randomness, { publicKey, ciphertext, context, nonce: randomScalar() });
}

/** Spec §6.6 Throws InvalidProof (alpha = 1, or the challenge does not match). */
export function verifyRandomness(proof, { publicKey, ciphertext, context }) {
  rejectIdentityAlpha('randomness proof: ciphertext alpha', ciphertext);
  const commitment = mulVartime(G, proof.response, ciphertext.alpha, Fn.neg(proof.challenge));
  if (randomnessChallenge(context, publicKey, ciphertext, commitment) !== proof.challenge) {
    throw new InvalidProof('randomness proof: challenge does not match the statement');
  }
}
