// The voting booth's screens: code -> ballot paper -> review -> cast (or check this device
// first: a Benaloh audit, Spec §11.9, the posted audit checked before its choices are read
// back) -> tracker and receipt, whose standing is checked at once; and "check my receipt"
// (§11.13 steps 1-5, as `verivote receipt check`). The election id is the page's path:
// /booth/ELECTION/. The code, the credential key, the choices and the randomness stay in this
// page's memory; only the signed ballot (or audit) is sent, to this page's own origin.

import { h, say, show } from './dom.js';
import { languages, lang, preferred, t, use } from './i18n.js';
import { describe, paperForm } from './paper.js';
import { Refused, Unreachable, boardApi, electionKey, paperContests, readElection } from './published.js';
import { CodeError, deriveCredentialKey, readCode } from '../js/credentials.js';
import { encodePoint, pointToHex } from '../js/group.js';
import { AUDIT, auditPayload, castBallot, signVoterEntry } from '../js/ballot.js';
import { checkAudit } from '../js/audit.js';
import { checkReceipt, receiptFromJson } from '../js/board.js';
import { readReceiptFile, receiptFileBytes } from '../js/receipt.js';
import { CheckFailed, checkOnBoard } from './standing.js';
import { VerivoteError } from '../js/errors.js';

const main = document.getElementById('main');
const alert = document.getElementById('alert');
const status = document.getElementById('status');
const banner = document.getElementById('rehearsal');

/** The election id from the path /booth/ELECTION/ (the last non-empty segment before the page). */
export function electionFromPath(path) {
  const parts = path.split('/').filter((p) => p !== '' && p !== 'index.html');
  const at = parts.indexOf('booth');
  return decodeURIComponent(at >= 0 && at + 1 < parts.length ? parts[at + 1] : parts[parts.length - 1] ?? '');
}

const session = {
  api: boardApi(electionFromPath(location.pathname)),
  election: null, // what the board published (published.js readElection)
  key: null, // the member's credential key: memory only
  style: null,
  contests: null,
  choices: {},
  screen: 'code',
  redraw: null, // draws the current screen again (after a change of language)
};

/** One plain sentence for anything that went wrong. */
function sentence(error) {
  if (error instanceof Unreachable) return t('error.unreachable');
  if (error instanceof Refused) {
    const known = t(`refusal.${error.code}`);
    return known === `refusal.${error.code}` ? t('refusal.other') : known;
  }
  if (error instanceof VerivoteError) return t('error.board');
  console.error(error);
  return t('error.mine');
}

function fail(error) {
  say(status, '');
  say(alert, sentence(error));
  document.body.dataset.error = error instanceof Refused ? error.code : error.constructor.name;
  document.body.dataset.detail = String(error.message); // for whoever inspects the page, never shown
}

function clearAlert() {
  say(alert, '');
  delete document.body.dataset.error;
}

function busy(text) {
  say(status, text);
}

function heading(id) {
  return h('h1', { id: 'heading' }, t(id));
}

// --- the screens ---------------------------------------------------------------------------

function codeScreen() {
  session.screen = 'code';
  session.redraw = codeScreen;
  const input = h('input', {
    id: 'code', name: 'code', type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false',
    'aria-describedby': 'code-hint',
  });
  const form = h('form', { id: 'code-form', novalidate: true, onsubmit: (event) => { event.preventDefault(); enterCode(input); } },
    h('label', { for: 'code' }, t('code.label')),
    h('p', { id: 'code-hint', class: 'hint' }, t('code.hint')),
    input,
    h('button', { type: 'submit', class: 'primary', id: 'continue' }, t('code.continue')));
  show(main, heading('code.heading'), h('p', {}, t('code.intro')), form,
    h('p', { class: 'aside' }, h('a', { href: '#check' }, t('done.check'))));
}

function codeSentence(error) {
  if (error.reason === 'character') return t('code.character', { position: error.position, character: error.character });
  if (error.reason === 'length') return t('code.length', { length: error.length });
  return t('code.check');
}

async function enterCode(input) {
  clearAlert();
  let normalised;
  try {
    normalised = readCode(input.value);
  } catch (error) {
    if (!(error instanceof CodeError)) throw error;
    input.setAttribute('aria-invalid', 'true');
    say(alert, codeSentence(error));
    document.body.dataset.error = `code-${error.reason}`;
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  busy(t('code.checking'));
  try {
    let election = session.election;
    const key = deriveCredentialKey(normalised, { fingerprint: election.fingerprint });
    const mine = pointToHex(key.publicPoint);
    if (!election.credentials.has(mine)) {
      // A credential reissued while voting is open is after the first ballots: read it all.
      election = await readElection(session.api, { whole: true });
    }
    busy('');
    if (election.revoked.has(mine)) {
      say(alert, t('code.revoked'));
      document.body.dataset.error = 'credential_revoked';
      return;
    }
    if (!election.credentials.has(mine)) {
      say(alert, t('code.unknown'));
      document.body.dataset.error = 'unknown_credential';
      return;
    }
    if (election.paper === null) { say(alert, t('error.nopaper')); return; }
    if (election.publicKey === null) { say(alert, t('error.notready')); return; }
    session.election = election;
    session.key = key;
    session.style = election.credentials.get(mine);
    session.contests = paperContests(election, session.style);
    session.choices = {};
    input.value = '';
    paperScreen();
  } catch (error) {
    fail(error);
  }
}

function paperScreen() {
  session.screen = 'paper';
  session.redraw = paperScreen;
  clearAlert();
  const form = paperForm(session.contests, session.choices);
  const submit = (event) => {
    event.preventDefault();
    const problems = form.problems();
    if (problems.length) {
      say(alert, problems.map(([, p]) => p).join(' '));
      document.getElementById(`contest-${problems[0][0]}`).querySelector('input').focus();
      return;
    }
    session.choices = form.read();
    reviewScreen();
  };
  show(main, heading('paper.heading'), h('p', {}, t('paper.intro')),
    h('form', { id: 'paper', novalidate: true, onsubmit: submit }, form.nodes,
      h('button', { type: 'submit', class: 'primary', id: 'review' }, t('paper.review'))));
}

function choiceList(choices) {
  return h('dl', { class: 'review' }, describe(session.contests, choices).map(({ contest, names }) => [
    h('dt', {}, contest.title),
    h('dd', {}, h('ul', {}, names.map((n) => h('li', {}, n)))),
  ]));
}

function reviewScreen() {
  session.screen = 'review';
  session.redraw = reviewScreen;
  clearAlert();
  show(main, heading('review.heading'), choiceList(session.choices),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', id: 'cast', onclick: () => cast() }, t('review.cast')),
      h('button', { type: 'button', id: 'change', onclick: paperScreen }, t('review.change'))),
    h('section', { class: 'audit', 'aria-labelledby': 'audit-heading' },
      h('h2', { id: 'audit-heading' }, t('review.audit')),
      h('p', {}, t('review.auditHelp')),
      h('button', { type: 'button', id: 'audit', onclick: () => audit() }, t('review.audit'))));
}

function build() {
  const { election, key, style, contests, choices } = session;
  return castBallot({
    election: election.election, style, paper: election.paper, shapes: contests.map((c) => c.shape),
    choices, publicKey: electionKey(election), key,
  });
}

async function post(entry) {
  const answer = await session.api.post(entry);
  const receipt = receiptFromJson(answer, session.election.schemes);
  checkReceipt(receipt, { entry, boardKey: session.election.boardKey });
  return { answer, receipt };
}

async function cast() {
  clearAlert();
  for (const button of main.querySelectorAll('button')) button.disabled = true;
  busy(t('casting'));
  await new Promise((resolve) => setTimeout(resolve, 0)); // let the status paint first
  try {
    const { entry, tracker } = build();
    const { answer, receipt } = await post(entry);
    busy('');
    doneScreen({ tracker, answer, receipt });
  } catch (error) {
    for (const button of main.querySelectorAll('button')) button.disabled = false;
    fail(error);
  }
}

async function audit() {
  clearAlert();
  for (const button of main.querySelectorAll('button')) button.disabled = true;
  busy(t('casting'));
  await new Promise((resolve) => setTimeout(resolve, 0));
  try {
    const { entry, tracker, openings } = build();
    const raw = signVoterEntry({
      election: session.election.election, type: AUDIT, payload: auditPayload(entry, openings), key: session.key,
    });
    const { receipt } = await post(raw);
    busy('');
    // Spec §11.9 The audit the board now publishes is checked as a verifier does before its
    // choices are read back: a ballot whose ciphertexts do not re-encrypt from the openings
    // shows nothing, and the member is told not to vote on this device.
    let choices;
    try {
      choices = readAudit(receipt.leaf.entry.payload);
    } catch (error) {
      if (!(error instanceof VerivoteError)) throw error;
      say(alert, t('audit.mismatch')); // the buttons stay disabled: no vote from this device
      document.body.dataset.error = 'audit_mismatch';
      document.body.dataset.detail = String(error.message);
      return;
    }
    auditScreen({ tracker, choices, index: receipt.leaf.index });
  } catch (error) {
    for (const button of main.querySelectorAll('button')) button.disabled = false;
    fail(error);
  }
}

function readAudit(payload) {
  const { election, key, contests } = session;
  return checkAudit(payload, {
    election: election.election, credentialKey: encodePoint(key.publicPoint), schemes: election.schemes,
    fingerprint: election.fingerprint, paper: election.paper, publicKey: election.publicKey,
    shapes: contests.map((c) => c.shape),
  });
}

function auditScreen({ tracker, choices, index }) {
  session.screen = 'audit';
  session.redraw = () => auditScreen({ tracker, choices, index });
  show(main, heading('audit.heading'), h('p', {}, t('audit.intro')), choiceList(choices),
    h('p', {}, t('audit.match')),
    h('p', { id: 'audit-elsewhere' }, t('audit.elsewhere', { board: location.origin, election: session.election.election, index })),
    h('p', {}, t('audit.tracker'), ' ', h('code', { class: 'tracker', id: 'audit-tracker', 'data-index': index }, tracker)),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'primary', id: 'cast', onclick: () => cast() }, t('audit.cast')),
      h('button', { type: 'button', id: 'change', onclick: paperScreen }, t('audit.change'))));
}

function doneScreen({ tracker, answer, receipt }) {
  session.screen = 'done';
  session.redraw = () => doneScreen({ tracker, answer, receipt });
  const bytes = receiptFileBytes({ board: location.origin, election: session.election.election, tracker, receipt: answer });
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/json' }));
  show(main, heading('done.heading'), h('p', {}, t('done.intro')),
    h('h2', {}, t('done.tracker')),
    h('p', {}, h('code', { class: 'tracker', id: 'tracker', 'data-index': receipt.leaf.index }, tracker)),
    h('p', {}, h('a', { href: url, download: `receipt-${tracker.slice(0, 8)}.json`, id: 'receipt', class: 'button' }, t('done.receipt'))),
    h('p', {}, t('done.receiptHelp')),
    h('p', { id: 'standing', role: 'status' }, t('done.checking')),
    h('p', {}, t('done.revote')),
    h('div', { class: 'actions' },
      h('button', { type: 'button', id: 'again', onclick: paperScreen }, t('done.again')),
      h('a', { href: '#check', class: 'button' }, t('done.check'))));
  showStanding(receipt);
}

/** After casting: steps 2-5 of the receipt check on the receipt just received (§11.13). */
async function showStanding(receipt) {
  const line = document.getElementById('standing');
  delete document.body.dataset.standing;
  try {
    const found = await standing(receipt);
    if (!line.isConnected) return;
    say(line, standingSentence(found));
    document.body.dataset.standing = found.outcome;
  } catch (error) {
    if (!line.isConnected) return;
    say(line, '');
    say(alert, error.sentence ?? sentence(error));
    document.body.dataset.standing = error.checkCode ?? 'failed';
  }
}

// --- check my receipt (Spec §11.13 steps 1-5) ------------------------------------------------

function checkScreen() {
  session.screen = 'check';
  session.redraw = checkScreen;
  clearAlert();
  const file = h('input', { type: 'file', id: 'receipt-file', accept: '.json,application/json' });
  const result = h('p', { id: 'check-result', role: 'status' });
  const submit = async (event) => {
    event.preventDefault();
    clearAlert();
    say(result, '');
    if (!file.files.length) { say(alert, t('check.nofile')); return; }
    const text = new Uint8Array(await file.files[0].arrayBuffer());
    try {
      const found = await checkReceiptFile(text);
      say(result, `${t('check.ok', { index: found.index })} ${standingSentence(found)}`);
      document.body.dataset.later = found.later?.index ?? '';
      document.body.dataset.check = found.outcome;
    } catch (error) {
      document.body.dataset.later = error.details?.later?.index ?? '';
      document.body.dataset.check = error.checkCode ?? 'failed';
      say(alert, error.sentence ?? sentence(error));
    }
  };
  show(main, heading('check.heading'), h('p', {}, t('check.intro')),
    h('form', { id: 'check-form', onsubmit: submit },
      h('label', { for: 'receipt-file' }, t('check.file')), file,
      h('button', { type: 'submit', class: 'primary', id: 'check' }, t('check.button'))),
    result,
    h('p', {}, h('a', { href: '#', id: 'back' }, t('check.back'))));
}

function explained(error, code, text) {
  error.checkCode = code;
  error.sentence = text;
  return error;
}

/** The sentence for a check that failed at step 2-5 (standing.js CheckFailed codes). */
function checkSentence(error) {
  const { later, audit } = error.details ?? {};
  if (error.checkCode === 'audited') {
    return t('check.audited', { index: later.index, tracker: later.tracker, audit: audit.index });
  }
  if (['revoked', 'omitted', 'unlisted'].includes(error.checkCode)) return t(`check.${error.checkCode}`);
  return t('check.bad');
}

/** The sentence for a ballot that is on the board: it counts, or a later vote replaced it. */
function standingSentence(result) {
  const outcome = result.outcome === 'counts'
    ? t('check.counts')
    : t('check.superseded', { index: result.later.index, tracker: result.later.tracker });
  return `${outcome} ${t('check.at', { size: result.treeSize })}`;
}

/** Spec §11.13 steps 1-5 on a receipt file's bytes: the result of standing.js checkOnBoard. */
async function checkReceiptFile(bytes) {
  const election = session.election;
  let file;
  try {
    file = readReceiptFile(bytes, election.schemes);
  } catch (error) {
    throw explained(error, 'unreadable', t('check.unreadable'));
  }
  if (file.election !== election.election) throw explained(new Error('other'), 'other', t('check.other', { election: file.election }));
  return standing(file.receipt);
}

async function standing(receipt) {
  try {
    return await checkOnBoard(session.api, session.election, receipt);
  } catch (error) {
    if (error instanceof CheckFailed) throw explained(error, error.checkCode, checkSentence(error));
    // Anything else the board answered that does not check (an index answer, a proof, a
    // refusal to prove) contradicts the receipt as well: evidence to keep.
    if (error instanceof VerivoteError || error instanceof Refused) throw explained(error, 'contradicted', t('check.bad'));
    throw error;
  }
}

// --- start -----------------------------------------------------------------------------------

function route() {
  if (location.hash === '#main') return; // the skip link
  clearAlert();
  if (location.hash === '#check') checkScreen();
  else if (session.screen === 'check' || session.key === null) codeScreen();
  else paperScreen();
}

/** The current screen again, in the language now chosen (a message shown is cleared). */
function redraw() {
  clearAlert();
  if (session.redraw) session.redraw();
  else route();
}

async function languageSwitch() {
  const offered = await languages();
  const select = h('select', { id: 'language', onchange: async () => { await use(select.value); chrome(); redraw(); } },
    Object.entries(offered).map(([code, name]) => h('option', { value: code, lang: code, selected: code === lang() }, name)));
  document.getElementById('language-switch').replaceChildren(h('label', { for: 'language' }, t('language')), select);
  return offered;
}

function chrome() {
  document.title = t('title', { election: session.election?.definition.title ?? session.api.election });
  document.getElementById('booth-name').textContent = t('booth');
  document.getElementById('election-title').textContent = session.election?.definition.title ?? '';
  document.getElementById('footer').textContent = t('footer');
  document.getElementById('skip').textContent = t('skip');
  banner.textContent = t('rehearsal');
  banner.hidden = !session.election?.rehearsal;
  const label = document.querySelector('#language-switch label');
  if (label) label.textContent = t('language');
}

async function start() {
  const offered = await languages();
  const chosen = new URLSearchParams(location.search).get('lang');
  await use(chosen && chosen in offered ? chosen : preferred(offered));
  await languageSwitch();
  chrome();
  busy(t('loading'));
  try {
    session.election = await readElection(session.api);
  } catch (error) {
    fail(error);
    document.body.dataset.ready = 'failed';
    return;
  }
  busy('');
  chrome();
  window.addEventListener('hashchange', route);
  route();
  const closes = Date.parse(session.election.timetable.voting_close);
  const opens = Date.parse(session.election.timetable.voting_open);
  try {
    const clock = await session.api.get('/clock');
    if (clock.now >= closes) say(alert, t('error.closed'));
    else if (clock.now < opens) say(alert, t('error.notopen'));
  } catch {
    // the clock is a courtesy: the board's refusal says the same when a ballot is sent
  }
  document.body.dataset.ready = 'true';
  document.body.dataset.readyMs = String(Math.round(performance.now()));
}

start();
