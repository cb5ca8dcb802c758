// Spec §11.8 reading a ballot payload back and checking its proofs, and §11.9 checking that
// an audited ballot's ciphertexts re-encrypt from its openings (election/wire/_ballot.py and
// _voter.py): what the booth shows a member who audits is read from the opening and checked
// against the ballot it posted, not taken from memory.

import { InvalidProof, MalformedInput } from './errors.js';
import { equal, parseHex } from './bytes.js';
import { entryFromJson } from './board.js';
import { decodePoint } from './group.js';
import { ciphertextFromJson, ciphertextsEqual, encrypt, encryptBytes } from './elgamal.js';
import { scalarFromHex } from './group.js';
import { compactFromJson, disjunctiveFromJson, verifyRandomness, verifyRange, verifySumRange } from './proofs.js';
import { BALLOT, choicesFromOpening, rankingContext, selectionContext, totalContext, totalRange } from './ballot.js';
import { expectInt, expectList, expectObject, expectString } from './wire.js';

/**
 * Spec §11.8 Parse a `ballot` payload against the style's contest shapes: { style, paper (32
 * bytes), contests }. Whether `paper` is the election's is for the caller to compare. Throws
 * MalformedInput.
 */
export function parseBallot(value, shapes) {
  const obj = expectObject(value, 'ballot payload', ['style', 'paper', 'contests']);
  const style = expectString(obj.style, 'ballot style');
  const paper = parseHex(obj.paper, 32, 'ballot paper');
  const items = expectList(obj.contests, 'ballot contests', { maxLength: shapes.length });
  if (items.length !== shapes.length) {
    throw new MalformedInput(`ballot: style ${style} has ${shapes.length} contests, the ballot ${items.length}`);
  }
  const contests = items.map((item, i) => {
    const shape = shapes[i];
    const what = `contest ${shape.id}`;
    if (shape.kind === 'ranked') {
      const c = expectObject(item, what, ['contest', 'ranking', 'proof']);
      if (c.contest !== shape.id) throw new MalformedInput(`${what}: ballot holds contest ${JSON.stringify(c.contest)} here`);
      return { contest: shape.id, ranking: ciphertextFromJson(c.ranking, `${what}.ranking`), proof: compactFromJson(c.proof, `${what}.proof`) };
    }
    const c = expectObject(item, what, ['contest', 'selections', 'proofs', 'total']);
    if (c.contest !== shape.id) throw new MalformedInput(`${what}: ballot holds contest ${JSON.stringify(c.contest)} here`);
    const selections = expectList(c.selections, `${what}.selections`, { maxLength: shape.options });
    const proofs = expectList(c.proofs, `${what}.proofs`, { maxLength: shape.options });
    if (selections.length !== shape.options || proofs.length !== shape.options) {
      throw new MalformedInput(`${what}: need ${shape.options} selections and proofs`);
    }
    const range = totalRange(shape);
    let total = null;
    if (range === null) {
      if (c.total !== null) throw new MalformedInput(`${what}: an approval contest has no total proof`);
    } else {
      total = disjunctiveFromJson(c.total, { branches: range[1] - range[0] + 1, what: `${what}.total` });
    }
    return {
      contest: shape.id,
      selections: selections.map((s, k) => ciphertextFromJson(s, `${what}.selections[${k}]`)),
      proofs: proofs.map((p, k) => disjunctiveFromJson(p, { branches: 2, what: `${what}.proofs[${k}]` })),
      total,
    };
  });
  return { style, paper, contests };
}

/** Spec §11.8 Check every proof of a parsed ballot cast with `credential`. Throws InvalidProof. */
export function verifyBallot(ballot, { credential, fingerprint, publicKey, shapes }) {
  ballot.contests.forEach((contest, i) => {
    const shape = shapes[i];
    const named = (what, check) => {
      try {
        check();
      } catch (error) {
        if (error instanceof InvalidProof) throw new InvalidProof(`contest ${shape.id}: ${what}: ${error.message}`);
        throw error;
      }
    };
    if (shape.kind === 'ranked') {
      named('ranking', () => verifyRandomness(contest.proof, {
        publicKey, ciphertext: contest.ranking, context: rankingContext(fingerprint, credential, shape.id),
      }));
      return;
    }
    contest.selections.forEach((ciphertext, k) => named(`option ${k}`, () => verifyRange(contest.proofs[k], {
      publicKey, ciphertext, maximum: 1, context: selectionContext(fingerprint, credential, shape.id, k),
    })));
    const range = totalRange(shape);
    if (range !== null) {
      named('total', () => verifySumRange(contest.total, {
        publicKey, ciphertexts: contest.selections, minimum: range[0], maximum: range[1],
        context: totalContext(fingerprint, credential, shape.id),
      }));
    }
  });
}

/**
 * Spec §11.9 Check that every ciphertext of a parsed ballot re-encrypts from its opening
 * (openings in their wire form). Throws MalformedInput (an opening of the wrong shape) or
 * InvalidProof (a ciphertext that does not re-encrypt).
 */
export function checkOpenings(ballot, openings, { publicKey, shapes }) {
  const items = expectList(openings, 'audit openings', { maxLength: shapes.length });
  if (items.length !== shapes.length) throw new MalformedInput(`audit: ${items.length} openings for ${shapes.length} contests`);
  items.forEach((item, i) => {
    const shape = shapes[i];
    const contest = ballot.contests[i];
    const what = `opening of ${shape.id}`;
    if (shape.kind === 'ranked') {
      const o = expectObject(item, what, ['contest', 'ranking', 'randomness']);
      if (o.contest !== shape.id) throw new MalformedInput(`${what}: opens contest ${JSON.stringify(o.contest)}`);
      const ranking = expectList(o.ranking, `${what}.ranking`, { maxLength: 32 })
        .map((b) => expectInt(b, `${what}.ranking`, { minimum: 0, maximum: 255 }));
      const randomness = expectList(o.randomness, `${what}.randomness`, { maxLength: 1 });
      if (randomness.length !== 1) throw new MalformedInput(`${what}: needs one randomness`);
      const expected = encryptBytes(publicKey, Uint8Array.from(ranking), { randomness: scalarFromHex(randomness[0], `${what}.randomness`) });
      if (!ciphertextsEqual(expected, contest.ranking)) {
        throw new InvalidProof(`audit: contest ${shape.id}: ranking does not re-encrypt from its opening`);
      }
      return;
    }
    const o = expectObject(item, what, ['contest', 'choices', 'randomness']);
    if (o.contest !== shape.id) throw new MalformedInput(`${what}: opens contest ${JSON.stringify(o.contest)}`);
    const choices = expectList(o.choices, `${what}.choices`, { maxLength: shape.options });
    const randomness = expectList(o.randomness, `${what}.randomness`, { maxLength: shape.options });
    if (choices.length !== shape.options || randomness.length !== shape.options) {
      throw new MalformedInput(`${what}: need ${shape.options} choices and randomness`);
    }
    choices.forEach((m, k) => {
      const expected = encrypt(publicKey, expectInt(m, `${what}.choices`, { minimum: 0, maximum: 1 }), {
        randomness: scalarFromHex(randomness[k], `${what}.randomness`),
      });
      if (!ciphertextsEqual(expected, contest.selections[k])) {
        throw new InvalidProof(`audit: contest ${shape.id}: option ${k} does not re-encrypt from its opening`);
      }
    });
  });
}

/**
 * Spec §11.9 Check a posted `audit` payload as the verifier does (election/wire/_voter.py
 * verify_audit): the inner entry is a ballot of `election`, signed by the audit's author
 * `credentialKey` (33 bytes) with the election's `schemes`, on `paper`; its proofs verify; every
 * ciphertext re-encrypts from its opening. Returns the choices the openings show, by contest
 * (ballot.js choicesFromOpening). Throws MalformedInput, InvalidSignature, InvalidProof.
 */
export function checkAudit(payload, { election, credentialKey, schemes, fingerprint, paper, publicKey, shapes }) {
  const obj = expectObject(payload, 'audit payload', ['ballot', 'openings']);
  const inner = entryFromJson(obj.ballot, schemes, { election });
  if (inner.type !== BALLOT || inner.role !== 'voter') throw new MalformedInput('audit: the inner entry is not a ballot');
  if (!equal(inner.key, credentialKey)) throw new MalformedInput('audit: the ballot is signed by another credential');
  const ballot = parseBallot(inner.payload, shapes);
  if (!equal(ballot.paper, paper)) throw new MalformedInput('audit: the ballot is for another ballot paper');
  verifyBallot(ballot, { credential: decodePoint(credentialKey), fingerprint, publicKey, shapes });
  checkOpenings(ballot, obj.openings, { publicKey, shapes });
  return Object.fromEntries(obj.openings.map((o) => [o.contest, choicesFromOpening(o)]));
}
