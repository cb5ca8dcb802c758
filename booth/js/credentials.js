// Spec §8.3 Credential codes (reading what a member typed, with a message that says what is
// wrong) and key derivation; Spec §8.2 the credential signature in the election group, the
// Schnorr protocol of §6.2 under its own tag (crypto/credentials.py).
//
// The check symbol's GF(32) arithmetic is five-bit shifts and XORs (x^5 + x^2 + 1); there is
// no library for it, and it guards typing, not secrecy.

import { InvalidProof, InvalidSignature, MalformedInput } from './errors.js';
import { concat, utf8 } from './bytes.js';
import { Fn, decodeScalar, gPow, randomScalar } from './group.js';
import { Dst, encodeParts, hashToScalar } from './hashing.js';
import { proveSchnorrCore, verifySchnorrCore } from './proofs.js';

/** Spec §8.3 Crockford's base 32 (no I, L, O, U); symbol value = position. */
export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CODE_LENGTH = 25;
const ALIASES = { O: '0', I: '1', L: '1' };
// Spec §8.3 (1): the dashes a reader drops. White space is Python's str.isspace(), so that the
// booth and `verivote cast` drop exactly the same characters.
const DASHES = new Set(['-', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212']);
const SPACES = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001,
  0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f,
  0x205f, 0x3000,
].map((c) => String.fromCodePoint(c)));
const MODULUS = 0b100101; // x^5 + x^2 + 1
const FINGERPRINT_LENGTH = 32;

/**
 * A refusal of a typed code. `reason` is one of "character" (with `character` and its 1-based
 * `position` in what was typed), "length" (with `length`), or "check" (a character mistyped or
 * two swapped); screens turn it into a sentence in the member's language.
 */
export class CodeError extends MalformedInput {
  constructor(message, details) {
    super(message);
    Object.assign(this, details);
  }
}

function timesX(v) {
  const shifted = v << 1;
  return shifted & 0b100000 ? shifted ^ MODULUS : shifted;
}

function syndrome(values) {
  let h = 0;
  for (const v of values) h = timesX(h) ^ v;
  return h;
}

/** Spec §8.3 The check symbol v_24 for 24 symbol values: α·h_24. */
export function checkSymbol(values) {
  return ALPHABET[timesX(syndrome(values))];
}

/**
 * Spec §8.3 Read a typed code: (1) drop white space and dashes, (2) upper-case ASCII letters,
 * (3) read O as 0 and I, L as 1, (4) refuse any other character outside the alphabet, naming
 * it, (5) refuse a length other than 25, (6) refuse a failed check. Returns the normalised
 * code: 25 upper-case ASCII characters. Throws CodeError.
 */
export function readCode(text) {
  const symbols = [];
  let position = 0;
  for (const ch of text) {
    position += 1;
    if (SPACES.has(ch) || DASHES.has(ch)) continue;
    let upper = ch.length === 1 && ch.charCodeAt(0) < 0x80 ? ch.toUpperCase() : ch;
    upper = ALIASES[upper] ?? upper;
    if (!ALPHABET.includes(upper) || upper.length !== 1) {
      throw new CodeError(`credential code: ${JSON.stringify(ch)} (character ${position}) is not used in codes`, {
        reason: 'character', character: ch, position,
      });
    }
    symbols.push(upper);
  }
  if (symbols.length !== CODE_LENGTH) {
    throw new CodeError(`a credential code has ${CODE_LENGTH} characters (5 groups of 5), got ${symbols.length}`, {
      reason: 'length', length: symbols.length,
    });
  }
  if (syndrome(symbols.map((c) => ALPHABET.indexOf(c))) !== 0) {
    throw new CodeError('credential code: the check character does not match; a character is mistyped or two are swapped', {
      reason: 'check',
    });
  }
  return symbols.join('');
}

/** Spec §8.3 A normalised code as printed: five groups of five joined by '-'. */
export function formatCode(normalised) {
  return normalised.match(/.{1,5}/g).join('-');
}

function checkFingerprint(fingerprint) {
  if (fingerprint.length !== FINGERPRINT_LENGTH) {
    throw new MalformedInput(`election fingerprint must be 32 bytes, got ${fingerprint.length}`);
  }
}

/**
 * Spec §8.3 x = H_s("verivote-1/credential/key", F, normalised code), X = g^x. Returns
 * { fingerprint, secret, publicPoint }. Throws MalformedInput (F not 32 bytes, or x = 0).
 */
export function deriveCredentialKey(normalised, { fingerprint }) {
  checkFingerprint(fingerprint);
  const secret = hashToScalar(Dst.CREDENTIAL_KEY, fingerprint, utf8(normalised));
  if (secret === 0n) throw new MalformedInput('credential code gives the zero key; issue another code');
  return { fingerprint, secret, publicPoint: gPow(secret) };
}

function signatureContext(fingerprint, message) {
  return encodeParts(fingerprint, message);
}

/** Spec §8.2 The deterministic core of `signWithCredential`. Never reuse a nonce. */
export function unsafeSignWithCredential(key, message, { nonce }) {
  return proveSchnorrCore(Dst.CREDENTIAL_SIGNATURE, key.secret, {
    publicPoint: key.publicPoint, context: signatureContext(key.fingerprint, message), nonce,
  });
}

/** Spec §8.2 Sign `message` with the credential key: { challenge, response }. */
export function signWithCredential(key, message) {
  return unsafeSignWithCredential(key, message, { nonce: randomScalar() });
}

/** Spec §8.2 Throws MalformedInput (F not 32 bytes) or InvalidSignature. */
export function verifyCredentialSignature(signature, { credential, message, fingerprint }) {
  checkFingerprint(fingerprint);
  try {
    verifySchnorrCore(Dst.CREDENTIAL_SIGNATURE, 'credential signature', signature, {
      publicPoint: credential, context: signatureContext(fingerprint, message),
    });
  } catch (error) {
    if (error instanceof InvalidProof) throw new InvalidSignature(error.message);
    throw error;
  }
}

/** Spec §11.4 A voter entry's signature bytes: c || s (32 bytes each). */
export function credentialSignatureToBytes({ challenge, response }) {
  return concat(Fn.toBytes(challenge), Fn.toBytes(response));
}

/** Spec §11.4 Parse c || s (64 bytes; each a scalar below n). Throws MalformedInput. */
export function credentialSignatureFromBytes(bytes) {
  if (bytes.length !== 64) throw new MalformedInput(`credential signature must be 64 bytes, got ${bytes.length}`);
  return { challenge: decodeScalar(bytes.subarray(0, 32)), response: decodeScalar(bytes.subarray(32)) };
}
