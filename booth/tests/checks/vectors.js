// The known-answer vectors of tests/vectors run through the booth's JavaScript. Each suite names
// its vector file (relative to tests/vectors) and turns it into named cases; node's test runner
// (booth/tests/vectors.test.mjs) and the browser page (booth/tests/vectors.html) run the same
// cases. Python checks the same files (tests/**/test_*_vectors.py), so both sides agree byte for byte.

import { equal, ok, throwsCode } from './assert.js';
import { fromHex, toHex, utf8 } from '../../js/bytes.js';
import * as canonical from '../../js/canonical.js';
import {
  Fn, G, decodePoint, encodePoint, gPow, liftX, pointFromHex, pointToHex, scalarFromHex, scalarToHex,
} from '../../js/group.js';
import { encodeParts, hashBytes, hashToPoint, hashToScalar } from '../../js/hashing.js';
import {
  aggregate, ciphertextFromJson, ciphertextToJson, embed, encrypt, encryptBytes, extract, publicKeyFromHex,
} from '../../js/elgamal.js';
import {
  compactFromJson, compactToJson, disjunctiveFromJson, disjunctiveToJson, unsafeProveRandomness, unsafeProveRange,
  unsafeProveSumRange, verifyRandomness, verifyRange, verifySumRange,
} from '../../js/proofs.js';
import {
  deriveCredentialKey, formatCode, readCode, unsafeSignWithCredential, verifyCredentialSignature,
} from '../../js/credentials.js';
import { verifyRoleSignature } from '../../js/ed25519.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../../js/merkle.js';
import { ED25519, boardKeyPayload, electionSchemes, entryHash, parseEntry, sthFromJson } from '../../js/board.js';
import {
  AUDIT, auditPayload, ballotPaper, castBallot, choicesFromOpening, contestShape, electionFingerprint, sequenceSource,
  signVoterEntry,
} from '../../js/ballot.js';
import { checkAudit, checkOpenings, parseBallot, verifyBallot } from '../../js/audit.js';
import { checkReceiptAgainstBoard, readReceiptFile } from '../../js/receipt.js';
import { checkIndexAnswer, indexRecords, indexRoot, judge, recordBytes } from '../../js/credentials-index.js';

const scalar = (hex) => scalarFromHex(hex);
const point = (hex) => pointFromHex(hex);
const bump = (hex) => scalarToHex(Fn.add(scalar(hex), 1n));

function proofCases(v, label, prove, verify, mutate) {
  return v.vectors.flatMap((c, i) => [
    [`${label} ${i}: prove with the recorded nonces`, () => equal(prove(c), c.proof, 'proof')],
    [`${label} ${i}: verify`, () => verify(c, c.proof)],
    [`${label} ${i}: a response + 1 is refused`, () => throwsCode(() => verify(c, mutate(c.proof)), 'invalid_proof')],
    [`${label} ${i}: another context is refused`, () => throwsCode(
      () => verify({ ...c, context: `${c.context}00` }, c.proof), 'invalid_proof', 'context', /challenge/,
    )],
  ]);
}

const mutateCompact = (p) => ({ ...p, response: bump(p.response) });
const mutateBranches = (p) => ({
  branches: p.branches.map((b, j) => (j === 0 ? { ...b, response: bump(b.response) } : b)),
});

export const SUITES = [
  {
    file: 'elgamal/keys.json',
    cases: (v) => v.vectors.map((c) => [`§5.1 key ${c.seed_label}`, () => equal(pointToHex(gPow(scalar(c.secret_key))), c.public_key)]),
  },
  {
    file: 'elgamal/encryption.json',
    cases: (v) => v.vectors.map((c, i) => [`§5.2 Enc ${i} (m = ${c.message})`, () => {
      const pk = publicKeyFromHex(c.public_key);
      const r = scalar(c.randomness);
      equal(pointToHex(gPow(r)), c.g_r, 'g^r');
      equal(pointToHex(pk.multiply(r)), c.pk_r, 'pk^r');
      equal(ciphertextToJson(encrypt(pk, c.message, { randomness: r })), c.ciphertext, 'ciphertext');
    }]),
  },
  {
    file: 'elgamal/aggregate.json',
    cases: (v) => v.vectors.map((c, i) => [`§5.4 aggregate ${i} (${c.messages.length} ciphertexts)`, () => {
      const pk = publicKeyFromHex(c.public_key);
      const cts = c.messages.map((m, k) => encrypt(pk, m, { randomness: scalar(c.randomness[k]) }));
      equal(cts.map(ciphertextToJson), c.ciphertexts, 'ciphertexts');
      equal(ciphertextToJson(aggregate(cts)), c.aggregate, 'aggregate');
    }]),
  },
  {
    file: 'elgamal/embedding.json',
    cases: (v) => v.vectors.map((c) => [`§5.6 embed ${c.data.length / 2} bytes`, () => {
      for (const attempt of c.attempts) {
        if (attempt.on_curve) liftX(fromHex(attempt.x));
        else throwsCode(() => liftX(fromHex(attempt.x)), 'malformed', `counter ${attempt.counter}`);
      }
      const data = fromHex(c.data);
      equal(pointToHex(embed(data)), c.point, 'embed');
      equal(toHex(extract(point(c.point))), c.data, 'extract');
      const ct = encryptBytes(publicKeyFromHex(c.public_key), data, { randomness: scalar(c.randomness) });
      equal(ciphertextToJson(ct), c.ciphertext, 'EncBytes');
      throwsCode(() => extract(G), 'malformed', 'extract(g)');
    }]),
  },
  {
    file: 'proofs/range.json',
    cases: (v) => proofCases(v, '§6.4 range proof', (c) => disjunctiveToJson(unsafeProveRange(scalar(c.randomness), {
      value: c.value, publicKey: point(c.public_key), ciphertext: ciphertextFromJson(c.ciphertext), maximum: c.maximum,
      context: fromHex(c.context), nonce: scalar(c.nonce), simulated: c.simulated.map(compactFromJson),
    })), (c, proof) => verifyRange(disjunctiveFromJson(proof, { branches: c.maximum + 1 }), {
      publicKey: point(c.public_key), ciphertext: ciphertextFromJson(c.ciphertext), maximum: c.maximum, context: fromHex(c.context),
    }), mutateBranches).concat(v.vectors.map((c, i) => [`§6.4 range proof ${i}: the branch count comes from the statement`, () => {
      throwsCode(() => disjunctiveFromJson(c.proof, { branches: c.maximum + 2 }), 'malformed');
    }])),
  },
  {
    file: 'proofs/sum_range.json',
    cases: (v) => proofCases(v, '§6.5 sum proof', (c) => disjunctiveToJson(unsafeProveSumRange(scalar(c.total_randomness), {
      value: c.value, publicKey: point(c.public_key), ciphertexts: c.ciphertexts.map((x) => ciphertextFromJson(x)),
      minimum: c.minimum, maximum: c.maximum, context: fromHex(c.context), nonce: scalar(c.nonce),
      simulated: c.simulated.map(compactFromJson),
    })), (c, proof) => verifySumRange(disjunctiveFromJson(proof, { branches: c.maximum - c.minimum + 1 }), {
      publicKey: point(c.public_key), ciphertexts: c.ciphertexts.map((x) => ciphertextFromJson(x)), minimum: c.minimum,
      maximum: c.maximum, context: fromHex(c.context),
    }), mutateBranches),
  },
  {
    file: 'proofs/randomness.json',
    cases: (v) => proofCases(v, '§6.6 randomness proof', (c) => compactToJson(unsafeProveRandomness(scalar(c.randomness), {
      publicKey: point(c.public_key), ciphertext: ciphertextFromJson(c.ciphertext), context: fromHex(c.context), nonce: scalar(c.nonce),
    })), (c, proof) => verifyRandomness(compactFromJson(proof), {
      publicKey: point(c.public_key), ciphertext: ciphertextFromJson(c.ciphertext), context: fromHex(c.context),
    }), mutateCompact),
  },
  {
    file: 'credentials/credentials.json',
    cases: (v) => v.cases.map((c) => [`§8.2-§8.3 credential ${c.label}`, () => {
      for (const typed of c.typed_variants) equal(readCode(typed), c.normalised, `read ${JSON.stringify(typed)}`);
      equal(formatCode(c.normalised), c.code, 'printed form');
      for (const bad of [c.typo, c.transposed]) {
        if (bad !== null) equal(throwsCode(() => readCode(bad), 'malformed', bad).reason, 'check', 'reason');
      }
      const fingerprint = fromHex(c.fingerprint);
      const key = deriveCredentialKey(c.normalised, { fingerprint });
      equal(scalarToHex(key.secret), c.secret, 'x');
      equal(pointToHex(key.publicPoint), c.credential, 'X');
      const message = fromHex(c.message);
      const signature = unsafeSignWithCredential(key, message, { nonce: scalar(c.signature_nonce) });
      equal(compactToJson(signature), c.signature, 'signature');
      verifyCredentialSignature(signature, { credential: key.publicPoint, message, fingerprint });
      throwsCode(() => verifyCredentialSignature(signature, { credential: key.publicPoint, message: utf8('other'), fingerprint }),
        'invalid_signature', 'another message');
      throwsCode(() => verifyCredentialSignature(signature, { credential: key.publicPoint, message, fingerprint: new Uint8Array(32) }),
        'invalid_signature', 'another election');
    }]),
  },
  {
    file: 'credentials/reading.json',
    cases: (v) => v.cases.map((c) => [`§8.3 reading: ${c.description}`, () => {
      if (c.accepted) {
        equal(readCode(c.typed), c.normalised, 'normalised');
        return;
      }
      const error = throwsCode(() => readCode(c.typed), 'malformed', c.typed);
      equal(error.reason, c.reason, 'reason');
      if (c.reason === 'character') {
        equal(error.character, c.character, 'character');
        equal(error.position, c.position, 'position');
      }
      if (c.reason === 'length') equal(error.length, c.length, 'length');
    }]),
  },
  {
    file: 'merkle/rfc6962_reference.json',
    cases: (v) => {
      const root = (size) => fromHex(v.roots.find((r) => r.size === size).root);
      const leaves = v.leaves.map((d) => leafHash(fromHex(d)));
      return [
        ...v.inclusion.map((c) => [`§9.2 inclusion of leaf ${c.index} in ${c.tree_size}`, () => {
          const proof = c.proof.map(fromHex);
          verifyInclusion({ leafHash: leaves[c.index], index: c.index, treeSize: c.tree_size, proof, root: root(c.tree_size) });
          if (proof.length) {
            const bad = proof.map((h, i) => (i === 0 ? Uint8Array.from(h, (b, j) => (j === 0 ? b ^ 1 : b)) : h));
            throwsCode(() => verifyInclusion({ leafHash: leaves[c.index], index: c.index, treeSize: c.tree_size, proof: bad, root: root(c.tree_size) }),
              'inclusion_mismatch', 'tampered proof');
            throwsCode(() => verifyInclusion({ leafHash: leaves[c.index], index: c.index, treeSize: c.tree_size, proof: proof.slice(1), root: root(c.tree_size) }),
              'malformed', 'short proof', /too short/);
          }
        }]),
        ...v.consistency.map((c) => [`§9.3 consistency ${c.old_size} -> ${c.new_size}`, () => {
          const proof = c.proof.map(fromHex);
          verifyConsistency({ oldSize: c.old_size, newSize: c.new_size, oldRoot: root(c.old_size), newRoot: root(c.new_size), proof });
          if (c.old_size !== c.new_size) {
            throwsCode(() => verifyConsistency({ oldSize: c.old_size, newSize: c.new_size, oldRoot: root(c.old_size), newRoot: root(c.old_size), proof }),
              'inconsistent_log', 'wrong new root');
            throwsCode(() => verifyConsistency({ oldSize: c.new_size, newSize: c.old_size, oldRoot: root(c.new_size), newRoot: root(c.old_size), proof }),
              'inconsistent_log', 'shrinking log', /went down/);
          }
        }]),
      ];
    },
  },
  {
    file: 'hashing/hashing.json',
    cases: (v) => {
      const parts = (c) => c.parts.map(fromHex);
      return [
        ...v.hash.map((c) => [`§3.1-§3.2 H(${c.dst})`, () => {
          equal(toHex(encodeParts(utf8(c.dst), ...parts(c))), c.encoded, 'encode_parts');
          equal(toHex(hashBytes(utf8(c.dst), ...parts(c))), c.digest, 'H');
        }]),
        ...v.hash_to_scalar.map((c) => [`§3.3 H_s(${c.dst})`, () => equal(scalarToHex(hashToScalar(utf8(c.dst), ...parts(c))), c.scalar)]),
        ...v.hash_to_point.map((c) => [`§2.4 hash_to_point(${c.dst}), ${c.attempts.length} counter(s)`, () => {
          equal(pointToHex(hashToPoint(utf8(c.dst), ...parts(c))), c.point);
        }]),
        ...v.generators.map((c) => [`§2.4 generator ${c.label}/${c.index}`, () => {
          equal(pointToHex(hashToPoint(utf8('verivote-1/generator'), utf8(c.label), Uint8Array.of(0, 0, c.index >> 8, c.index & 255))), c.point);
        }]),
        ...v.points.valid.map((c) => [`§2.3 point ${c.note}`, () => equal(pointToHex(pointFromHex(c.hex)), c.hex)]),
        ...v.points.rejected.map((c) => [`§2.3 point refused: ${c.reason}`, () => throwsCode(() => pointFromHex(c.hex), c.error)]),
        ...v.scalars.valid.map((c) => [`§2.2 scalar ${c.note}`, () => equal(scalarToHex(scalarFromHex(c.hex)), c.hex)]),
        ...v.scalars.rejected.map((c) => [`§2.2 scalar refused: ${c.reason}`, () => throwsCode(() => scalarFromHex(c.hex), c.error)]),
      ];
    },
  },
  {
    file: 'canonical/canonical.json',
    cases: (v) => [
      ...v.encode.map((c) => [`§4.1 encode: ${c.description}`, () => equal(toHex(canonical.encode(JSON.parse(c.source))), c.canonical)]),
      ...v.accepted.map((c) => [`§4.2 accept ${c.input.slice(0, 24)}`, () => equal(toHex(canonical.encode(canonical.decode(fromHex(c.input)))), c.input)]),
      ...v.rejected.map((c) => [`§4.2 refuse: ${c.reason}`, () => throwsCode(() => canonical.decode(fromHex(c.input)), c.error)]),
    ],
  },
  {
    file: 'signing/ed25519.json',
    cases: (v) => {
      const schemes = { administrator: ED25519, issuer: ED25519, trustee: ED25519, board: ED25519 };
      return [
        ...v.signatures.map((c) => [`§8.1 Ed25519: ${c.reason}`, () => {
          const run = () => verifyRoleSignature(fromHex(c.public_key), utf8(c.purpose), fromHex(c.message), fromHex(c.signature));
          if (c.valid) run();
          else throwsCode(run, 'invalid_signature');
        }]),
        ...v.entries.map((c) => [`§10.1 entry: ${c.reason}`, () => {
          const run = () => parseEntry(utf8(c.raw), schemes);
          if (c.valid) equal(toHex(run().raw), toHex(utf8(c.raw)));
          else throwsCode(run, 'invalid_signature');
        }]),
        ...v.tree_heads.map((c) => [`§10.2 tree head: ${c.reason}`, () => {
          const run = () => sthFromJson(canonical.decode(utf8(c.raw)));
          if (c.valid) ok(run().rehearsal === c.reason.includes('rehearsal'), 'rehearsal flag');
          else throwsCode(run, 'invalid_signature');
        }]),
        ['§10.1 leaf 0: the board key and the rehearsal flag', () => {
          const entry = parseEntry(utf8(v.entries[0].raw), schemes);
          const payload = boardKeyPayload(entry);
          equal(toHex(payload.key), toHex(entry.key), 'board key');
          ok(payload.rehearsal === false, 'not a rehearsal');
        }],
      ];
    },
  },
  {
    file: 'ballots/ballots.json',
    cases: (v) => {
      const fingerprint = fromHex(v.fingerprint);
      const publicKey = publicKeyFromHex(v.election_key);
      const key = deriveCredentialKey(readCode(v.code), { fingerprint });
      const allShapes = v.contests.map((c) => contestShape({ id: c.id, kind: c.kind, options: c.options, maxSelections: c.max_selections }));
      const shapesOf = (style) => style.split('+').map((id) => allShapes.find((s) => s.id === id));
      const schemes = electionSchemes(fingerprint);
      // §11.8 The paper hash from the signed candidate-list entries, in definition order.
      const listed = (c) => v.candidate_list_entries.find((e) => e.contest === c.id);
      const listHashes = v.definition.contests.filter((c) => c.kind !== 'referendum').map((c) => entryHash(utf8(listed(c).entry)));
      const paper = ballotPaper(fingerprint, listHashes);
      return [
        ['§11.2 fingerprint and §8.3 credential key', () => {
          equal(canonical.encodeText(v.definition), v.definition_canonical, 'canonical definition');
          equal(toHex(electionFingerprint(v.definition)), v.fingerprint, 'fingerprint');
          equal(scalarToHex(key.secret), v.credential_secret, 'x');
          equal(pointToHex(key.publicPoint), v.credential, 'X');
        }],
        ['§11.8 the ballot paper hash of the candidate-list entries', () => {
          v.candidate_list_entries.forEach((e) => {
            equal(toHex(entryHash(utf8(e.entry))), e.entry_hash, `entry hash of ${e.contest}'s list`);
            equal(canonical.decode(utf8(e.entry)).payload, v.candidate_lists[e.contest], `${e.contest}'s list`);
          });
          equal(toHex(paper), v.paper, 'paper');
          // A reordered list is another entry, so another paper hash (issue 16 item 10).
          ok(toHex(ballotPaper(fingerprint, [listHashes[1], listHashes[0], listHashes[2]])) !== v.paper, 'order bound');
        }],
        ...v.ballots.map((b) => [`§11.8 ${b.type} ${b.label}: the same bytes and tracker`, () => {
          const source = sequenceSource(b.randomness.map(scalar));
          const cast = castBallot({
            election: v.election, style: b.style, paper, shapes: shapesOf(b.style), choices: b.choices, publicKey, key, source,
          });
          equal(cast.openings, b.openings, 'openings');
          let entry = cast.entry;
          equal(canonical.encodeText(canonical.decode(entry)), b.ballot_entry, 'ballot entry');
          if (b.type === AUDIT) {
            entry = signVoterEntry({ election: v.election, type: AUDIT, payload: auditPayload(cast.entry, cast.openings), key, source });
          } else {
            equal(cast.tracker, b.tracker, 'tracker');
          }
          equal(new TextDecoder().decode(entry), b.entry, 'entry');
          equal(source.used, b.randomness.length, 'scalars drawn');
        }]),
        ...v.ballots.map((b) => [`§11.8-§11.9 ${b.type} ${b.label}: read back and verified`, () => {
          const entry = parseEntry(utf8(b.entry), schemes, { election: v.election });
          ok(pointToHex(decodePoint(entry.key)) === v.credential, 'author is the credential');
          equal(toHex(entry.hash), b.tracker, 'tracker');
          const inner = b.type === AUDIT ? parseEntry(canonical.encode(entry.payload.ballot), schemes) : entry;
          const shapes = shapesOf(inner.payload.style);
          const ballot = parseBallot(inner.payload, shapes);
          equal(toHex(ballot.paper), v.paper, 'the ballot carries the paper hash');
          verifyBallot(ballot, { credential: decodePoint(inner.key), fingerprint, publicKey, shapes });
          if (b.type === AUDIT) {
            checkOpenings(ballot, entry.payload.openings, { publicKey, shapes });
            // The booth's whole §11.9 check of a posted audit, and an opening that lies.
            const context = { election: v.election, credentialKey: entry.key, schemes, fingerprint, paper: ballot.paper, publicKey, shapes };
            equal(checkAudit(entry.payload, context), Object.fromEntries(b.openings.map((o) => [o.contest, choicesFromOpening(o)])), 'choices');
            const lying = entry.payload.openings.map((o) => (o.choices ? { ...o, choices: o.choices.map((m) => 1 - m) } : o));
            throwsCode(() => checkAudit({ ...entry.payload, openings: lying }, context), 'invalid_proof', 'lying opening', /re-encrypt/);
            throwsCode(() => checkAudit(entry.payload, { ...context, credentialKey: encodePoint(G) }), 'malformed', 'other credential');
          }
          // Under another credential the same proofs fail (§6.6: no copying under another credential).
          throwsCode(() => verifyBallot(ballot, { credential: G, fingerprint, publicKey, shapes }), 'invalid_proof');
        }]),
      ];
    },
  },
  {
    file: 'receipts/receipts.json',
    cases: (v) => {
      const schemes = electionSchemes(fromHex(v.fingerprint));
      const boardKey = fromHex(v.board_key);
      const read = (text) => readReceiptFile(utf8(text), schemes);
      return [
        ['§11.13 step 1: the receipt file', () => {
          const file = read(v.receipt_file);
          equal(file.tracker, v.tracker, 'tracker');
          equal(new TextDecoder().decode(file.receipt.leaf.entry.raw), v.entry, 'entry');
          equal(toHex(file.receipt.leaf.hash), v.leaf_hashes[file.receipt.leaf.index], 'leaf hash');
          equal(toHex(file.receipt.sth.boardKey), v.board_key, 'board key');
        }],
        ...v.offline.map((c) => [`§11.13 step 1 refuses: ${c.reason}`, () => throwsCode(() => read(c.receipt_file), c.error)]),
        ...v.framing.map((c) => [`§11.13 file framing: ${c.reason}`, () => {
          if (c.error === 'none') equal(new TextDecoder().decode(read(c.receipt_file).receipt.leaf.entry.raw), v.entry, 'entry');
          else throwsCode(() => read(c.receipt_file), c.error);
        }]),
        ...v.board.map((c) => [`§11.13 steps 2-4: ${c.reason}`, () => {
          const receipt = read(v.receipt_file).receipt;
          const run = () => checkReceiptAgainstBoard(receipt, {
            boardKey: fromHex(c.board_key), currentSth: sthFromJson(c.current_sth),
            consistencyProof: c.consistency_proof.map(fromHex), inclusionProof: c.inclusion_proof.map(fromHex),
          });
          if (c.error === 'none') run();
          else throwsCode(run, c.error);
          ok(boardKey.length === 32, 'board key');
        }]),
      ];
    },
  },
  {
    file: 'credential_index/index.json',
    cases: (v) => {
      const records = indexRecords(v.leaves.map((leaf) => [leaf.index, leaf]));
      return [
        ['§11.15 the records and the index root', () => {
          v.leaves.forEach((leaf, i) => equal(toHex(leafHash(canonical.encode(leaf))), v.leaf_hashes[i], `leaf ${i} hash`));
          equal(records.map((r) => new TextDecoder().decode(recordBytes(r))), v.records, 'records');
          equal(toHex(indexRoot(records)), v.index_root, 'index root');
        }],
        ...v.answers.map((c) => [`§11.15 answer: ${c.reason}`, () => {
          if (c.error !== 'none') return throwsCode(() => checkIndexAnswer(c.answer, c.credential), c.error);
          const answer = checkIndexAnswer(c.answer, c.credential);
          equal(toHex(answer.head.indexRoot), v.index_root, 'index root');
          equal(toHex(answer.head.sth.boardKey), v.board_key, 'board key');
          return undefined;
        }]),
        ...v.standings.map((c) => [`§11.10 standing of ${c.credential.slice(0, 8)}`, () => {
          const record = records.find((r) => r.credential === c.credential);
          const payloads = Object.fromEntries([...record.ballots, ...record.audits].map((i) => [i, v.leaves[i].entry.payload]));
          equal(judge(record, payloads), { revoked: c.revoked, lastBallot: c.last_ballot, openedBy: c.opened_by }, 'standing');
        }]),
      ];
    },
  },
];
