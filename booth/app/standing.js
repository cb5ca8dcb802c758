// Spec §11.13 steps 2-5 against the board, as `verivote receipt check` does (cli/receipt.py):
// the board's signed credential index (§11.15) gives the tree head the receipt is checked
// against (steps 3 and 4) and the credential's own leaves, each proved in that tree head, from
// which §11.10 says whether the ballot counts (step 5). The index head's tree head must also
// extend the one this page read when it opened (§9.3): a board that forked its history since
// is caught here too.

import { InconsistentLog, MalformedInput, VerificationFailed } from '../js/errors.js';
import { equal, toHex } from '../js/bytes.js';
import { entryHash, leafFromJson } from '../js/board.js';
import { verifyConsistency, verifyInclusion } from '../js/merkle.js';
import { checkReceiptAgainstBoard } from '../js/receipt.js';
import { checkIndexAnswer, checkLeaf, judge, recordLeaves } from '../js/credentials-index.js';
import { consistencyProof, currentHead, inclusionProof } from './published.js';

/** A check that failed for a reason the member is told in one sentence (`code`: its kind). */
export class CheckFailed extends VerificationFailed {
  constructor(code, message, details = {}) {
    super(message);
    this.checkCode = code;
    this.details = details;
  }
}

function contradicted(error) {
  return new CheckFailed('contradicted', error.message);
}

async function checkExtends(api, older, newer) {
  try {
    verifyConsistency({
      oldSize: older.treeSize, newSize: newer.treeSize, oldRoot: older.rootHash, newRoot: newer.rootHash,
      proof: await consistencyProof(api, older.treeSize, newer.treeSize),
    });
  } catch (error) {
    if (error instanceof InconsistentLog || error instanceof MalformedInput) throw contradicted(error);
    throw error;
  }
}

/**
 * Spec §11.13 steps 2-5 for a receipt read and checked offline (receipt.js, step 1), on the
 * board of `api`, whose published setup the page read as `election` (published.js). Returns
 * { index, treeSize, outcome, later, audit } where `outcome` is 'counts' or 'superseded'
 * (`later`: { index, tracker } of the ballot that replaced it). Throws Unreachable, or
 * CheckFailed with checkCode 'contradicted' (steps 2-4, or a fork since the page opened),
 * 'omitted' (the index leaves out the ballot), 'unlisted', 'revoked' or 'audited' (the
 * ballot was replaced by one the member only audited: `later` and `audit` name them).
 */
export async function checkOnBoard(api, election, receipt) {
  const credential = toHex(receipt.leaf.entry.key);
  const index = receipt.leaf.index;
  const now = await currentHead(api, election);
  for (const older of [receipt.sth, election.head]) {
    if (now.treeSize < older.treeSize) {
      throw new CheckFailed('contradicted', `the board's tree shrank from size ${older.treeSize} to ${now.treeSize}`);
    }
  }
  const minSize = Math.max(receipt.sth.treeSize, election.head.treeSize, now.treeSize);
  const answer = checkIndexAnswer(await api.get(`/credential-index/${credential}?min_size=${minSize}`), credential);
  const { sth } = answer.head;
  // §10.2 the index head's tree head is the log's, as any tree head.
  if (!equal(sth.boardKey, election.boardKey) || sth.election !== api.election) {
    throw new CheckFailed('contradicted', "the index head's tree head is of another key or log");
  }
  if (sth.rehearsal !== election.rehearsal) throw new CheckFailed('contradicted', 'the index head disagrees on the rehearsal flag');
  if (sth.treeSize < minSize) throw new CheckFailed('contradicted', `the index is of size ${sth.treeSize}, below ${minSize}`);
  // Steps 2-4: the index head's tree head is the board's current one (§11.15).
  try {
    checkReceiptAgainstBoard(receipt, {
      boardKey: election.boardKey, currentSth: sth,
      consistencyProof: await consistencyProof(api, receipt.sth.treeSize, sth.treeSize),
      inclusionProof: await inclusionProof(api, index, sth.treeSize),
    });
  } catch (error) {
    if (error instanceof InconsistentLog || error instanceof MalformedInput) throw contradicted(error);
    throw error;
  }
  await checkExtends(api, election.head, sth);
  await checkExtends(api, now, sth);
  // Step 5 from the credential's own leaves (§11.15 Checking an answer).
  const { record } = answer;
  if (record === null || !record.ballots.includes(index)) {
    throw new CheckFailed('omitted', `the board's credential index omits the ballot at leaf ${index}`);
  }
  if (!record.issued.length) throw new CheckFailed('unlisted', "the ballot's credential is not on the published lists");
  const leaves = {};
  for (const [kind, i] of recordLeaves(record)) {
    if (kind === 'issued') continue; // a credentials part is large; its listing is in the record
    if (leaves[i] === undefined) {
      const leaf = leafFromJson((await api.get(`/leaves/${i}`)).leaf, election.schemes);
      if (leaf.index !== i) throw new CheckFailed('contradicted', `the board sent leaf ${leaf.index} for ${i}`);
      try {
        verifyInclusion({ leafHash: leaf.hash, index: i, treeSize: sth.treeSize, proof: await inclusionProof(api, i, sth.treeSize), root: sth.rootHash });
      } catch (error) {
        throw contradicted(error);
      }
      leaves[i] = leaf;
    }
    try {
      checkLeaf(kind, credential, leaves[i].entry);
    } catch (error) {
      throw new CheckFailed('omitted', error.message);
    }
  }
  const payloads = Object.fromEntries(Object.entries(leaves).map(([i, leaf]) => [i, leaf.entry.payload]));
  const standing = judge(record, payloads);
  const named = (i) => (i === null ? null : { index: i, tracker: toHex(entryHash(leaves[i].entry.raw)) });
  const result = { index, treeSize: sth.treeSize, later: named(standing.lastBallot), audit: named(standing.openedBy) };
  if (standing.revoked !== null) throw new CheckFailed('revoked', `revoked by leaf ${standing.revoked}`, result);
  if (standing.lastBallot === index) return { ...result, outcome: 'counts' };
  if (standing.openedBy !== null) throw new CheckFailed('audited', `replaced by leaf ${standing.lastBallot}, opened by ${standing.openedBy}`, result);
  return { ...result, outcome: 'superseded' };
}
