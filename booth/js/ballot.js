// Spec §11.2 the election fingerprint, §11.8 the ballot paper hash, building a ballot on the
// voter's device and signing its entry, §11.9 the openings of an audited (Benaloh) ballot.
//
// Every input is explicit: the contests of the member's ballot style with their number of
// options (`shapes`), the ballot paper hash of the candidate lists they come from (`paper`),
// the election key, the credential key, the choices, and a source of randomness. The source is drawn in one fixed order, so a ballot built from a list of scalars
// is byte-for-byte the one Python builds from the same list (tests/vectors/ballots/README.md):
//   per contest, in style order —
//     block, approval, referendum: r_0..r_{L-1}; then per option k: the range proof's nonce and
//       its simulated (challenge, response); then, unless approval, the sum proof's nonce and
//       its simulated (challenge, response) pairs in branch order;
//     ranked: r, then the randomness proof's nonce;
//   then the credential signature's nonce.

import { MalformedInput } from './errors.js';
import { i2osp, toHex, utf8 } from './bytes.js';
import * as canonical from './canonical.js';
import { Fn, encodePoint, pointToHex, randomScalar, scalarToHex } from './group.js';
import { Dst, encodeParts, hashBytes } from './hashing.js';
import { EMBEDDING_CAPACITY, ciphertextToJson, encrypt, encryptBytes } from './elgamal.js';
import { compactToJson, disjunctiveToJson, unsafeProveRandomness, unsafeProveRange, unsafeProveSumRange } from './proofs.js';
import { credentialSignatureToBytes, unsafeSignWithCredential } from './credentials.js';
import { entryHash } from './board.js';

export const BALLOT = 'ballot';
export const AUDIT = 'audit';
export const KINDS = ['block', 'approval', 'referendum', 'ranked'];
/** Spec §11.8 The one-byte ranking of a ranked contest in which nobody is ranked. */
export const EMPTY_RANKING = 0xff;
const ENTRY_VERSION = 1;

/** Spec §11.2 H("verivote-1/election/fingerprint", canonical JSON of the definition). */
export function electionFingerprint(definition) {
  return hashBytes(Dst.ELECTION_FINGERPRINT, canonical.encode(definition));
}

/**
 * Spec §11.8 paper = H("verivote-1/ballot/paper", F, h_1, ..., h_m): `listHashes` are the entry
 * hashes (32 bytes each, §10.1) of the `candidate-list` entries in force of the definition's
 * contests that are not referendums, in definition order (every such contest's, whatever the
 * member's style). The screens compute it from the very entries they show the lists from.
 */
export function ballotPaper(fingerprint, listHashes) {
  return hashBytes(Dst.BALLOT_PAPER, fingerprint, ...listHashes);
}

// --- randomness ---------------------------------------------------------------------------------

/** Fresh randomness for a real ballot: uniform scalars in [1, n). */
export const randomSource = Object.freeze({ scalar: randomScalar });

/** A fixed list of scalars, drawn in order (known-answer tests only). */
export function sequenceSource(scalars) {
  let next = 0;
  return {
    scalar() {
      if (next >= scalars.length) throw new MalformedInput('fixed randomness exhausted');
      return scalars[next++];
    },
    get used() { return next; },
  };
}

// --- §11.8 contexts and contest shapes -------------------------------------------------------

/** Spec §11.8 ctx_sel(c, k) = encode_parts("verivote-1/ballot/selection", F, X, c, I2OSP(k, 4)). */
export function selectionContext(fingerprint, credential, contest, option) {
  return encodeParts(Dst.BALLOT_SELECTION, fingerprint, encodePoint(credential), utf8(contest), i2osp(option, 4));
}

/** Spec §11.8 ctx_total(c) = encode_parts("verivote-1/ballot/total", F, X, c). */
export function totalContext(fingerprint, credential, contest) {
  return encodeParts(Dst.BALLOT_TOTAL, fingerprint, encodePoint(credential), utf8(contest));
}

/** Spec §11.8 ctx_rank(c) = encode_parts("verivote-1/ballot/ranking", F, X, c). */
export function rankingContext(fingerprint, credential, contest) {
  return encodeParts(Dst.BALLOT_RANKING, fingerprint, encodePoint(credential), utf8(contest));
}

/**
 * A contest as a ballot sees it: { id, kind, options (L_c), maxSelections } where options is
 * the number of candidates in the candidate list in force, or of a referendum's options.
 */
export function contestShape({ id, kind, options, maxSelections = null }) {
  if (!KINDS.includes(kind)) throw new MalformedInput(`unknown contest kind ${JSON.stringify(kind)}`);
  if (!(Number.isInteger(options) && options >= 1)) throw new MalformedInput(`contest ${id}: needs at least one option`);
  return Object.freeze({ id, kind, options, maxSelections });
}

/** Spec §11.8 The sum proof's range: 0..max_selections (block), 0..1 (referendum), none. */
export function totalRange(shape) {
  if (shape.kind === 'block') return [0, shape.maxSelections];
  if (shape.kind === 'referendum') return [0, 1];
  return null;
}

/** Spec §11.8 At most this many preferences in a ranking (max_selections, and §5.6's 29). */
export function rankingLimit(shape) {
  return Math.min(shape.maxSelections ?? EMBEDDING_CAPACITY, EMBEDDING_CAPACITY);
}

/**
 * Spec §11.8 Check one contest's choices before encrypting (election/voter.py check_choices):
 * for block, approval and referendum, distinct option indices below L_c and at most the total
 * range; for ranked, 1 to rankingLimit distinct options most preferred first, or none (sent as
 * 0xFF). Returns the marks (homomorphic) or the ranking bytes (ranked). Throws MalformedInput.
 */
export function checkChoices(shape, marks) {
  if (!Array.isArray(marks) || !marks.every(Number.isInteger)) throw new MalformedInput(`contest ${shape.id}: choices must be option indices`);
  const distinct = new Set(marks).size === marks.length;
  if (shape.kind === 'ranked') {
    if (!marks.length) return Uint8Array.of(EMPTY_RANKING);
    const limit = rankingLimit(shape);
    if (marks.length > limit) throw new MalformedInput(`contest ${shape.id}: a ranking holds 1 to ${limit} preferences`);
    if (!distinct || marks.some((i) => i < 0 || i >= shape.options)) {
      throw new MalformedInput(`contest ${shape.id}: a ranking lists distinct options only`);
    }
    return Uint8Array.from(marks);
  }
  if (!distinct || marks.some((k) => k < 0 || k >= shape.options)) {
    throw new MalformedInput(`contest ${shape.id}: mark distinct options 1 to ${shape.options}`);
  }
  const range = totalRange(shape);
  if (range !== null && marks.length > range[1]) {
    throw new MalformedInput(`contest ${shape.id}: at most ${range[1]} mark(s), got ${marks.length}`);
  }
  return marks.slice();
}

// --- §11.8 building a ballot ------------------------------------------------------------------

function drawPairs(source, count) {
  return Array.from({ length: count }, () => {
    const challenge = source.scalar();
    return { challenge, response: source.scalar() };
  });
}

function homomorphicContest(shape, marks, { publicKey, key, source }) {
  const { fingerprint, publicPoint: X } = key;
  const values = Array.from({ length: shape.options }, (_, k) => (marks.includes(k) ? 1 : 0));
  const randomness = values.map(() => source.scalar());
  const selections = values.map((v, k) => encrypt(publicKey, v, { randomness: randomness[k] }));
  const proofs = values.map((v, k) => unsafeProveRange(randomness[k], {
    value: v, publicKey, ciphertext: selections[k], maximum: 1,
    context: selectionContext(fingerprint, X, shape.id, k), nonce: source.scalar(), simulated: drawPairs(source, 1),
  }));
  let total = null;
  const range = totalRange(shape);
  if (range !== null) {
    const nonce = source.scalar();
    total = unsafeProveSumRange(randomness.reduce((a, r) => Fn.add(a, r), 0n), {
      value: marks.length, publicKey, ciphertexts: selections, minimum: range[0], maximum: range[1],
      context: totalContext(fingerprint, X, shape.id), nonce, simulated: drawPairs(source, range[1] - range[0]),
    });
  }
  return {
    json: {
      contest: shape.id,
      selections: selections.map(ciphertextToJson),
      proofs: proofs.map(disjunctiveToJson),
      total: total === null ? null : disjunctiveToJson(total),
    },
    opening: { contest: shape.id, choices: values, randomness: randomness.map(scalarToHex) },
  };
}

function rankedContest(shape, ranking, { publicKey, key, source }) {
  const r = source.scalar();
  const ciphertext = encryptBytes(publicKey, ranking, { randomness: r });
  const proof = unsafeProveRandomness(r, {
    publicKey, ciphertext, context: rankingContext(key.fingerprint, key.publicPoint, shape.id), nonce: source.scalar(),
  });
  return {
    json: { contest: shape.id, ranking: ciphertextToJson(ciphertext), proof: compactToJson(proof) },
    opening: { contest: shape.id, ranking: Array.from(ranking), randomness: [scalarToHex(r)] },
  };
}

/**
 * Spec §11.8 Encrypt the member's choices: `shapes` are the contests of `style` in style order,
 * `paper` the ballot paper hash (32 bytes, ballotPaper) of the candidate lists they come from,
 * `choices` maps each contest id to its marks (option indices) or ranking (most preferred
 * first; [] for nobody). Returns { payload, openings }: the `ballot` payload and, for a
 * Benaloh audit only (§11.9), the openings, which reveal the vote. Throws MalformedInput.
 */
export function buildBallot({ style, paper, shapes, choices, publicKey, key, source = randomSource }) {
  if (!(paper instanceof Uint8Array) || paper.length !== 32) throw new MalformedInput('the ballot paper hash must be 32 bytes');
  const ids = shapes.map((s) => s.id);
  const named = Object.keys(choices);
  if (named.length !== ids.length || !named.every((id) => ids.includes(id))) {
    throw new MalformedInput(`choices must name exactly the contests of style ${style}`);
  }
  const contests = [];
  const openings = [];
  for (const shape of shapes) {
    const checked = checkChoices(shape, choices[shape.id]);
    const built = shape.kind === 'ranked'
      ? rankedContest(shape, checked, { publicKey, key, source })
      : homomorphicContest(shape, checked, { publicKey, key, source });
    contests.push(built.json);
    openings.push(built.opening);
  }
  return { payload: { style, paper: toHex(paper), contests }, openings };
}

/**
 * Spec §10.1 and §11.4 The canonical bytes of a voter entry (`ballot` or `audit`), signed with
 * the credential (§8.2) over the entry without its signature: c || s.
 */
export function signVoterEntry({ election, type, payload, key, source = randomSource }) {
  if (type !== BALLOT && type !== AUDIT) throw new MalformedInput(`voters post ballot and audit entries, not ${JSON.stringify(type)}`);
  const unsigned = {
    version: ENTRY_VERSION, election, type, author: { role: 'voter', key: pointToHex(key.publicPoint) }, payload,
  };
  const signature = unsafeSignWithCredential(key, canonical.encode(unsigned), { nonce: source.scalar() });
  return canonical.encode({ ...unsigned, signature: toHex(credentialSignatureToBytes(signature)) });
}

/**
 * Spec §11.8 Build and sign a ballot entry: { entry (bytes), tracker (hex), openings }. The
 * tracker is SHA-256 of the entry's bytes.
 */
export function castBallot({ election, style, paper, shapes, choices, publicKey, key, source = randomSource }) {
  const { payload, openings } = buildBallot({ style, paper, shapes, choices, publicKey, key, source });
  const entry = signVoterEntry({ election, type: BALLOT, payload, key, source });
  return { entry, tracker: toHex(entryHash(entry)), openings };
}

// --- §11.9 audits -----------------------------------------------------------------------------

/**
 * Spec §11.9 The payload of an `audit`: the signed ballot entry the member chose not to cast,
 * and its openings. A ballot audited must never be cast: the client encrypts afresh.
 */
export function auditPayload(signedBallot, openings) {
  return { ballot: canonical.decode(signedBallot), openings };
}

/**
 * Spec §11.9 The choices an opening shows, as the member made them: the marked option indices
 * of a homomorphic contest, or the ranking (empty when nobody was ranked).
 */
export function choicesFromOpening(opening) {
  if (opening.ranking !== undefined) {
    return opening.ranking.length === 1 && opening.ranking[0] === EMPTY_RANKING ? [] : opening.ranking.slice();
  }
  return opening.choices.flatMap((m, k) => (m === 1 ? [k] : []));
}
