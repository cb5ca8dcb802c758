// Spec §11.15 The credential index as the voter's device reads it: one credential's record,
// the board's signed index head, the record's inclusion proof in the index, the check that each
// leaf the record lists is of the credential, and §11.10 applied to those leaves alone
// (bulletin_board/credential_index.py). `indexRecords`/`indexRoot` recompute an index from
// leaves, for the known-answer vectors shared with Python (tests/vectors/credential_index).

import { InconsistentLog, MalformedInput } from './errors.js';
import { parseHex, toHex, utf8 } from './bytes.js';
import * as canonical from './canonical.js';
import { sthFromJson } from './board.js';
import { verifyRoleSignature } from './ed25519.js';
import { leafHash, treeHash, verifyInclusion } from './merkle.js';
import { expectInt, expectList, expectObject } from './wire.js';

export const INDEX_PURPOSE = utf8('board/index');
export const VERSION = 1;
export const KINDS = ['audits', 'ballots', 'issued', 'revoked'];
const RECORD_FIELDS = ['credential', ...KINDS];
const HEAD_FIELDS = ['version', 'election', 'sth', 'index_root', 'records', 'signature'];

/** Spec §11.15 A record's canonical bytes (§4.1): {"audits", "ballots", "credential", "issued", "revoked"}. */
export function recordBytes(record) {
  return canonical.encode({
    credential: record.credential, issued: record.issued, revoked: record.revoked,
    ballots: record.ballots, audits: record.audits,
  });
}

/**
 * Spec §11.15 Parse a record whose leaf indexes lie below `below`: { credential (hex), issued,
 * revoked, ballots, audits }. Throws MalformedInput.
 */
export function recordFromJson(value, { below }) {
  const obj = expectObject(value, 'credential record', RECORD_FIELDS);
  const record = { credential: toHex(parseHex(obj.credential, 33, 'record credential')) };
  for (const kind of KINDS) {
    const items = expectList(obj[kind], `record ${kind}`)
      .map((i) => expectInt(i, `record ${kind}`, { minimum: 0, maximum: below - 1 }));
    if (items.some((x, k) => k > 0 && items[k - 1] >= x)) throw new MalformedInput(`the record's ${kind} are not in increasing order`);
    record[kind] = items;
  }
  return record;
}

/**
 * Spec §11.15 Parse an index head and check its signature (purpose board/index) by its STH's
 * board key; the caller checks that key, the election and the rehearsal flag (§10.2) as for
 * any tree head. Returns { sth, indexRoot, records, json }. Throws MalformedInput,
 * InvalidSignature.
 */
export function indexHeadFromJson(value) {
  const obj = expectObject(value, 'index head', HEAD_FIELDS);
  expectInt(obj.version, 'index head version', { minimum: VERSION, maximum: VERSION });
  const sth = sthFromJson(obj.sth);
  if (obj.election !== sth.election) throw new MalformedInput("the index head's election is not its tree head's");
  const head = {
    sth,
    indexRoot: parseHex(obj.index_root, 32, 'index root'),
    records: expectInt(obj.records, 'index records', { minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    json: obj,
  };
  const signature = parseHex(obj.signature, 64, 'index head signature');
  const unsigned = { ...obj };
  delete unsigned.signature;
  verifyRoleSignature(sth.boardKey, INDEX_PURPOSE, canonical.encode(unsigned), signature);
  return head;
}

/**
 * Spec §11.15 Check the board's answer for `credential` (hex): the index head's signature, the
 * record names the credential, its inclusion proof at `position` in the index; or, without a
 * record, the absence proof (the neighbours at `position - 1` and `position`, `credential`
 * strictly between). Returns { head, position, record (null: proved not named) }. Throws
 * MalformedInput, InvalidSignature, InconsistentLog, InclusionProofMismatch.
 */
export function checkIndexAnswer(value, credential) {
  const obj = expectObject(value, 'index answer', ['index_head', 'position', 'record', 'index_proof'], NEIGHBOURS);
  const head = indexHeadFromJson(obj.index_head);
  const position = expectInt(obj.position, 'index position', { minimum: 0, maximum: head.records });
  if (obj.record === null) {
    if (expectList(obj.index_proof, 'index proof').length) throw new MalformedInput('an answer without a record has an index proof');
    checkAbsence(obj, head, position, credential);
    return { head, position, record: null };
  }
  if (NEIGHBOURS.some((k) => k in obj)) throw new MalformedInput('an answer with a record has neighbours');
  const record = recordFromJson(obj.record, { below: head.sth.treeSize });
  if (record.credential !== credential) throw new InconsistentLog('the board\'s index answered the record of another credential');
  checkPlace(record, obj.index_proof, head, position);
  return { head, position, record };
}

const NEIGHBOURS = ['before', 'after'];

/** Spec §11.15 `record`'s bytes are at `position` of the index of `head`. */
function checkPlace(record, proofJson, head, position) {
  const proof = expectList(proofJson, 'index proof', { maxLength: 64 }).map((h) => parseHex(h, 32, 'index proof hash'));
  verifyInclusion({ leafHash: leafHash(recordBytes(record)), index: position, treeSize: head.records, proof, root: head.indexRoot });
}

/**
 * Spec §11.15 The absence proof of an answer without a record: the records at places
 * `position - 1` and `position` of the signed index, and `credential` (hex) strictly between
 * (equal-length lower-case hex compares as the bytes do). Throws InconsistentLog (no proof, or
 * neighbours that do not prove it), MalformedInput, InclusionProofMismatch.
 */
function checkAbsence(obj, head, position, credential) {
  if (!NEIGHBOURS.every((k) => k in obj)) {
    throw new InconsistentLog('the board says the credential is not in its index but gives no proof of it (the neighbouring records, §11.15)');
  }
  for (const [side, place, present] of [['before', position - 1, position > 0], ['after', position, position < head.records]]) {
    if ((obj[side] !== null) !== present) {
      throw new InconsistentLog(`the board's absence proof ${present ? 'lacks' : 'has'} a record ${side} place ${position} of ${head.records}`);
    }
    if (obj[side] === null) continue;
    const given = expectObject(obj[side], `${side} neighbour`, ['record', 'index_proof']);
    const record = recordFromJson(given.record, { below: head.sth.treeSize });
    checkPlace(record, given.index_proof, head, place);
    const between = side === 'after' ? record.credential > credential : record.credential < credential;
    if (!between) {
      throw new InconsistentLog(`the board says the credential is not in its index, but its ${side} neighbour ${record.credential.slice(0, 16)}... does not sort ${side} it`);
    }
  }
}

/** Every [kind, leaf index] a record lists, in leaf order. */
export function recordLeaves(record) {
  return KINDS.flatMap((kind) => record[kind].map((i) => [kind, i])).sort((a, b) => a[1] - b[1]);
}

/**
 * Spec §11.15 A leaf listed under `kind` of `credential`'s (hex) record is such a leaf: its
 * parsed entry (board.js) is of that type, by or naming the credential. Throws InconsistentLog.
 */
export function checkLeaf(kind, credential, entry) {
  const { type, payload, role } = entry;
  let ok;
  if (kind === 'ballots' || kind === 'audits') {
    ok = type === (kind === 'ballots' ? 'ballot' : 'audit') && role === 'voter' && toHex(entry.key) === credential;
  } else if (kind === 'issued') {
    ok = (type === 'credentials' && Array.isArray(payload.credentials) && payload.credentials.includes(credential))
      || (type === 'credential-reissue' && payload.credential === credential);
  } else {
    ok = type === 'credential-reissue' && payload.revoked === credential;
  }
  if (!ok) throw new InconsistentLog(`the board's index lists a ${type} leaf among the credential's ${kind}, which it is not`);
}

function alphas(value, found = new Set()) {
  if (Array.isArray(value)) for (const item of value) alphas(item, found);
  else if (value !== null && typeof value === 'object') {
    if (typeof value.alpha === 'string' && 'beta' in value) found.add(value.alpha);
    for (const item of Object.values(value)) alphas(item, found);
  }
  return found;
}

/**
 * Spec §11.10 applied to one credential's leaves (§11.15): `payloads` maps the leaf index of
 * each of its ballots and audits to the entry's payload. Returns { revoked (the first revoking
 * leaf, or null), lastBallot (or null), openedBy (the audit opening the last ballot, or null) }.
 */
export function judge(record, payloads) {
  const lastBallot = record.ballots.length ? record.ballots[record.ballots.length - 1] : null;
  let openedBy = null;
  if (lastBallot !== null) {
    const cast = alphas(payloads[lastBallot]);
    openedBy = record.audits.find((a) => [...alphas(payloads[a])].some((x) => cast.has(x))) ?? null;
  }
  return { revoked: record.revoked.length ? record.revoked[0] : null, lastBallot, openedBy };
}

// --- recomputing an index (§11.15 Records), for the shared known answers ----------------------

/** Spec §11.15 The sorted records of leaves given as [index, leaf JSON] in leaf order. */
export function indexRecords(leaves) {
  const lists = new Map();
  const note = (credential, kind, index) => {
    if (!lists.has(credential)) lists.set(credential, { credential, issued: [], revoked: [], ballots: [], audits: [] });
    const list = lists.get(credential)[kind];
    if (list[list.length - 1] !== index) list.push(index);
  };
  for (const [index, leaf] of leaves) {
    const { type, author, payload } = leaf.entry;
    if ((type === 'ballot' || type === 'audit') && author.role === 'voter') note(author.key, type === 'ballot' ? 'ballots' : 'audits', index);
    else if (type === 'credentials') for (const c of payload.credentials) note(c, 'issued', index);
    else if (type === 'credential-reissue') {
      note(payload.credential, 'issued', index);
      note(payload.revoked, 'revoked', index);
    }
  }
  return [...lists.values()].sort((a, b) => (a.credential < b.credential ? -1 : 1));
}

/** Spec §11.15 The index root: the Merkle tree hash (§9.1) of the sorted records' bytes. */
export function indexRoot(records) {
  return treeHash(records.map((r) => leafHash(recordBytes(r))));
}
