// The ballot paper (Spec §11.3 a member's style, candidates in the published order): a
// fieldset per contest with its rule in plain words; marks by check box, rankings by a number
// per candidate or move-up/move-down buttons (no dragging, WCAG 2.5.7), every mistake told at
// once in the contest's live message. `read()` gives the choices as ballot.js takes them.

import { h, say } from './dom.js';
import { t } from './i18n.js';
import { rankingLimit, totalRange } from '../js/ballot.js';

export function ruleText(contest) {
  if (contest.kind === 'ranked') return t('rule.ranked', { n: rankingLimit(contest.shape) });
  if (contest.kind === 'referendum') return t('rule.referendum');
  if (contest.kind === 'approval') return t('rule.approval');
  const n = totalRange(contest.shape)[1];
  return n === 1 ? t('rule.block1') : t('rule.block', { n });
}

function marksContest(contest, previous) {
  const message = h('p', { class: 'problem', id: `problem-${contest.id}`, role: 'alert' });
  const boxes = contest.options.map((option, k) => h('input', {
    type: 'checkbox', id: `c-${contest.id}-${k}`, name: contest.id, value: String(k),
    checked: previous?.includes(k), 'aria-describedby': `rule-${contest.id} problem-${contest.id}`,
  }));
  const check = () => problemOfMarks(contest, boxes.filter((b) => b.checked).length);
  const fieldset = h('fieldset', { class: 'contest', id: `contest-${contest.id}`, onchange: () => say(message, check()) },
    h('legend', {}, h('span', { class: 'contest-title' }, contest.title)),
    contest.question ? h('p', { class: 'question' }, contest.question) : null,
    h('p', { class: 'rule', id: `rule-${contest.id}` }, ruleText(contest)),
    h('ul', { class: 'options' }, contest.options.map((option, k) => h('li', {},
      h('label', { for: `c-${contest.id}-${k}`, class: 'option' }, boxes[k], h('span', {}, option.name))))),
    message);
  return {
    node: fieldset,
    read: () => boxes.flatMap((b, k) => (b.checked ? [k] : [])),
    problem: () => { const p = check(); say(message, p); return p; },
  };
}

function problemOfMarks(contest, count) {
  const range = totalRange(contest.shape);
  if (range !== null && count > range[1]) {
    return t('marks.toomany', { contest: contest.title, count, n: range[1] });
  }
  return '';
}

function rankedContest(contest, previous) {
  const limit = rankingLimit(contest.shape);
  const message = h('p', { class: 'problem', id: `problem-${contest.id}`, role: 'alert' });
  const inputs = contest.options.map((option, k) => h('input', {
    type: 'text', inputmode: 'numeric', id: `r-${contest.id}-${k}`, class: 'rank', size: 3, maxlength: 3,
    autocomplete: 'off', value: previous && previous.includes(k) ? String(previous.indexOf(k) + 1) : '',
    'aria-describedby': `rule-${contest.id} problem-${contest.id}`,
  }));
  const numbers = () => inputs.map((input) => input.value.trim());
  const check = () => problemOfRanks(contest, numbers(), limit);
  const update = () => say(message, check());
  const ranking = () => {
    const order = [];
    numbers().forEach((value, k) => { if (value !== '') order.push([Number(value), k]); });
    return order.sort((a, b) => a[0] - b[0]).map(([, k]) => k);
  };
  const write = (order) => {
    inputs.forEach((input, k) => { const at = order.indexOf(k); input.value = at < 0 ? '' : String(at + 1); });
    update();
  };
  const move = (k, step) => {
    if (check() !== '') return update();
    const order = ranking();
    const at = order.indexOf(k);
    if (at < 0) {
      if (step < 0 && order.length < limit) order.push(k);
    } else if (step < 0 && at > 0) {
      [order[at - 1], order[at]] = [order[at], order[at - 1]];
    } else if (step > 0) {
      if (at === order.length - 1) order.pop();
      else [order[at + 1], order[at]] = [order[at], order[at + 1]];
    }
    write(order);
    inputs[k].focus();
  };
  const rows = contest.options.map((option, k) => h('li', { class: 'ranked-option' },
    h('label', { for: `r-${contest.id}-${k}`, class: 'rank-label' },
      h('span', { class: 'visually-hidden' }, t('rank.label', { name: option.name })),
      h('span', { 'aria-hidden': 'true' }, option.name)),
    inputs[k],
    h('span', { class: 'moves' },
      h('button', { type: 'button', class: 'move', 'aria-label': t('rank.up', { name: option.name }), onclick: () => move(k, -1) }, '▲'),
      h('button', { type: 'button', class: 'move', 'aria-label': t('rank.down', { name: option.name }), onclick: () => move(k, 1) }, '▼'))));
  const fieldset = h('fieldset', { class: 'contest', id: `contest-${contest.id}`, oninput: update },
    h('legend', {}, h('span', { class: 'contest-title' }, contest.title)),
    h('p', { class: 'rule', id: `rule-${contest.id}` }, ruleText(contest)),
    h('ul', { class: 'options' }, rows),
    message);
  return {
    node: fieldset,
    read: ranking,
    problem: () => { const p = check(); say(message, p); return p; },
  };
}

/** The first problem with the typed numbers of a ranking ('' when it is a ranking). */
export function problemOfRanks(contest, values, limit) {
  const n = contest.options.length;
  const given = [];
  for (const value of values) {
    if (value === '') continue;
    if (!/^[0-9]+$/.test(value) || Number(value) < 1 || Number(value) > n) {
      return t('rank.invalid', { contest: contest.title, value, n });
    }
    given.push(Number(value));
  }
  const seen = new Set();
  for (const number of given) {
    if (seen.has(number)) return t('rank.repeat', { contest: contest.title, number });
    seen.add(number);
  }
  for (let number = 1; number <= given.length; number++) {
    if (!seen.has(number)) return t('rank.skip', { contest: contest.title, number });
  }
  if (given.length > limit) return t('rank.toomany', { contest: contest.title, n: limit });
  return '';
}

/** The paper's contests as form parts: { nodes, read() -> choices, problems() -> [text] }. */
export function paperForm(contests, previous = {}) {
  const parts = contests.map((c) => [c, c.kind === 'ranked' ? rankedContest(c, previous[c.id]) : marksContest(c, previous[c.id])]);
  return {
    nodes: parts.map(([, part]) => part.node),
    read: () => Object.fromEntries(parts.map(([c, part]) => [c.id, part.read()])),
    problems: () => parts.map(([c, part]) => [c.id, part.problem()]).filter(([, p]) => p !== ''),
  };
}

/** One line per contest saying what the choices are, for the review and the audit. */
export function describe(contests, choices) {
  return contests.map((c) => {
    const marks = choices[c.id] ?? [];
    const names = marks.map((k, i) => (c.kind === 'ranked' ? `${i + 1}. ${c.options[k].name}` : c.options[k].name));
    return { contest: c, names: names.length ? names : [t('review.none')] };
  });
}
