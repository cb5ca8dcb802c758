// Spec §3 Hashing: domain-separated SHA-256 over length-prefixed parts (SHA-256 from
// @noble/hashes), and Spec §2.4 hash to the curve by try-and-increment.

import { sha256 } from '@noble/hashes/sha2.js';
import { MalformedInput } from './errors.js';
import { concat, i2osp, os2ip, utf8 } from './bytes.js';
import { N, liftX } from './group.js';

/** Spec §3.4 The domain-separation tags the voter's side uses (ASCII, as bytes). */
export const Dst = Object.freeze({
  GENERATOR: utf8('verivote-1/generator'),
  SCHNORR: utf8('verivote-1/proof/schnorr'),
  RANGE: utf8('verivote-1/proof/range'),
  SUM_RANGE: utf8('verivote-1/proof/sum-range'),
  RANDOMNESS: utf8('verivote-1/proof/randomness'),
  ED25519: utf8('verivote-1/sig/ed25519'),
  CREDENTIAL_KEY: utf8('verivote-1/credential/key'),
  CREDENTIAL_SIGNATURE: utf8('verivote-1/credential/signature'),
  ELECTION_FINGERPRINT: utf8('verivote-1/election/fingerprint'),
  BALLOT_SELECTION: utf8('verivote-1/ballot/selection'),
  BALLOT_TOTAL: utf8('verivote-1/ballot/total'),
  BALLOT_RANKING: utf8('verivote-1/ballot/ranking'),
  BALLOT_PAPER: utf8('verivote-1/ballot/paper'),
});

const MAX_PART = 2 ** 32 - 1;

/** Spec §3.1 encode_parts(p1, ..., pk) = I2OSP(len(p1), 4) || p1 || ... */
export function encodeParts(...parts) {
  const pieces = [];
  for (const part of parts) {
    if (part.length > MAX_PART) throw new MalformedInput(`hash input part too long: ${part.length} bytes`);
    pieces.push(i2osp(part.length, 4), part);
  }
  return concat(...pieces);
}

/** Spec §3.2 H(dst, p1, ..., pk) = SHA-256(encode_parts(dst, p1, ..., pk)), 32 bytes. */
export function hashBytes(dst, ...parts) {
  return sha256(encodeParts(dst, ...parts));
}

/** Spec §3.3 H_s: the first OS2IP(H(dst, parts..., I2OSP(ctr, 4))) < n, ctr = 0, 1, ... */
export function hashToScalar(dst, ...parts) {
  for (let ctr = 0; ctr <= MAX_PART; ctr++) {
    const v = os2ip(hashBytes(dst, ...parts, i2osp(ctr, 4)));
    if (v < N) return v;
  }
  throw new Error('unreachable: 2^32 consecutive rejections');
}

/**
 * Spec §2.4 hash_to_point(dst, p1, ..., pk): for ctr = 0, 1, ..., the first
 * x = H(dst, parts..., I2OSP(ctr, 4)) such that 0x02 || x decodes as a point (§2.3).
 */
export function hashToPoint(dst, ...parts) {
  for (let ctr = 0; ctr <= MAX_PART; ctr++) {
    try {
      return liftX(hashBytes(dst, ...parts, i2osp(ctr, 4)));
    } catch (error) {
      if (!(error instanceof MalformedInput)) throw error;
    }
  }
  throw new Error('unreachable: 2^32 consecutive misses');
}

/** Spec §2.4 The independent generator for purpose `label` (ASCII) and index `i`. */
export function generator(label, i) {
  return hashToPoint(Dst.GENERATOR, utf8(label), i2osp(i, 4));
}
