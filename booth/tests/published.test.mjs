// What the booth refuses when it opens an election and when the board answers a ballot:
// booth/app/published.js `readElection` against a stub board serving the answers of
// tests/vectors/published/published.json (real signed leaves and tree heads, written by the
// Python: tests/vectors/published/generate.py), each refused case changing one answer; and
// booth/js/board.js `checkReceipt` (§10.3) on the receipt of tests/vectors/receipts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fromHex, toHex, utf8 } from '../js/bytes.js';
import * as canonical from '../js/canonical.js';
import { checkReceipt, electionSchemes } from '../js/board.js';
import { readReceiptFile } from '../js/receipt.js';
import { Refused, readElection } from '../app/published.js';

const VECTORS = new URL('../../tests/vectors/', import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, VECTORS), 'utf8'));
const PUBLISHED = load('published/published.json');
const RECEIPTS = load('receipts/receipts.json');

/** A board that answers `answers` (path -> JSON) and records what it was asked. */
function stubBoard(answers) {
  const asked = [];
  return {
    asked,
    election: PUBLISHED.election,
    get: async (path) => {
      asked.push(path);
      if (!(path in answers)) throw new Refused('not_found', `nothing at ${path}`);
      return structuredClone(answers[path]);
    },
    post: async () => { throw new Error('readElection posts nothing'); },
  };
}

test('readElection: the honest board is read up to the first ballot and proved a prefix of its tree head', async () => {
  const api = stubBoard(PUBLISHED.answers);
  const state = await readElection(api);
  assert.equal(toHex(state.boardKey), PUBLISHED.board_key);
  assert.equal(state.rehearsal, false);
  assert.equal(state.head.treeSize, PUBLISHED.tree_size);
  assert.equal(state.election, PUBLISHED.election);
  assert.ok(state.definition.contests.length > 0, 'no definition');
  assert.deepEqual(api.asked, Object.keys(PUBLISHED.answers), 'another set of requests');
});

for (const c of PUBLISHED.refused) {
  test(`readElection refuses ${c.reason}: ${c.error}`, async () => {
    const api = stubBoard({ ...PUBLISHED.answers, ...c.answers });
    await assert.rejects(readElection(api), (e) => {
      assert.equal(e.code, c.error, `${e.name}: ${e.message}`);
      return true;
    });
  });
}

test('readElection names each refusal', async () => {
  const [leaf, proof, key] = PUBLISHED.refused;
  const refusal = async (c) => readElection(stubBoard({ ...PUBLISHED.answers, ...c.answers })).catch((e) => e);
  assert.match((await refusal(leaf)).message, /signature/);
  assert.equal((await refusal(proof)).message, `the board's first ${PUBLISHED.leaves_read} leaves are not a prefix of its tree head`);
  assert.equal((await refusal(key)).message, 'the tree head is signed by another key than leaf 0 names');
});

const schemes = electionSchemes(fromHex(RECEIPTS.fingerprint));
const receipt = readReceiptFile(utf8(RECEIPTS.receipt_file), schemes).receipt;
const boardKey = fromHex(RECEIPTS.board_key);
const entry = utf8(RECEIPTS.entry);

test('checkReceipt: the receipt of the entry posted, under the trusted board key, is accepted', () => {
  checkReceipt(receipt, { entry, boardKey });
});

test('checkReceipt refuses a receipt for another entry: malformed', () => {
  const other = canonical.encode(JSON.parse(RECEIPTS.leaves[2]).entry); // a decision, not the ballot
  assert.throws(() => checkReceipt(receipt, { entry: other, boardKey }), (e) => e.code === 'malformed' && e.message === 'receipt is for another entry');
  const changed = entry.slice();
  changed[changed.length - 2] ^= 1;
  assert.throws(() => checkReceipt(receipt, { entry: changed, boardKey }), (e) => e.code === 'malformed' && e.message === 'receipt is for another entry');
});

test("checkReceipt refuses a receipt whose tree head is signed by another board's key: malformed", () => {
  const other = fromHex(RECEIPTS.board.find((c) => c.reason.startsWith('another board key')).board_key);
  assert.notEqual(toHex(other), RECEIPTS.board_key);
  assert.throws(() => checkReceipt(receipt, { entry, boardKey: other }), (e) => e.code === 'malformed' && e.message === "receipt's tree head is signed by another board key");
});
