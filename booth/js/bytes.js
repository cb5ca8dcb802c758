// Spec §1.1 I2OSP/OS2IP and §1.2 bytes in JSON: lower-case hex of exactly twice the byte length.
// Byte strings are Uint8Array throughout the booth.

import { MalformedInput, NonCanonicalEncoding } from './errors.js';

const HEX_DIGITS = /^[0-9a-fA-F]*$/;

/** Spec §1.2 The lower-case hex of `bytes`. */
export function toHex(bytes) {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/**
 * Spec §1.2 Exactly `length` bytes written as 2·length lower-case hex digits (crypto/wire.py
 * parse_hex). Throws MalformedInput (not a string, wrong length, a character that is not a hex
 * digit, white space included) or NonCanonicalEncoding (upper-case digits).
 */
export function parseHex(text, length, what) {
  if (typeof text !== 'string') throw new MalformedInput(`${what} must be a hex string, got ${typeName(text)}`);
  if (text.length !== 2 * length) {
    throw new MalformedInput(`${what} must be ${2 * length} hex digits, got ${text.length}`);
  }
  if (!HEX_DIGITS.test(text)) throw new MalformedInput(`${what} is not hex: ${JSON.stringify(text)}`);
  if (text !== text.toLowerCase()) {
    throw new NonCanonicalEncoding(`${what} must be lower-case hex: ${JSON.stringify(text)}`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Hex of any even length (test vectors and internal values). */
export function fromHex(text) {
  if (typeof text !== 'string' || text.length % 2) throw new MalformedInput('hex of odd length');
  return parseHex(text, text.length / 2, 'hex');
}

/** Spec §1.1 I2OSP(x, k): the k-byte big-endian encoding of 0 <= x < 256^k (number or bigint). */
export function i2osp(x, k) {
  let v = BigInt(x);
  if (v < 0n || v >= 1n << BigInt(8 * k)) throw new MalformedInput(`I2OSP: ${x} does not fit ${k} bytes`);
  const out = new Uint8Array(k);
  for (let i = k - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Spec §1.1 OS2IP: a big-endian byte string as a bigint. */
export function os2ip(bytes) {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function concat(...parts) {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equal(a, b) {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

const ENCODER = new TextEncoder();

/** UTF-8 bytes of a well-formed string (ids, tags, text). */
export function utf8(text) {
  return ENCODER.encode(text);
}

export function typeName(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'object') return 'dict';
  return typeof value;
}
