// Spec §4 Canonical JSON: the RFC 8785 encoding restricted to integers (§4.1), and the strict
// reader of §4.2, with the same acceptance and the same two kinds of refusal as
// crypto/canonical.py: MalformedInput for (1)-(4), NonCanonicalEncoding for (5).
//
// Values: objects (plain or null-prototype), arrays, strings, booleans, null, and integers as
// JavaScript numbers (the §4.1 range is exactly the safe integers). The reader returns objects
// with a null prototype, so a member named "__proto__" is an ordinary member.

import { MalformedInput, NonCanonicalEncoding } from './errors.js';

export const MAX_SAFE_INTEGER = Number.MAX_SAFE_INTEGER; // 2^53 - 1
export const DEFAULT_MAX_BYTES = 16 * 2 ** 20;
// Spec §4.2 The deepest nesting a document may have: `[]` is 1, `[[1]]` 2 (crypto/canonical.py).
export const MAX_DEPTH = 64;
const TOO_DEEP = `JSON nested deeper than ${MAX_DEPTH} levels`;

const ENCODER = new TextEncoder();
const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

// --- §4.1 Encoding --------------------------------------------------------------------------

/**
 * Spec §4.1 The RFC 8785 bytes of `value`. Throws MalformedInput for a non-integer or unsafe
 * number, a lone surrogate, or a value JSON has no notation for.
 */
export function encode(value) {
  return ENCODER.encode(encodeText(value));
}

/** Spec §4.1 The canonical text (a string) of `value`; see `encode`. */
export function encodeText(value) {
  const out = [];
  write(value, out, 0);
  return out.join('');
}

// `depth`: the arrays and objects around `value`.
function write(value, out, depth) {
  if (value === null) out.push('null');
  else if (value === true) out.push('true');
  else if (value === false) out.push('false');
  else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new MalformedInput(`floats are not allowed in canonical JSON: ${value}`);
    if (!Number.isSafeInteger(value)) throw new MalformedInput(`integer outside ±(2^53 - 1): ${value}`);
    out.push(Object.is(value, -0) ? '0' : String(value));
  } else if (typeof value === 'string') out.push(quote(value));
  else if (Array.isArray(value)) {
    if (depth >= MAX_DEPTH) throw new MalformedInput(TOO_DEEP);
    out.push('[');
    value.forEach((item, i) => {
      if (i) out.push(',');
      write(item, out, depth + 1);
    });
    out.push(']');
  } else if (typeof value === 'object' && !(value instanceof Uint8Array)) {
    if (depth >= MAX_DEPTH) throw new MalformedInput(TOO_DEEP);
    // Member names sorted by their UTF-16 code units: JavaScript's default string order.
    const keys = Object.keys(value).sort();
    out.push('{');
    keys.forEach((key, i) => {
      if (i) out.push(',');
      out.push(quote(key), ':');
      write(value[key], out, depth + 1);
    });
    out.push('}');
  } else {
    throw new MalformedInput(`no JSON notation for ${typeof value}`);
  }
}

const SHORT_ESCAPES = { '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function quote(text) {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdfff) {
      const next = text.charCodeAt(i + 1);
      if (unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        out += text[i] + text[i + 1];
        i++;
        continue;
      }
      throw new MalformedInput('string contains a lone surrogate');
    }
    const ch = text[i];
    if (SHORT_ESCAPES[ch] !== undefined) out += SHORT_ESCAPES[ch];
    else if (unit < 0x20) out += `\\u${unit.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

// --- §4.2 Strict decoding -------------------------------------------------------------------

/**
 * Spec §4.2 Parse canonical JSON strictly. Throws MalformedInput (too large, not UTF-8, a
 * byte-order mark, not JSON, duplicate member names, a fraction or exponent, NaN/Infinity, an
 * integer outside ±(2^53 - 1), too deeply nested) or NonCanonicalEncoding (valid JSON whose
 * bytes are not its canonical encoding).
 */
export function decode(bytes, { maxBytes = DEFAULT_MAX_BYTES } = {}) {
  if (bytes.length > maxBytes) throw new MalformedInput(`JSON document too large: ${bytes.length} bytes > ${maxBytes}`);
  let text;
  try {
    text = DECODER.decode(bytes);
  } catch {
    throw new MalformedInput('not UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) throw new MalformedInput('invalid JSON: unexpected UTF-8 byte-order mark');
  const value = new Parser(text).document();
  const again = encode(value);
  if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
    throw new NonCanonicalEncoding('JSON is not in canonical form (RFC 8785)');
  }
  return value;
}

/**
 * Spec §4.2 A file a person handles (a receipt file): any one JSON text of a value canonical
 * JSON can hold, whatever its white space and member order, a UTF-8 byte-order mark first or
 * not. Everything signed or hashed in it is checked over its canonical encoding (`encode`),
 * never over these bytes. Throws MalformedInput as `decode` does, never NonCanonicalEncoding.
 */
export function decodeDocument(bytes, { maxBytes = DEFAULT_MAX_BYTES } = {}) {
  if (bytes.length > maxBytes) throw new MalformedInput(`JSON document too large: ${bytes.length} bytes > ${maxBytes}`);
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  let text;
  try {
    text = DECODER.decode(bom ? bytes.subarray(3) : bytes);
  } catch {
    throw new MalformedInput('not UTF-8');
  }
  const value = new Parser(text).document();
  encode(value); // refuses what canonical JSON cannot hold: a lone surrogate, too deep
  return value;
}

/** `decode` of a string's UTF-8 bytes. */
export function decodeText(text, options) {
  return decode(ENCODER.encode(text), options);
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/y;
const ESCAPES = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

// A JSON parser with the acceptance of Python's json module (strict=True): what it accepts,
// the re-encoding then judges canonical or not.
class Parser {
  constructor(text) {
    this.text = text;
    this.at = 0;
  }

  fail(what) {
    throw new MalformedInput(`invalid JSON: ${what} at position ${this.at}`);
  }

  skip() {
    while (WHITESPACE.has(this.text[this.at])) this.at++;
  }

  document() {
    this.skip();
    const value = this.value(0);
    this.skip();
    if (this.at !== this.text.length) this.fail('extra data');
    return value;
  }

  // `depth`: the arrays and objects around the value read here.
  value(depth) {
    const ch = this.text[this.at];
    if ((ch === '{' || ch === '[') && depth >= MAX_DEPTH) throw new MalformedInput(TOO_DEEP);
    if (ch === '{') return this.object(depth);
    if (ch === '[') return this.array(depth);
    if (ch === '"') return this.string();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]]) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    for (const word of ['NaN', 'Infinity', '-Infinity']) {
      if (this.text.startsWith(word, this.at)) throw new MalformedInput(`${word} is not allowed in JSON`);
    }
    return this.number();
  }

  number() {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) this.fail('expecting value');
    if (match[1] !== undefined || match[2] !== undefined) {
      throw new MalformedInput(`floats are not allowed in canonical JSON: ${match[0]}`);
    }
    const digits = match[0];
    this.at += digits.length;
    if (digits.length > 17) throw new MalformedInput(`integer outside ±(2^53 - 1): ${digits.slice(0, 20)}...`);
    const big = BigInt(digits);
    if (big > BigInt(MAX_SAFE_INTEGER) || big < -BigInt(MAX_SAFE_INTEGER)) {
      throw new MalformedInput(`integer outside ±(2^53 - 1): ${digits}`);
    }
    return Number(big);
  }

  string() {
    this.at++; // the opening quote
    let out = '';
    for (;;) {
      const ch = this.text[this.at];
      if (ch === undefined) this.fail('unterminated string');
      if (ch === '"') {
        this.at++;
        return out;
      }
      if (ch === '\\') {
        const next = this.text[this.at + 1];
        if (next === 'u') {
          const hex = this.text.slice(this.at + 2, this.at + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('invalid \\uXXXX escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.at += 6;
        } else if (next !== undefined && ESCAPES[next] !== undefined) {
          out += ESCAPES[next];
          this.at += 2;
        } else {
          this.fail('invalid escape');
        }
        continue;
      }
      if (ch.charCodeAt(0) < 0x20) this.fail('invalid control character');
      out += ch;
      this.at++;
    }
  }

  array(depth) {
    this.at++;
    const out = [];
    this.skip();
    if (this.text[this.at] === ']') {
      this.at++;
      return out;
    }
    for (;;) {
      this.skip();
      out.push(this.value(depth + 1));
      this.skip();
      const ch = this.text[this.at++];
      if (ch === ']') return out;
      if (ch !== ',') this.fail("expecting ',' delimiter");
    }
  }

  object(depth) {
    this.at++;
    const out = Object.create(null);
    this.skip();
    if (this.text[this.at] === '}') {
      this.at++;
      return out;
    }
    for (;;) {
      this.skip();
      if (this.text[this.at] !== '"') this.fail('expecting property name enclosed in double quotes');
      const key = this.string();
      this.skip();
      if (this.text[this.at++] !== ':') this.fail("expecting ':' delimiter");
      this.skip();
      const value = this.value(depth + 1);
      if (Object.prototype.hasOwnProperty.call(out, key)) throw new MalformedInput(`duplicate JSON key: ${JSON.stringify(key)}`);
      out[key] = value;
      this.skip();
      const ch = this.text[this.at++];
      if (ch === '}') return out;
      if (ch !== ',') this.fail("expecting ',' delimiter");
    }
  }
}
