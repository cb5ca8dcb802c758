// Fetching and checking what the board published for an election, before the first ballot:
// the same checks `verivote cast` makes (cli/cast.py, bulletin_board/client.py `fold` with
// setup_only). Spec §10.1-§10.3 leaves, entries and tree heads; §9.3 the consistency proof of
// the prefix read to the current tree head; §11.1-§11.7 the definition, timetable changes,
// candidate lists, the election key and the credentials of each ballot style; §11.8 the
// ballot paper hash.
//
// Every leaf read is authenticated (its author's signature), leaf 0 gives the board key and
// the rehearsal flag every tree head must carry, the leaves read hash to a prefix of the
// current tree head. Nothing here is secret: the code is never sent.

import { MalformedInput, InconsistentLog } from '../js/errors.js';
import { equal, fromHex, toHex } from '../js/bytes.js';
import { boardKeyPayload, electionSchemes, leafFromJson, sthFromJson } from '../js/board.js';
import { leafHash, treeHash, verifyConsistency, verifyInclusion } from '../js/merkle.js';
import { ballotPaper, contestShape, electionFingerprint } from '../js/ballot.js';
import { publicKeyFromHex } from '../js/elgamal.js';
import { precomputed } from '../js/group.js';

/** A board that could not be reached or answered something that is not a board's answer. */
export class Unreachable extends Error {}

/** A refusal by the board: `code` is its error code (§10.3's table, or a rule's, §11.4). */
export class Refused extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

async function request(url, options = {}) {
  let response;
  try {
    response = await fetch(url, { cache: 'no-store', ...options });
  } catch (error) {
    throw new Unreachable(`cannot reach the board: ${error.message}`);
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new Unreachable(`the board answered HTTP ${response.status} without JSON`);
  }
  if (!response.ok) {
    const code = body?.error?.code;
    if (typeof code !== 'string') throw new Unreachable(`the board answered HTTP ${response.status}`);
    throw new Refused(code, String(body.error.message ?? ''));
  }
  return body;
}

/** The board's API for one election, at this page's origin (connect-src 'self'). */
export function boardApi(election, origin = '') {
  const base = `${origin}/v1/elections/${encodeURIComponent(election)}`;
  return {
    election,
    get: (path) => request(`${base}${path}`),
    post: (body) => request(`${base}/entries`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body,
    }),
  };
}

function hashes(value, what) {
  if (!Array.isArray(value)) throw new MalformedInput(`${what}: not a list`);
  return value.map((h) => fromHex(h));
}

/** Spec §10.2 The current tree head, checked against leaf 0's key and rehearsal flag. */
export async function currentHead(api, { boardKey, rehearsal }) {
  const head = sthFromJson(await api.get('/sth'));
  if (!equal(head.boardKey, boardKey)) throw new MalformedInput('the tree head is signed by another key than leaf 0 names');
  if (head.rehearsal !== rehearsal) throw new InconsistentLog("the tree head and leaf 0 disagree on whether this is a rehearsal");
  if (head.election !== api.election) throw new MalformedInput('the tree head is for another election');
  return head;
}

async function* leaves(api, start, end, schemes) {
  let next = start;
  while (next !== null && next < end) {
    const page = await api.get(`/entries?start=${next}&end=${end}`);
    if (!Array.isArray(page?.leaves) || page.leaves.length === 0) throw new MalformedInput('the board answered an empty page of leaves');
    for (const value of page.leaves) {
      if (value?.index !== next) throw new MalformedInput(`the board answered leaf ${value?.index} for leaf ${next}`);
      yield { value, schemes };
      next += 1;
    }
    if (page.next !== null && page.next !== next) throw new MalformedInput('the page of leaves says another next leaf');
  }
}

function isVoter(value) {
  return value?.entry?.author?.role === 'voter';
}

/**
 * Read and check what the board published before the first ballot (and, `whole`, the rest,
 * for a credential reissued while voting is open). Returns the election as a ballot needs it:
 * { election, boardKey, rehearsal, definition, fingerprint, schemes, timetable, publicKey,
 *   lists: {contest: {entryHash, candidates}}, paper, credentials: Map(hex -> style),
 *   revoked: Set(hex), head }.
 * Throws Unreachable, Refused, MalformedInput, InvalidSignature, InconsistentLog.
 */
export async function readElection(api, { whole = false } = {}) {
  const election = api.election;
  let schemes = electionSchemes(null);
  const state = {
    election, boardKey: null, rehearsal: false, definition: null, fingerprint: null, schemes,
    timetable: {}, publicKey: null, lists: {}, credentials: new Map(), revoked: new Set(),
  };
  let head = null;
  const hashesRead = [];
  let end = Infinity;
  let index = 0;
  for (;;) {
    if (head === null) {
      // Leaf 0 first: it names the key every tree head is signed with.
      const zero = (await api.get('/leaves/0')).leaf;
      const leaf = leafFromJson(zero, schemes);
      const key = boardKeyPayload(leaf.entry);
      state.boardKey = key.key;
      state.rehearsal = key.rehearsal;
      head = await currentHead(api, state);
      end = head.treeSize;
      hashesRead.push(leaf.hash);
      index = 1;
    }
    if (index >= end) break;
    let stopped = false;
    for await (const { value } of leaves(api, index, end, schemes)) {
      if (isVoter(value) && !whole) { stopped = true; break; }
      const leaf = leafFromJson(value, state.schemes);
      if (leaf.entry.election !== election) throw new MalformedInput(`leaf ${leaf.index} is for another election`);
      apply(state, leaf);
      hashesRead.push(leaf.hash);
      index += 1;
    }
    if (stopped || index >= end) break;
  }
  // §9.3 the leaves read are the first leaves of the current tree head.
  const root = treeHash(hashesRead);
  if (hashesRead.length === head.treeSize) {
    if (!equal(root, head.rootHash)) throw new InconsistentLog("the board's leaves do not hash to its tree head");
  } else {
    const answer = await api.get(`/proof/consistency?first=${hashesRead.length}&second=${head.treeSize}`);
    try {
      verifyConsistency({
        oldSize: hashesRead.length, newSize: head.treeSize, oldRoot: root, newRoot: head.rootHash,
        proof: hashes(answer.consistency_proof, 'consistency proof'),
      });
    } catch {
      throw new InconsistentLog(`the board's first ${hashesRead.length} leaves are not a prefix of its tree head`);
    }
  }
  if (state.definition === null) throw new MalformedInput('the election definition is not on the board yet');
  state.head = head;
  state.paper = paperOf(state);
  return state;
}

function apply(state, leaf) {
  const { type, payload, hash } = leaf.entry;
  if (leaf.index === 1) {
    if (type !== 'election-definition') throw new MalformedInput('leaf 1 is not the election definition');
    state.definition = payload.definition;
    state.fingerprint = electionFingerprint(payload.definition);
    state.schemes = electionSchemes(state.fingerprint);
    state.timetable = { ...payload.definition.timetable };
    return;
  }
  if (type === 'timetable-change') state.timetable[payload.field] = payload.time;
  else if (type === 'candidate-list') state.lists[payload.contest] = { entryHash: hash, candidates: payload.candidates };
  else if (type === 'election-key') state.publicKey = publicKeyFromHex(payload.joint_key.commitments[0], 'election key');
  else if (type === 'credentials') for (const c of payload.credentials) state.credentials.set(c, payload.style);
  else if (type === 'credential-reissue') {
    state.revoked.add(payload.revoked);
    state.credentials.set(payload.credential, payload.style);
  }
}

/** Spec §11.8 The ballot paper hash of the candidate lists read (null while one is missing). */
function paperOf(state) {
  const listed = [];
  for (const contest of state.definition.contests) {
    if (contest.kind === 'referendum') continue;
    const list = state.lists[contest.id];
    if (list === undefined) return null;
    listed.push(list.entryHash);
  }
  return ballotPaper(state.fingerprint, listed);
}

/**
 * Spec §11.3 The contests of a ballot style, in style order, as the paper shows them:
 * { id, kind, title, question, maxSelections, seats, method, options: [{id, name}], shape }.
 */
export function paperContests(state, style) {
  return style.split('+').map((id) => {
    const contest = state.definition.contests.find((c) => c.id === id);
    if (contest === undefined) throw new MalformedInput(`style ${style} names an unknown contest ${id}`);
    const options = contest.kind === 'referendum'
      ? contest.options.map((o) => (typeof o === 'string' ? { id: o, name: o } : { id: o.id ?? o.name, name: o.name ?? o.id }))
      : (state.lists[id]?.candidates ?? []).map((c) => ({ id: c.id, name: c.name }));
    const shape = contestShape({ id, kind: contest.kind, options: options.length, maxSelections: contest.max_selections });
    return {
      id, kind: contest.kind, title: contest.title, question: contest.question, seats: contest.seats,
      maxSelections: contest.max_selections, options, shape,
    };
  });
}

/** The election key, precomputed for the many encryptions of a ballot. */
export function electionKey(state) {
  return state.publicKey === null ? null : precomputed(state.publicKey);
}

/** Spec §9.2 an inclusion proof the board serves for `index` in the tree of `treeSize`. */
export async function inclusionProof(api, index, treeSize) {
  const answer = await api.get(`/proof/inclusion?index=${index}&tree_size=${treeSize}`);
  return hashes(answer.inclusion_proof, 'inclusion proof');
}

/** Spec §9.3 a consistency proof from `first` to `second`. */
export async function consistencyProof(api, first, second) {
  const answer = await api.get(`/proof/consistency?first=${first}&second=${second}`);
  return hashes(answer.consistency_proof, 'consistency proof');
}

export { leafHash, verifyInclusion, toHex };
