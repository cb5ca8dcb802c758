// Spec §4.3 Strict readers for wire objects: exact member sets, types and ranges, each refusal
// naming the field (crypto/wire.py).

import { MalformedInput } from './errors.js';
import { typeName } from './bytes.js';

/** A JSON object with exactly `required` (plus any of `optional`) members. */
export function expectObject(value, what, required, optional = []) {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array) {
    throw new MalformedInput(`${what} must be a JSON object, got ${typeName(value)}`);
  }
  const keys = Object.keys(value);
  const missing = required.filter((k) => !keys.includes(k)).sort();
  if (missing.length) throw new MalformedInput(`${what}: missing field(s) ${missing.join(', ')}`);
  const allowed = new Set([...required, ...optional]);
  const unknown = keys.filter((k) => !allowed.has(k)).sort();
  if (unknown.length) throw new MalformedInput(`${what}: unknown field(s) ${unknown.join(', ')}`);
  return value;
}

export function expectString(value, what) {
  if (typeof value !== 'string') throw new MalformedInput(`${what} must be a string, got ${typeName(value)}`);
  return value;
}

/** true or false. */
export function expectBool(value, what) {
  if (typeof value !== 'boolean') throw new MalformedInput(`${what} must be true or false, got ${typeName(value)}`);
  return value;
}

/** An integer (not a boolean) within [minimum, maximum]. */
export function expectInt(value, what, { minimum, maximum } = {}) {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new MalformedInput(`${what} must be an integer, got ${typeName(value)}`);
  }
  if (minimum !== undefined && value < minimum) throw new MalformedInput(`${what} must be >= ${minimum}, got ${value}`);
  if (maximum !== undefined && value > maximum) throw new MalformedInput(`${what} must be <= ${maximum}, got ${value}`);
  return value;
}

export function expectList(value, what, { maxLength } = {}) {
  if (!Array.isArray(value)) throw new MalformedInput(`${what} must be a list, got ${typeName(value)}`);
  if (maxLength !== undefined && value.length > maxLength) {
    throw new MalformedInput(`${what}: at most ${maxLength} items, got ${value.length}`);
  }
  return value;
}
