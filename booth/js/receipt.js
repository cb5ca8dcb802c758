// Spec §11.13 The receipt file a member keeps for each ballot, and the checks of steps 1-4
// that need no folded log: step 1 offline, step 2 against the board key (leaf 0's), steps 3
// and 4 against the board's current tree head and the proofs the board serves. Fetching them
// is the caller's (the screens', app/standing.js); step 5 (does the ballot count, §11.10)
// reads the credential's own leaves through the board's credential index (credentials-index.js).

import { InclusionProofMismatch, InconsistentLog, MalformedInput } from './errors.js';
import { equal, parseHex, toHex } from './bytes.js';
import * as canonical from './canonical.js';
import { checkReceipt, entryHash, receiptFromJson } from './board.js';
import { verifyConsistency, verifyInclusion } from './merkle.js';
import { expectInt, expectObject, expectString } from './wire.js';
import { BALLOT } from './ballot.js';

export const FORMAT = 'verivote-receipt';
const FIELDS = ['format', 'version', 'board', 'election', 'tracker', 'receipt'];
const ENCODER = new TextEncoder();

/**
 * Spec §11.13 The receipt file's bytes: canonical JSON of
 * {"format", "version", "board", "election", "tracker", "receipt"} and a final newline, as
 * `verivote cast` writes it. `receipt` is the board's receipt object exactly as answered.
 */
export function receiptFileBytes({ board, election, tracker, receipt }) {
  const document = { format: FORMAT, version: 1, board, election, tracker, receipt };
  return ENCODER.encode(`${canonical.encodeText(document)}\n`);
}

function strip(bytes) {
  const space = (b) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  let start = bom ? 3 : 0;
  let end = bytes.length;
  while (start < end && space(bytes[start])) start++;
  while (end > start && space(bytes[end - 1])) end--;
  return bytes.subarray(start, end);
}

/**
 * Spec §11.13 step 1: read a receipt file and check it offline: the entry's credential
 * signature, the tree head's signature, leaf_index and leaf_hash, the inclusion proof, the
 * tracker against the entry, and that the entry is a ballot of the file's election. `schemes`
 * are the election's (board.electionSchemes(fingerprint)). Returns
 * { board, election, tracker, receipt }. Throws MalformedInput, InvalidSignature,
 * InclusionProofMismatch.
 */
export function readReceiptFile(bytes, schemes) {
  // §4.2 a file a person handles: any JSON text of it; signatures over canonical encodings
  const obj = expectObject(canonical.decodeDocument(strip(bytes)), 'receipt file', FIELDS);
  if (obj.format !== FORMAT) throw new MalformedInput('not a verivote receipt file');
  expectInt(obj.version, 'receipt file version', { minimum: 1, maximum: 1 });
  const board = expectString(obj.board, 'receipt board');
  const election = expectString(obj.election, 'receipt election');
  const tracker = parseHex(obj.tracker, 32, 'tracker');
  const receipt = receiptFromJson(obj.receipt, schemes);
  if (receipt.leaf.entry.type !== BALLOT) throw new MalformedInput('the receipt is not for a ballot');
  if (receipt.leaf.entry.election !== election) throw new MalformedInput(`the receipt is for election ${JSON.stringify(receipt.leaf.entry.election)}`);
  if (!equal(entryHash(receipt.leaf.entry.raw), tracker)) throw new MalformedInput("the receipt's tracker is not the hash of its ballot");
  return { board, election, tracker: toHex(tracker), receipt };
}

/**
 * Spec §11.13 steps 2-4, given what the board serves now: its key (leaf 0's), its current
 * tree head (parsed with board.sthFromJson), the consistency proof from the receipt's tree
 * size to the current one and the inclusion proof of the receipt's leaf in the current tree.
 * Throws MalformedInput (step 2: another board key or election) or InconsistentLog (steps 3
 * and 4: the board contradicts the receipt, which is evidence to report).
 */
export function checkReceiptAgainstBoard(receipt, { boardKey, currentSth, consistencyProof, inclusionProof }) {
  // Step 2: the receipt's tree head is signed by the board key.
  checkReceipt(receipt, { entry: receipt.leaf.entry.raw, boardKey });
  if (!equal(currentSth.boardKey, boardKey) || currentSth.election !== receipt.sth.election) {
    throw new MalformedInput("the board's tree head is signed by another key or for another log");
  }
  try {
    // §10.2 A log is a rehearsal's or not for its whole life: a flag that changed is evidence.
    if (currentSth.rehearsal !== receipt.sth.rehearsal) {
      throw new InconsistentLog("the board's tree head and the receipt's disagree on whether this is a rehearsal");
    }
    // Step 3: the current tree head is consistent with the receipt's.
    verifyConsistency({
      oldSize: receipt.sth.treeSize, newSize: currentSth.treeSize, oldRoot: receipt.sth.rootHash,
      newRoot: currentSth.rootHash, proof: consistencyProof,
    });
    // Step 4: the leaf is included, at the same index, in the current tree.
    verifyInclusion({
      leafHash: receipt.leaf.hash, index: receipt.leaf.index, treeSize: currentSth.treeSize, proof: inclusionProof,
      root: currentSth.rootHash,
    });
  } catch (error) {
    if (error instanceof InconsistentLog || error instanceof InclusionProofMismatch || error instanceof MalformedInput) {
      throw new InconsistentLog(`the board contradicts the receipt (keep it as evidence, report it): ${error.message}`);
    }
    throw error;
  }
}
