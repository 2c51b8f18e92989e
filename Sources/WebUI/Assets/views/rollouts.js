// Rollouts: staged OS updates of a set of hosts in waves. The list (state, policy, progress, current wave), and the
// pieces the create form and the detail page share: state badges, progress bars, labels for reasons and sizes.
import { h, replace, icon } from '../dom.js';
import { api } from '../api.js';
import { timeElement, count, formatDuration } from '../format.js';

const PAGE_SIZE = 25;
const REFRESH_MS = 5000;

export const ROLLOUT_STATES = {
  ROLLOUT_STATE_SCHEDULED: { label: 'Scheduled', tone: 'none', icon: 'calendar' },
  ROLLOUT_STATE_RUNNING: { label: 'Running', tone: 'busy', icon: 'progress' },
  ROLLOUT_STATE_PAUSED: { label: 'Paused', tone: 'warn', icon: 'pause' },
  ROLLOUT_STATE_SUCCEEDED: { label: 'Succeeded', tone: 'ok', icon: 'check' },
  ROLLOUT_STATE_FAILED: { label: 'Failed', tone: 'bad', icon: 'error' },
  ROLLOUT_STATE_CANCELLED: { label: 'Cancelled', tone: 'muted', icon: 'stop' },
};

export const WAVE_STATES = {
  WAVE_STATE_PENDING: { label: 'Pending', tone: 'none', icon: 'calendar' },
  WAVE_STATE_RUNNING: { label: 'Running', tone: 'busy', icon: 'progress' },
  WAVE_STATE_SOAKING: { label: 'Soaking', tone: 'busy', icon: 'progress' },
  WAVE_STATE_SUCCEEDED: { label: 'Succeeded', tone: 'ok', icon: 'check' },
  WAVE_STATE_FAILED: { label: 'Failed', tone: 'bad', icon: 'error' },
  WAVE_STATE_CANCELLED: { label: 'Cancelled', tone: 'muted', icon: 'stop' },
};

export const HOST_STATES = {
  ROLLOUT_HOST_STATE_PENDING: { label: 'Pending', tone: 'none', icon: 'calendar' },
  ROLLOUT_HOST_STATE_UPDATING: { label: 'Updating', tone: 'busy', icon: 'progress' },
  ROLLOUT_HOST_STATE_UPDATED: { label: 'Updated', tone: 'ok', icon: 'check' },
  ROLLOUT_HOST_STATE_FAILED: { label: 'Failed', tone: 'bad', icon: 'error' },
  ROLLOUT_HOST_STATE_SKIPPED: { label: 'Skipped', tone: 'muted', icon: 'stop' },
};

/** Why a host is skipped or failed, for a person (the API's reason stays visible as the code). */
export const REASONS = {
  'already-on-target': 'Already on the target OS',
  'no-instance': 'No instance on the host',
  'os-type-not-served': 'The policy cannot serve its OS type',
  'no-target-image': 'No image in its OS profile',
  untrusted: 'Host or instance untrusted',
  'in-another-rollout': 'Owned by another unfinished rollout',
  cancelled: 'Rollout cancelled before it started',
  'rollout-ended': 'Rollout ended before it started',
  'update-failed': 'The update failed',
  deadline: 'Missed the commit deadline',
};

/** The states in which an action applies (the server refuses the others with 409). */
export const ACTIONS = {
  pause: ['ROLLOUT_STATE_SCHEDULED', 'ROLLOUT_STATE_RUNNING'],
  resume: ['ROLLOUT_STATE_PAUSED'],
  cancel: ['ROLLOUT_STATE_SCHEDULED', 'ROLLOUT_STATE_RUNNING', 'ROLLOUT_STATE_PAUSED'],
};

/** Whether a rollout has ended. */
export function isFinished(rollout) {
  return ['ROLLOUT_STATE_SUCCEEDED', 'ROLLOUT_STATE_FAILED', 'ROLLOUT_STATE_CANCELLED'].includes(rollout.state);
}

/** A state badge: icon and text (never colour alone); `data-state` carries the API's value. */
export function stateBadge(state, table = ROLLOUT_STATES) {
  const known = table[state] ?? { label: state || 'Unknown', tone: 'none', icon: 'unknown' };
  return h('span', { class: `badge badge-${known.tone}`, dataset: { state: state || '' } },
    icon(known.icon), h('span', {}, known.label));
}

/** A reason with its person's label and the API's code. */
export function reasonText(reason) {
  if (!reason) return '-';
  return h('span', { class: 'reason', dataset: { reason } },
    h('span', {}, REASONS[reason] ?? reason), h('code', { class: 'reason-code' }, reason));
}

/** "5 hosts" or "20 %" for a wave from the API (hosts/percent, 0 when unused). */
export function waveSizeText(wave) {
  if (wave.percent) return `${wave.percent} %`;
  if (wave.hosts) return `${count(wave.hosts)} host${wave.hosts === 1 ? '' : 's'}`;
  return '-';
}

/** Counts summed over waves: {total, done (updated + skipped), updated, skipped, failed, updating, pending}. */
export function totals(waves, totalHosts) {
  const sum = { updated: 0, skipped: 0, failed: 0, updating: 0, pending: 0, total: 0 };
  for (const w of waves ?? []) {
    for (const key of Object.keys(sum)) sum[key] += Number(w[key] || 0);
  }
  if (totalHosts && totalHosts > sum.total) {
    sum.pending += totalHosts - sum.total;
    sum.total = totalHosts;
  }
  return { ...sum, done: sum.updated + sum.skipped };
}

/**
 * A progress bar of counts: done (updated + skipped) / failed / updating / pending of total, as coloured segments
 * with a text legend under it (the bar is a progressbar whose value is the done count and whose text says it all).
 */
export function progressBar(c, { compact = false, label = 'Progress' } = {}) {
  const total = c.total || 0;
  const share = (n) => (total ? `${(100 * n) / total}%` : '0%');
  // Done is updated + skipped; the two are drawn in two greens so a cancelled rollout does not look updated.
  const parts = [
    ['updated', c.updated, `${count(c.updated)} updated`],
    ['skipped', c.skipped, `${count(c.skipped)} skipped`],
    ['failed', c.failed, `${count(c.failed)} failed`],
    ['updating', c.updating, `${count(c.updating)} updating`],
    ['pending', c.pending, `${count(c.pending)} pending`],
  ];
  const text = `${count(c.done)} done (${parts.slice(0, 2).map((p) => p[2]).join(' + ')}), ${parts.slice(2).map((p) => p[2]).join(', ')} of ${count(total)}`;
  const bar = h('div', {
    class: 'progress', role: 'progressbar', 'aria-label': label, 'aria-valuemin': '0', 'aria-valuemax': String(total),
    'aria-valuenow': String(c.done), 'aria-valuetext': text,
  }, parts.filter((p) => p[1] > 0).map(([kind, n]) => {
    const segment = h('span', { class: `progress-${kind}` });
    segment.style.width = share(n); // through the CSSOM: the CSP forbids style attributes
    return segment;
  }));
  const legend = h('div', { class: 'progress-legend' },
    parts.filter(([kind, n]) => n > 0 || kind === 'updated').map(([kind, , words]) =>
      h('span', { class: `legend legend-${kind}`, dataset: { count: kind } }, h('span', { class: 'swatch', 'aria-hidden': 'true' }), words)),
    h('span', { class: 'legend-total' }, `of ${count(total)}`));
  return h('div', { class: `progress-block${compact ? ' compact' : ''}` }, bar, legend);
}

/** "2 of 3", or "not started" before the first wave opens. */
export function waveText(rollout) {
  const waves = rollout.waves?.length ?? 0;
  return rollout.currentWave ? `${rollout.currentWave} of ${waves}` : `not started (${waves} wave${waves === 1 ? '' : 's'})`;
}

/** Seconds as "2h 00m" (or "none" for 0). */
export function secondsText(seconds) {
  return seconds ? formatDuration(seconds) : 'none';
}

/** The policies of the project by ID (names for the tables). */
export async function policyNames() {
  const { osUpdatePolicies } = await api.get('os-update-policies', { pageSize: 100, orderBy: 'name' });
  return new Map(osUpdatePolicies.map((p) => [p.resourceId, p]));
}

/** When a rollout was created, Unix seconds (0 when unknown). */
export function createdSeconds(rollout) {
  const text = rollout.timestamps?.createdAt;
  const ms = text ? Date.parse(text) : NaN;
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

export async function renderRollouts(ctx) {
  const { main, query } = ctx;
  const state = {
    status: ROLLOUT_STATES[query.get('state')] ? query.get('state') : '',
    page: Math.max(0, Number(query.get('page')) || 0),
  };
  const tbody = h('tbody');
  const summary = h('p', { class: 'table-summary', id: 'rollouts-summary', 'aria-live': 'polite' });
  const previous = h('button', { type: 'button', class: 'secondary', id: 'rollouts-previous' }, 'Previous');
  const next = h('button', { type: 'button', class: 'secondary', id: 'rollouts-next' }, 'Next');
  const updated = h('span', { class: 'live-note' });
  const stateSelect = h('select', { id: 'rollouts-state' },
    h('option', { value: '' }, 'Any state'),
    Object.entries(ROLLOUT_STATES).map(([value, s]) => h('option', { value, selected: value === state.status }, s.label)));

  replace(main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Rollouts'),
        h('p', { class: 'lead' }, 'OS updates of many hosts in waves: a canary first, each wave gated on the one before.')),
      h('div', { class: 'head-actions' }, updated,
        h('a', { class: 'button primary', href: '#/rollouts/new', id: 'new-rollout' }, icon('rollout'), h('span', {}, 'New rollout')))),
    h('section', { class: 'panel', 'aria-labelledby': 'rollouts-table-title' },
      h('h2', { id: 'rollouts-table-title', class: 'visually-hidden' }, 'Rollout list'),
      h('div', { class: 'toolbar' },
        h('div', { class: 'field-inline' }, h('label', { for: 'rollouts-state' }, 'State'), stateSelect)),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'rollouts-table' },
        h('caption', { class: 'visually-hidden' }, 'Rollouts with their state, policy, progress and current wave'),
        h('thead', {}, h('tr', {}, ['Name', 'State', 'OS update policy', 'Progress', 'Wave', 'Created']
          .map((t) => h('th', { scope: 'col' }, t)))),
        tbody)),
      h('div', { class: 'pager' }, summary, h('div', { class: 'pager-buttons' }, previous, next))));

  let lastKey = '';
  let ticket = 0;
  let policies = new Map();
  async function load() {
    const mine = ++ticket;
    const offset = state.page * PAGE_SIZE;
    const page = await api.get('rollouts', {
      pageSize: PAGE_SIZE, offset, orderBy: 'createdAt desc', filter: state.status ? `state=${state.status}` : undefined,
    });
    const rollouts = page.rollouts ?? [];
    // The policies' names are read again only when a rollout names one not seen yet.
    if (rollouts.some((r) => !policies.has(r.osUpdatePolicyId))) policies = await policyNames();
    if (mine !== ticket || !ctx.current) return;
    const key = JSON.stringify([rollouts, [...policies.keys()]]);
    if (key !== lastKey) {
      lastKey = key;
      replace(tbody, rollouts.length ? rollouts.map((r) => rolloutRow(r, policies))
        : h('tr', {}, h('td', { colspan: 6, class: 'empty' }, state.status
          ? 'No rollout in this state.' : 'No rollout yet. Create one to update hosts in waves.')));
    }
    const total = page.totalElements ?? rollouts.length;
    summary.textContent = `Showing ${count(rollouts.length ? offset + 1 : 0)}–${count(offset + rollouts.length)} of ${count(total)} rollouts`;
    previous.disabled = state.page === 0;
    next.disabled = !page.hasNext;
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  function changed() {
    ctx.updateQuery({ state: state.status, page: state.page || '' });
    load().catch(() => {});
  }
  stateSelect.addEventListener('change', () => { state.status = stateSelect.value; state.page = 0; changed(); });
  previous.addEventListener('click', () => { state.page = Math.max(0, state.page - 1); changed(); });
  next.addEventListener('click', () => { state.page += 1; changed(); });

  await load();
  ctx.every(REFRESH_MS, load);
}

function rolloutRow(r, policies) {
  const policy = policies.get(r.osUpdatePolicyId);
  return h('tr', { dataset: { rollout: r.resourceId, state: r.state } },
    h('th', { scope: 'row' }, h('a', { href: `#/rollouts/${r.resourceId}` }, r.name || r.resourceId),
      h('div', { class: 'sub' }, r.resourceId)),
    h('td', { class: 'state-cell' }, stateBadge(r.state),
      r.stateReason ? h('div', { class: 'sub state-reason' }, r.stateReason) : null),
    h('td', {}, policy?.name ?? r.osUpdatePolicyId ?? '-'),
    h('td', { class: 'progress-cell' }, progressBar(totals(r.waves, r.totalHosts), { compact: true, label: `Progress of ${r.name}` })),
    h('td', { class: 'wave-cell' }, waveText(r)),
    h('td', {}, timeElement(createdSeconds(r))));
}
