// Properties and refusals of the booth's modules beyond the known answers: random ballots of
// every kind verify and open, each mutation is refused for its named reason, and the reasons
// for choices made in the code (ed25519.js's strict rules) are pinned.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromHex, toHex, utf8 } from '../js/bytes.js';
import * as canonical from '../js/canonical.js';
import { Fn, G, IDENTITY, gPow, pointToHex, randomScalar, scalarToHex } from '../js/group.js';
import { ciphertextToJson, encrypt, extract, embed } from '../js/elgamal.js';
import { proveRange, verifyRange, proveSumRange, verifySumRange, proveRandomness, verifyRandomness } from '../js/proofs.js';
import { signedBytes } from '../js/ed25519.js';
import { deriveCredentialKey, readCode, checkSymbol, ALPHABET } from '../js/credentials.js';
import { electionSchemes, parseEntry } from '../js/board.js';
import { AUDIT, auditPayload, castBallot, checkChoices, choicesFromOpening, contestShape, signVoterEntry } from '../js/ballot.js';
import { checkOpenings, parseBallot, verifyBallot } from '../js/audit.js';

const code = (error) => (e) => e?.code === error;
const fingerprint = new Uint8Array(32).fill(7);
const secret = randomScalar();
const publicKey = gPow(secret);

function randomCode() {
  const values = Array.from({ length: 24 }, () => Math.floor(Math.random() * 32));
  return values.map((v) => ALPHABET[v]).join('') + checkSymbol(values);
}

const SHAPES = [
  contestShape({ id: 'block', kind: 'block', options: 5, maxSelections: 3 }),
  contestShape({ id: 'approval', kind: 'approval', options: 4 }),
  contestShape({ id: 'ref', kind: 'referendum', options: 2, maxSelections: 1 }),
  contestShape({ id: 'ranked', kind: 'ranked', options: 6, maxSelections: 4 }),
];
const STYLE = SHAPES.map((s) => s.id).join('+');
const PAPER = new Uint8Array(32).fill(0xab);

function randomChoices() {
  const pick = (n, max) => {
    const all = Array.from({ length: n }, (_, i) => i).sort(() => Math.random() - 0.5);
    return all.slice(0, Math.floor(Math.random() * (max + 1)));
  };
  return { block: pick(5, 3), approval: pick(4, 4), ref: pick(2, 1), ranked: pick(6, 4) };
}

test('random ballots of every kind verify, and their audit opens to the choices made', () => {
  for (let round = 0; round < 3; round++) {
    const key = deriveCredentialKey(randomCode(), { fingerprint });
    const choices = randomChoices();
    const cast = castBallot({ election: 'e-1', style: STYLE, paper: PAPER, shapes: SHAPES, choices, publicKey, key });
    const entry = parseEntry(cast.entry, electionSchemes(fingerprint), { election: 'e-1' });
    assert.equal(toHex(entry.hash), cast.tracker);
    const ballot = parseBallot(entry.payload, SHAPES);
    assert.equal(toHex(ballot.paper), toHex(PAPER));
    verifyBallot(ballot, { credential: key.publicPoint, fingerprint, publicKey, shapes: SHAPES });
    checkOpenings(ballot, cast.openings, { publicKey, shapes: SHAPES });
    assert.deepEqual(cast.openings.map(choicesFromOpening), SHAPES.map((s) => {
      const marks = choices[s.id];
      return s.kind === 'ranked' ? marks : [...marks].sort((a, b) => a - b);
    }));
    const audit = signVoterEntry({ election: 'e-1', type: AUDIT, payload: auditPayload(cast.entry, cast.openings), key });
    parseEntry(audit, electionSchemes(fingerprint));
  }
});

test('an opening that does not re-encrypt is refused, naming the contest and option', () => {
  const key = deriveCredentialKey(randomCode(), { fingerprint });
  const cast = castBallot({ election: 'e-1', style: STYLE, paper: PAPER, shapes: SHAPES, choices: randomChoices(), publicKey, key });
  const ballot = parseBallot(canonical.decode(cast.entry).payload, SHAPES);
  const lying = structuredClone(cast.openings);
  lying[0].choices[2] = 1 - lying[0].choices[2];
  assert.throws(() => checkOpenings(ballot, lying, { publicKey, shapes: SHAPES }), (e) => e.code === 'invalid_proof' && /block: option 2/.test(e.message));
  const ranked = structuredClone(cast.openings);
  ranked[3].ranking = String(ranked[3].ranking) === '5' ? [4] : [5]; // another ranking than the cast one
  assert.throws(() => checkOpenings(ballot, ranked, { publicKey, shapes: SHAPES }), (e) => e.code === 'invalid_proof' && /ranked: ranking/.test(e.message));
});

test('a ballot entry changed after signing is refused: bad_signature', () => {
  const key = deriveCredentialKey(randomCode(), { fingerprint });
  const cast = castBallot({ election: 'e-1', style: STYLE, paper: PAPER, shapes: SHAPES, choices: randomChoices(), publicKey, key });
  const obj = canonical.decode(cast.entry);
  obj.payload.contests[1].selections.reverse();
  assert.throws(() => parseEntry(canonical.encode(obj), electionSchemes(fingerprint)), code('invalid_signature'));
  assert.throws(() => parseEntry(cast.entry, electionSchemes(undefined)), code('invalid_signature'));
  assert.throws(() => parseEntry(cast.entry, electionSchemes(new Uint8Array(32))), code('invalid_signature'));
});

test('§11.8 a ballot carries a 32-byte paper hash: built without one, or read back without one, it is refused', () => {
  const key = deriveCredentialKey(randomCode(), { fingerprint });
  const choices = randomChoices();
  for (const paper of [undefined, new Uint8Array(31), toHex(PAPER)]) {
    assert.throws(() => castBallot({ election: 'e-1', style: STYLE, paper, shapes: SHAPES, choices, publicKey, key }), (e) => e.code === 'malformed' && /paper hash must be 32 bytes/.test(e.message));
  }
  const payload = canonical.decode(castBallot({ election: 'e-1', style: STYLE, paper: PAPER, shapes: SHAPES, choices, publicKey, key }).entry).payload;
  const without = { ...payload };
  delete without.paper;
  assert.throws(() => parseBallot(without, SHAPES), code('malformed'));
  assert.throws(() => parseBallot({ ...payload, paper: payload.paper.slice(2) }, SHAPES), (e) => e.code === 'malformed' && /ballot paper must be 64 hex digits/.test(e.message));
  assert.throws(() => parseBallot({ ...payload, paper: payload.paper.toUpperCase() }, SHAPES), code('non_canonical'));
});

test('range, sum and randomness proofs: completeness, and a value out of range has no proof', () => {
  for (const value of [0, 1]) {
    const r = randomScalar();
    const ciphertext = encrypt(publicKey, value, { randomness: r });
    const proof = proveRange(r, { value, publicKey, ciphertext, maximum: 1, context: utf8('ctx') });
    verifyRange(proof, { publicKey, ciphertext, maximum: 1, context: utf8('ctx') });
    assert.throws(() => verifyRange(proof, { publicKey, ciphertext, maximum: 1, context: utf8('other') }), code('invalid_proof'));
    const swapped = { alpha: ciphertext.beta, beta: ciphertext.alpha };
    assert.throws(() => verifyRange(proof, { publicKey, ciphertext: swapped, maximum: 1, context: utf8('ctx') }), code('invalid_proof'));
  }
  const r = randomScalar();
  const two = encrypt(publicKey, 2, { randomness: r });
  // A prover claiming 1 for an encryption of 2 produces a proof that does not verify.
  const forged = proveRange(r, { value: 1, publicKey, ciphertext: two, maximum: 1, context: utf8('ctx') });
  assert.throws(() => verifyRange(forged, { publicKey, ciphertext: two, maximum: 1, context: utf8('ctx') }), code('invalid_proof'));
  assert.throws(() => proveRange(r, { value: 2, publicKey, ciphertext: two, maximum: 1, context: utf8('ctx') }), code('malformed'));
  const rs = [randomScalar(), randomScalar(), randomScalar()];
  const cts = [1, 0, 1].map((m, i) => encrypt(publicKey, m, { randomness: rs[i] }));
  const total = rs.reduce((a, b) => Fn.add(a, b), 0n);
  const sum = proveSumRange(total, { value: 2, publicKey, ciphertexts: cts, minimum: 0, maximum: 2, context: utf8('t') });
  verifySumRange(sum, { publicKey, ciphertexts: cts, minimum: 0, maximum: 2, context: utf8('t') });
  assert.throws(() => verifySumRange(sum, { publicKey, ciphertexts: [cts[1], cts[0], cts[2]], minimum: 0, maximum: 2, context: utf8('t') }), code('invalid_proof'));
  assert.throws(() => verifySumRange(sum, { publicKey, ciphertexts: cts, minimum: 0, maximum: 1, context: utf8('t') }), code('invalid_proof'));
  const identityAlpha = { alpha: IDENTITY, beta: G };
  assert.throws(() => verifySumRange(sum, { publicKey, ciphertexts: [identityAlpha], minimum: 0, maximum: 2, context: utf8('t') }), code('invalid_proof'));
  const pr = proveRandomness(rs[0], { publicKey, ciphertext: cts[0], context: utf8('x') });
  verifyRandomness(pr, { publicKey, ciphertext: cts[0], context: utf8('x') });
  assert.throws(() => verifyRandomness(pr, { publicKey, ciphertext: cts[1], context: utf8('x') }), code('invalid_proof'));
  assert.throws(() => verifyRandomness(pr, { publicKey, ciphertext: identityAlpha, context: utf8('x') }), code('invalid_proof'));
});

test('§11.8 choices the contest does not allow are refused before encrypting', () => {
  const [block, approval, ref, ranked] = SHAPES;
  assert.throws(() => checkChoices(block, [0, 1, 2, 3]), (e) => e.code === 'malformed' && /at most 3/.test(e.message));
  assert.throws(() => checkChoices(block, [1, 1]), (e) => /distinct/.test(e.message));
  assert.throws(() => checkChoices(approval, [4]), (e) => /distinct options 1 to 4/.test(e.message));
  assert.throws(() => checkChoices(ref, [0, 1]), (e) => /at most 1/.test(e.message));
  assert.throws(() => checkChoices(ranked, [0, 1, 2, 3, 4]), (e) => /1 to 4 preferences/.test(e.message));
  assert.throws(() => checkChoices(ranked, [2, 2]), (e) => /distinct options only/.test(e.message));
  assert.deepEqual(Array.from(checkChoices(ranked, [])), [0xff]);
  assert.deepEqual(checkChoices(approval, [0, 1, 2, 3]), [0, 1, 2, 3]);
  assert.throws(() => castBallot({ election: 'e', style: STYLE, paper: PAPER, shapes: SHAPES, choices: { block: [] }, publicKey, key: deriveCredentialKey(randomCode(), { fingerprint }) }), /exactly the contests/);
});

test('§5.6 embed and extract round-trip, and extract refuses every other point', () => {
  for (let len = 0; len <= 29; len += 7) {
    const data = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) & 255);
    assert.equal(toHex(extract(embed(data))), toHex(data));
  }
  assert.throws(() => embed(new Uint8Array(30)), code('malformed'));
  assert.throws(() => extract(IDENTITY), code('malformed'));
  assert.throws(() => extract(embed(Uint8Array.of(1)).negate()), /odd y/);
});

test('§4 canonical JSON: random values round-trip, and member order is by UTF-16 units', () => {
  const pieces = ['a', 'é', '\u{1F5F3}', '\uff01', '"', '\\', '\n', '\u0001', 'z'];
  for (let i = 0; i < 200; i++) {
    const key = () => Array.from({ length: 1 + (i % 3) }, (_, j) => pieces[(i * 7 + j * 3) % pieces.length]).join('');
    const value = { [key()]: [i, -i, true, null, key()], [`${key()}x`]: { n: Number.MAX_SAFE_INTEGER - i } };
    const bytes = canonical.encode(value);
    assert.deepEqual(canonical.encode(canonical.decode(bytes)), bytes);
  }
  assert.equal(canonical.encodeText({ '\uff01': 1, '\u{1F600}': 2 }), '{"\u{1F600}":2,"\uff01":1}');
  assert.throws(() => canonical.encode({ a: 1.5 }), code('malformed'));
  assert.throws(() => canonical.encode('\ud800'), code('malformed'));
  assert.throws(() => canonical.encode(2 ** 53), code('malformed'));
  // §4.2 depth: 64 levels read and written, 65 refused as malformed, both ways.
  const nested = (n) => '['.repeat(n) + ']'.repeat(n);
  assert.equal(canonical.encodeText(canonical.decodeText(nested(64))), nested(64));
  assert.throws(() => canonical.decodeText(nested(65)), code('malformed'));
  assert.throws(() => canonical.decodeText(nested(65)), /nested deeper than 64 levels/);
  let deep = {};
  for (let i = 1; i < 64; i++) deep = { a: deep };
  assert.equal(canonical.encodeText(deep).length, 64 * 6 - 4); // {"a": sixty-three times, {}
  assert.throws(() => canonical.encode([deep]), /nested deeper than 64 levels/);
});

test('§8.1 why ed25519.js checks itself: noble strict verify accepts what libsodium refuses', () => {
  const vectors = JSON.parse(readFileSync(new URL('../../tests/vectors/signing/ed25519.json', import.meta.url), 'utf8'));
  const byReason = Object.fromEntries(vectors.signatures.map((c) => [c.reason, c]));
  for (const reason of ['small-order R', 'mixed-order key: only the cofactored check holds']) {
    const c = byReason[reason];
    const signed = signedBytes(utf8(c.purpose), fromHex(c.message));
    assert.equal(ed25519.verify(fromHex(c.signature), signed, fromHex(c.public_key), { zip215: false }), true, reason);
    assert.equal(c.valid, false);
  }
});

test('§8.3 every single substitution and transposition of a code is caught', () => {
  const good = randomCode();
  assert.equal(readCode(good), good);
  for (let k = 0; k < 25; k++) {
    const other = ALPHABET[(ALPHABET.indexOf(good[k]) + 1 + (k % 31)) % 32];
    const typo = good.slice(0, k) + other + good.slice(k + 1);
    assert.throws(() => readCode(typo), (e) => e.reason === 'check', `substitution at ${k}`);
    for (let l = k + 1; l < 25; l++) {
      if (good[k] === good[l]) continue;
      const swapped = good.slice(0, k) + good[l] + good.slice(k + 1, l) + good[k] + good.slice(l + 1);
      assert.throws(() => readCode(swapped), (e) => e.reason === 'check', `swap ${k} ${l}`);
    }
  }
});

test('randomness is fresh: two ballots with the same choices differ in every ciphertext', () => {
  const key = deriveCredentialKey(randomCode(), { fingerprint });
  const choices = { block: [0], approval: [], ref: [1], ranked: [2] };
  const a = canonical.decode(castBallot({ election: 'e', style: STYLE, paper: PAPER, shapes: SHAPES, choices, publicKey, key }).entry);
  const b = canonical.decode(castBallot({ election: 'e', style: STYLE, paper: PAPER, shapes: SHAPES, choices, publicKey, key }).entry);
  const alphas = (e) => e.payload.contests.flatMap((c) => (c.selections ?? [c.ranking]).map((x) => x.alpha));
  const shared = alphas(a).filter((x) => alphas(b).includes(x));
  assert.deepEqual(shared, []);
  assert.notEqual(scalarToHex(randomScalar()), scalarToHex(randomScalar()));
  assert.equal(pointToHex(encrypt(publicKey, 0, { randomness: 5n }).alpha), pointToHex(gPow(5n)));
  assert.deepEqual(ciphertextToJson(encrypt(publicKey, 1, { randomness: 5n })).alpha, pointToHex(gPow(5n)));
  assert.throws(() => encrypt(publicKey, 1, { randomness: 0n }), code('malformed'));
});
