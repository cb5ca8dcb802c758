// Measures, in this browser, building and signing a ballot with booth/js (castBallot: every
// encryption, proof and the credential signature, then the canonical entry): the 10-candidate
// vote-for-1 ballot and the demo's paper, which benchmarks/booth_bench.py derives from
// simulation/plans.py and passes as `?demo=` (JSON: {name, contests: [{id, kind, options,
// maxSelections}], choices}). `?runs=N` sets the number of timed runs (median reported) after
// one warm-up. Results: JSON in #results and body[data-results]; booth_bench.py reads them.
import { gPow, precomputed, randomScalar } from '../js/group.js';
import { castBallot, contestShape } from '../js/ballot.js';
import { deriveCredentialKey } from '../js/credentials.js';

const params = new URLSearchParams(location.search);
const runs = Number(params.get('runs') ?? 15);

const fingerprint = crypto.getRandomValues(new Uint8Array(32));
const publicKey = precomputed(gPow(randomScalar()));
const key = deriveCredentialKey('0000000000000000000000000', { fingerprint });
const paperHash = crypto.getRandomValues(new Uint8Array(32)); // §11.8: any 32 bytes cost the same

const PAPERS = {
  'vote-for-1 of 10': {
    shapes: [contestShape({ id: 'leader', kind: 'block', options: 10, maxSelections: 1 })],
    choices: { leader: [3] },
  },
};
if (params.has('demo')) {
  const demo = JSON.parse(params.get('demo'));
  PAPERS[demo.name] = { shapes: demo.contests.map((c) => contestShape(c)), choices: demo.choices };
}

function once({ shapes, choices }) {
  const style = shapes.map((s) => s.id).join('+');
  const start = performance.now();
  castBallot({ election: 'bench', style, paper: paperHash, shapes, choices, publicKey, key });
  return performance.now() - start;
}

const results = {};
for (const [name, paper] of Object.entries(PAPERS)) {
  once(paper); // warm-up: JIT and the key's fixed-base table
  const times = Array.from({ length: runs }, () => once(paper)).sort((a, b) => a - b);
  results[name] = { median_ms: times[Math.floor(times.length / 2)], min_ms: times[0], max_ms: times[times.length - 1], runs };
}
document.getElementById('results').textContent = JSON.stringify(results, null, 2);
document.getElementById('status').textContent = 'done';
document.body.dataset.results = JSON.stringify(results);
