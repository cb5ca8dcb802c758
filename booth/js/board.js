// Spec §10.1-§10.3 The board's wire objects as the voter's device reads them: entries (with
// their author's signature), leaves, signed tree heads and receipts, each parsed strictly and
// checked before use (bulletin_board/wire.py).

import { sha256 } from '@noble/hashes/sha2.js';
import { InvalidSignature, MalformedInput } from './errors.js';
import { equal, parseHex, utf8 } from './bytes.js';
import * as canonical from './canonical.js';
import { POINT_LENGTH, decodePoint } from './group.js';
import { credentialSignatureFromBytes, verifyCredentialSignature } from './credentials.js';
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH, verifyRoleSignature } from './ed25519.js';
import { HASH_LENGTH, leafHash, verifyInclusion } from './merkle.js';
import { expectBool, expectInt, expectList, expectObject, expectString } from './wire.js';

export const VERSION = 1;
export const ENTRY_PURPOSE = utf8('board/entry');
export const STH_PURPOSE = utf8('board/sth');
export const ROLES = ['administrator', 'issuer', 'trustee', 'voter', 'board'];
export const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;
const ELECTION_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ENTRY_TYPE = /^[a-z][a-z0-9-]{0,63}$/;
const ENTRY_FIELDS = ['version', 'election', 'type', 'author', 'payload', 'signature'];

/** Spec §10.1 An election id: 1-63 of [a-z0-9-], not starting with '-'. Throws MalformedInput. */
export function checkElectionId(value) {
  const text = expectString(value, 'election id');
  if (!ELECTION_ID.test(text)) throw new MalformedInput(`election id must match [a-z0-9][a-z0-9-]{0,62}: ${JSON.stringify(text)}`);
  return text;
}

/** Spec §10.1 and §11.8 The entry hash (a ballot's tracker): SHA-256 of the entry's bytes. */
export function entryHash(raw) {
  return sha256(raw);
}

// --- signature schemes (§10.1) -----------------------------------------------------------------

/** Spec §8.1 with purpose board/entry: administrator, issuer, trustee and board. */
export const ED25519 = Object.freeze({
  keyLength: PUBLIC_KEY_LENGTH,
  signatureLength: SIGNATURE_LENGTH,
  verify(key, message, signature) {
    verifyRoleSignature(key, ENTRY_PURPOSE, message, signature);
  },
});

/** Spec §11.4 A voter's author key: a credential's 33-byte encoding, not the identity. */
export function credentialFromBytes(bytes, what) {
  if (bytes.length !== POINT_LENGTH) throw new MalformedInput(`${what}: must be 33 bytes, got ${bytes.length}`);
  const point = decodePoint(bytes);
  if (point.is0()) throw new MalformedInput(`${what}: the identity is not a credential`);
  return point;
}

/**
 * Spec §11.4 The voter role's scheme: the credential signature (§8.2) in the election of
 * fingerprint F over the entry without its signature; c || s. Without F every voter signature
 * is refused (no definition on the log yet).
 */
export function voterScheme(fingerprint) {
  return Object.freeze({
    keyLength: POINT_LENGTH,
    signatureLength: 64,
    verify(key, message, signature) {
      if (!fingerprint) throw new InvalidSignature('no election definition yet: voter signatures cannot verify');
      const credential = credentialFromBytes(key, 'voter key');
      let parsed;
      try {
        parsed = credentialSignatureFromBytes(signature);
      } catch {
        throw new InvalidSignature('credential signature: c or s out of range');
      }
      verifyCredentialSignature(parsed, { credential, message, fingerprint });
    },
  });
}

/** The schemes of an election's log (the board's "election rules"), given its fingerprint. */
export function electionSchemes(fingerprint) {
  return { administrator: ED25519, issuer: ED25519, trustee: ED25519, board: ED25519, voter: voterScheme(fingerprint) };
}

// --- entries (§10.1) --------------------------------------------------------------------------

function unsigned(obj) {
  const out = {};
  for (const key of Object.keys(obj)) if (key !== 'signature') out[key] = obj[key];
  return out;
}

/**
 * Spec §10.1 An entry from its parsed JSON, authenticated: returns
 * { election, type, role, key, payload, signature, raw, hash }. `election`, when given, is the
 * log the entry belongs to. Throws MalformedInput / NonCanonicalEncoding, InvalidSignature.
 */
export function entryFromJson(value, schemes, { election, raw, verify = true } = {}) {
  const obj = expectObject(value, 'entry', ENTRY_FIELDS);
  expectInt(obj.version, 'entry version', { minimum: VERSION, maximum: VERSION });
  const entryElection = checkElectionId(obj.election);
  if (election !== undefined && entryElection !== election) {
    throw new MalformedInput(`entry is for election ${JSON.stringify(entryElection)}, expected ${JSON.stringify(election)}`);
  }
  const type = expectString(obj.type, 'entry type');
  if (!ENTRY_TYPE.test(type)) throw new MalformedInput(`entry type must match [a-z][a-z0-9-]{0,63}: ${JSON.stringify(type)}`);
  const author = expectObject(obj.author, 'entry author', ['role', 'key']);
  const role = expectString(author.role, 'author role');
  if (!ROLES.includes(role)) throw new MalformedInput(`unknown author role ${JSON.stringify(role)}`);
  const scheme = schemes[role];
  if (scheme === undefined) throw new MalformedInput(`no entries from role ${JSON.stringify(role)} here`);
  const key = parseHex(author.key, scheme.keyLength, `${role} key`);
  const payload = obj.payload;
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new MalformedInput('entry payload must be a JSON object');
  }
  const signature = parseHex(obj.signature, scheme.signatureLength, 'entry signature');
  if (verify) scheme.verify(key, canonical.encode(unsigned(obj)), signature);
  const bytes = raw ?? canonical.encode(obj);
  return { election: entryElection, type, role, key, payload, signature, raw: bytes, hash: entryHash(bytes), json: obj };
}

/** Spec §10.1 Parse and authenticate an entry's canonical bytes (§4.2 first). */
export function parseEntry(raw, schemes, options = {}) {
  return entryFromJson(canonical.decode(raw), schemes, { ...options, raw });
}

// --- leaves (§10.1) ---------------------------------------------------------------------------

/** Spec §10.1 The leaf's bytes: {"entry":E,"index":i,"received":t,"version":1}. */
export function leafBytes({ index, received, entryRaw }) {
  return canonical.encode({ entry: canonical.decode(entryRaw), index, received, version: VERSION });
}

/** Spec §10.1 A leaf from its parsed JSON: { index, received, entry, raw, hash }. */
export function leafFromJson(value, schemes, { verify = true } = {}) {
  const obj = expectObject(value, 'leaf', ['version', 'index', 'received', 'entry']);
  expectInt(obj.version, 'leaf version', { minimum: VERSION, maximum: VERSION });
  const index = expectInt(obj.index, 'leaf index', { minimum: 0, maximum: MAX_TIMESTAMP });
  const received = expectInt(obj.received, 'received', { minimum: 0, maximum: MAX_TIMESTAMP });
  const entry = entryFromJson(obj.entry, schemes, { verify });
  const raw = canonical.encode(obj);
  return { index, received, entry, raw, hash: leafHash(raw) };
}

// --- signed tree heads (§10.2) ------------------------------------------------------------------

const STH_FIELDS = ['version', 'election', 'tree_size', 'root_hash', 'timestamp', 'rehearsal', 'board_key', 'signature'];

/**
 * Spec §10.2 Parse a tree head and check its signature under its own board_key; the caller
 * must then check board_key is the key it trusts (leaf 0's), and rehearsal is leaf 0's flag
 * (a rehearsal is shown as REHEARSAL wherever the election is). Returns
 * { election, treeSize, rootHash, timestamp, rehearsal, boardKey, signature, json }.
 * Throws MalformedInput, InvalidSignature.
 */
export function sthFromJson(value) {
  const obj = expectObject(value, 'tree head', STH_FIELDS);
  expectInt(obj.version, 'tree head version', { minimum: VERSION, maximum: VERSION });
  const sth = {
    election: checkElectionId(obj.election),
    treeSize: expectInt(obj.tree_size, 'tree size', { minimum: 0, maximum: MAX_TIMESTAMP }),
    rootHash: parseHex(obj.root_hash, HASH_LENGTH, 'root hash'),
    timestamp: expectInt(obj.timestamp, 'timestamp', { minimum: 0, maximum: MAX_TIMESTAMP }),
    rehearsal: expectBool(obj.rehearsal, 'rehearsal'),
    boardKey: parseHex(obj.board_key, PUBLIC_KEY_LENGTH, 'board key'),
    signature: parseHex(obj.signature, SIGNATURE_LENGTH, 'tree head signature'),
    json: obj,
  };
  verifyRoleSignature(sth.boardKey, STH_PURPOSE, canonical.encode(unsigned(obj)), sth.signature);
  return sth;
}

/**
 * Spec §10.1 Leaf 0's payload: { key, rehearsal }, the key being the entry's author key.
 * `rehearsal` is true on a rehearsal's log (§10.2). Throws MalformedInput.
 */
export function boardKeyPayload(entry) {
  if (entry.type !== 'board-key') throw new MalformedInput(`a ${entry.type} entry, not the board-key entry`);
  const obj = expectObject(entry.payload, 'board-key payload', ['key', 'rehearsal']);
  const key = parseHex(obj.key, PUBLIC_KEY_LENGTH, 'board key');
  if (!equal(key, entry.key)) throw new MalformedInput('board-key payload key differs from the author key');
  return { key, rehearsal: expectBool(obj.rehearsal, 'rehearsal') };
}

// --- receipts (§10.3) -------------------------------------------------------------------------

const RECEIPT_FIELDS = ['version', 'leaf_index', 'leaf_hash', 'leaf', 'sth', 'inclusion_proof'];

/**
 * Spec §10.3 Parse a receipt and check all that needs no board: the entry's signature, the
 * tree head's signature, leaf_index and leaf_hash against the leaf, the same election, and the
 * inclusion proof against the tree head. Returns { leaf, sth, inclusionProof, json }.
 * Throws MalformedInput, InvalidSignature, InclusionProofMismatch.
 */
export function receiptFromJson(value, schemes) {
  const obj = expectObject(value, 'receipt', RECEIPT_FIELDS);
  expectInt(obj.version, 'receipt version', { minimum: VERSION, maximum: VERSION });
  const leaf = leafFromJson(obj.leaf, schemes);
  const sth = sthFromJson(obj.sth);
  if (expectInt(obj.leaf_index, 'leaf index', { minimum: 0 }) !== leaf.index) {
    throw new MalformedInput("receipt: leaf_index differs from the leaf's index");
  }
  if (!equal(parseHex(obj.leaf_hash, HASH_LENGTH, 'leaf hash'), leaf.hash)) {
    throw new MalformedInput('receipt: leaf_hash is not the hash of the leaf');
  }
  if (leaf.entry.election !== sth.election) throw new MalformedInput('receipt: the tree head is for another election');
  const inclusionProof = expectList(obj.inclusion_proof, 'inclusion proof', { maxLength: 64 })
    .map((h) => parseHex(h, HASH_LENGTH, 'inclusion proof hash'));
  verifyInclusion({ leafHash: leaf.hash, index: leaf.index, treeSize: sth.treeSize, proof: inclusionProof, root: sth.rootHash });
  return { leaf, sth, inclusionProof, json: obj };
}

/**
 * Spec §10.3 The client's checks of a receipt for an entry it posted: the leaf holds exactly
 * those entry bytes, and the tree head is signed by the board key it trusts. Throws
 * MalformedInput.
 */
export function checkReceipt(receipt, { entry, boardKey }) {
  if (!equal(receipt.leaf.entry.raw, entry)) throw new MalformedInput('receipt is for another entry');
  if (!equal(receipt.sth.boardKey, boardKey)) throw new MalformedInput("receipt's tree head is signed by another board key");
}
