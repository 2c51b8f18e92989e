// One rollout: its state and why, its waves with progress, the failed hosts with their reason, every host page by
// page, and Pause / Resume / Cancel where the state allows them. Refreshed every few seconds while it is unfinished
// (or a host is still writing its update), redrawing only what changed.
import { h, replace, icon } from '../dom.js';
import { api, ApiError, SessionExpired } from '../api.js';
import { timeElement, count } from '../format.js';
import {
  ROLLOUT_STATES, WAVE_STATES, HOST_STATES, ACTIONS, stateBadge, reasonText, progressBar, totals, waveSizeText,
  waveText, secondsText, isFinished, createdSeconds,
} from './rollouts.js';

const REFRESH_MS = 3000;
const HOSTS_PAGE = 25;

export async function renderRollout(ctx) {
  const { main, params, query } = ctx;
  const id = params[0];
  let rollout = await api.get(`rollouts/${id}`).catch((error) => {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  });
  if (!rollout) {
    replace(main, h('div', { class: 'panel' }, h('h1', {}, 'Rollout not found'),
      h('p', {}, `There is no rollout ${id} in this project.`), h('a', { href: '#/rollouts' }, 'Back to rollouts')));
    return;
  }
  const state = {
    page: Math.max(0, Number(query.get('page')) || 0),
    hostState: HOST_STATES[query.get('hostState')] ? query.get('hostState') : '',
  };
  const [policy, targetName, sites] = await Promise.all([
    api.get(`os-update-policies/${rollout.osUpdatePolicyId}`).catch(() => null),
    describeTarget(rollout),
    api.get('sites', { pageSize: 100 }).then((r) => new Map(r.sites.map((s) => [s.resourceId, s.name]))).catch(() => new Map()),
  ]);
  if (!ctx.current) return;
  window.scrollTo(0, 0); // arriving from the long create form

  const crumbName = h('span', { 'aria-current': 'page' }, rollout.name);
  const header = h('div', { class: 'host-header rollout-header', id: 'rollout-header' });
  const alert = h('div', { class: 'page-alert', role: 'alert', id: 'rollout-alert', hidden: true });
  const overall = h('div', { id: 'rollout-progress' });
  const wavesBody = h('tbody');
  const failedBlock = h('div', { id: 'rollout-failed' });
  const hostsBody = h('tbody');
  const hostsSummary = h('p', { class: 'table-summary', id: 'rollout-hosts-summary', 'aria-live': 'polite' });
  const previous = h('button', { type: 'button', class: 'secondary', id: 'rollout-hosts-previous' }, 'Previous');
  const next = h('button', { type: 'button', class: 'secondary', id: 'rollout-hosts-next' }, 'Next');
  const live = h('span', { class: 'live-note', id: 'rollout-live' });
  const hostStateSelect = h('select', { id: 'rollout-host-state' }, h('option', { value: '' }, 'Any state'),
    Object.entries(HOST_STATES).map(([value, s]) => h('option', { value, selected: value === state.hostState }, s.label)));

  replace(main,
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/rollouts' }, 'Rollouts'),
      h('span', { 'aria-hidden': 'true' }, ' / '), crumbName),
    header, alert,
    h('section', { class: 'panel rollout-section', 'aria-labelledby': 'waves-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'waves-title' }, 'Progress'), live),
      overall,
      h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'rollout-waves' },
        h('caption', { class: 'visually-hidden' }, 'Waves with their size, state, progress and times'),
        h('thead', {}, h('tr', {}, ['Wave', 'Size', 'State', 'Progress', 'Opened', 'Ended'].map((t) => h('th', { scope: 'col' }, t)))),
        wavesBody))),
    h('section', { class: 'panel rollout-section', 'aria-labelledby': 'failed-title' },
      h('h2', { id: 'failed-title' }, 'Failed hosts'), failedBlock),
    h('section', { class: 'panel rollout-section', 'aria-labelledby': 'hosts-title' },
      h('div', { class: 'section-head' }, h('h2', { id: 'hosts-title' }, 'Hosts'),
        h('div', { class: 'field-inline' }, h('label', { for: 'rollout-host-state' }, 'State'), hostStateSelect)),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'rollout-hosts' },
        h('caption', { class: 'visually-hidden' }, 'Hosts of the rollout in rollout order'),
        h('thead', {}, h('tr', {}, ['Host', 'Site', 'Wave', 'State', 'Reason', 'Started', 'Ended'].map((t) => h('th', { scope: 'col' }, t)))),
        hostsBody)),
      h('div', { class: 'pager' }, hostsSummary, h('div', { class: 'pager-buttons' }, previous, next))));

  const keys = { header: '', waves: '', failed: '', hosts: '' };
  let busy = false;

  function drawHeader() {
    const key = JSON.stringify([rollout.state, rollout.stateReason, rollout.currentWave, rollout.name, busy]);
    if (key === keys.header) return;
    keys.header = key;
    const focusedId = header.contains(document.activeElement) ? document.activeElement.id : '';
    const allowed = (action) => ACTIONS[action].includes(rollout.state);
    const button = (action, label, iconName, tone) => (allowed(action)
      ? h('button', { type: 'button', class: `${tone} rollout-action`, id: `rollout-${action}`, disabled: busy, onclick: () => act(action) },
        icon(iconName), h('span', {}, label))
      : null);
    crumbName.textContent = rollout.name;
    replace(header,
      h('div', { class: 'host-title' },
        h('h1', {}, rollout.name),
        h('span', { id: 'rollout-state' }, stateBadge(rollout.state)),
        h('div', { class: 'row-actions push-right' },
          button('pause', 'Pause', 'pause', 'secondary'),
          button('resume', 'Resume', 'play', 'primary'),
          button('cancel', 'Cancel rollout', 'stop', 'danger'))),
      rollout.stateReason ? h('p', { class: `state-reason-line tone-${ROLLOUT_STATES[rollout.state]?.tone ?? 'none'}`, id: 'rollout-state-reason' },
        icon('info'), h('span', {}, rollout.stateReason)) : null,
      h('dl', { class: 'facts' },
        fact('Resource ID', rollout.resourceId),
        fact('OS update policy', policy ? h('a', { href: '#/policies' }, policy.name) : rollout.osUpdatePolicyId),
        fact('Target', targetName),
        fact('Hosts', count(rollout.totalHosts ?? 0)),
        fact('Current wave', waveText(rollout), 'rollout-current-wave'),
        fact('Success threshold', `${rollout.successThreshold} %`),
        fact('Failure threshold', `${rollout.failureThreshold} %`),
        fact('Soak', secondsText(rollout.soakSeconds)),
        fact('Commit deadline', secondsText(rollout.commitDeadlineSeconds)),
        fact('Earliest start', timeElement(rollout.startSeconds)),
        fact('Windows', rollout.respectMaintenanceWindows
          ? 'The hosts\' own maintenance windows' : `Each wave opens a window of ${secondsText(rollout.windowSeconds)}`),
        fact('Created', timeElement(createdSeconds(rollout)))));
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  function drawWaves() {
    const key = JSON.stringify([rollout.waves, rollout.totalHosts]);
    if (key === keys.waves) return;
    keys.waves = key;
    replace(overall, progressBar(totals(rollout.waves, rollout.totalHosts), { label: 'Progress of the rollout' }));
    replace(wavesBody, rollout.waves.map((w, i) => h('tr', { dataset: { wave: String(i + 1), state: w.state } },
      h('th', { scope: 'row', class: 'nowrap' }, `Wave ${i + 1}`),
      h('td', { class: 'nowrap' }, waveSizeText(w)),
      h('td', {}, stateBadge(w.state, WAVE_STATES)),
      h('td', { class: 'progress-cell' }, progressBar(totals([w]), { compact: true, label: `Progress of wave ${i + 1}` })),
      h('td', {}, timeElement(w.startTime)),
      h('td', {}, timeElement(w.endTime)))));
  }

  function hostLink(host) {
    return h('a', { href: `#/hosts/${host.hostId}/history` }, host.hostName || host.hostId);
  }

  async function loadFailed() {
    const page = await api.get(`rollouts/${id}/hosts`, { state: 'ROLLOUT_HOST_STATE_FAILED', pageSize: 100 });
    if (!ctx.current) return;
    const failed = page.hosts ?? [];
    const key = JSON.stringify(failed);
    if (key === keys.failed) return;
    keys.failed = key;
    const total = page.totalElements ?? failed.length;
    replace(failedBlock, failed.length ? [
      h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'rollout-failed-hosts' },
        h('caption', { class: 'visually-hidden' }, 'Failed hosts with their reason'),
        h('thead', {}, h('tr', {}, ['Host', 'Wave', 'Reason', 'Detail', 'Ended'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, failed.map((host) => h('tr', { dataset: { host: host.hostId } },
          h('th', { scope: 'row', class: 'nowrap' }, hostLink(host), h('div', { class: 'sub' }, host.hostId)),
          h('td', {}, String(host.wave)),
          h('td', {}, reasonText(host.reason)),
          h('td', { class: 'detail' }, host.reasonDetail ? h('pre', { class: 'detail-block' }, host.reasonDetail) : '-'),
          h('td', {}, timeElement(host.endedAt))))))),
      total > failed.length ? h('p', { class: 'hint' }, `Showing ${failed.length} of ${count(total)} failed hosts; the host list below has them all.`) : null,
    ] : h('p', { class: 'empty-note', id: 'rollout-no-failures' }, icon('check'), h('span', {}, 'No host has failed.')));
  }

  let hostsTicket = 0;
  async function loadHosts() {
    const mine = ++hostsTicket;
    const offset = state.page * HOSTS_PAGE;
    const page = await api.get(`rollouts/${id}/hosts`, { pageSize: HOSTS_PAGE, offset, state: state.hostState || undefined });
    if (mine !== hostsTicket || !ctx.current) return;
    const list = page.hosts ?? [];
    const key = JSON.stringify([list, offset]);
    if (key !== keys.hosts) {
      keys.hosts = key;
      replace(hostsBody, list.length ? list.map((host) => h('tr', { dataset: { host: host.hostId, state: host.state } },
        h('th', { scope: 'row', class: 'nowrap' }, hostLink(host)),
        h('td', { class: 'nowrap' }, sites.get(host.siteId) ?? (host.siteId || '-')),
        h('td', {}, String(host.wave)),
        h('td', {}, stateBadge(host.state, HOST_STATES)),
        h('td', {}, host.reason ? reasonText(host.reason) : '-'),
        h('td', {}, timeElement(host.startedAt)),
        h('td', {}, timeElement(host.endedAt))))
        : h('tr', {}, h('td', { colspan: 7, class: 'empty' }, state.hostState ? 'No host in this state.' : 'No host.')));
    }
    const total = page.totalElements ?? list.length;
    hostsSummary.textContent = `Showing ${count(list.length ? offset + 1 : 0)}–${count(offset + list.length)} of ${count(total)} hosts`;
    previous.disabled = state.page === 0;
    next.disabled = !page.hasNext;
  }

  function hostsChanged() {
    ctx.updateQuery({ page: state.page || '', hostState: state.hostState });
    loadHosts().catch(() => {});
  }
  previous.addEventListener('click', () => { state.page = Math.max(0, state.page - 1); hostsChanged(); });
  next.addEventListener('click', () => { state.page += 1; hostsChanged(); });
  hostStateSelect.addEventListener('change', () => { state.hostState = hostStateSelect.value; state.page = 0; hostsChanged(); });

  async function act(action) {
    if (action === 'cancel' && !confirm(`Cancel the rollout "${rollout.name}"? Hosts that have not started will not update; a host already writing its update finishes.`)) return;
    alert.hidden = true;
    busy = true;
    drawHeader();
    try {
      rollout = await api.post(`rollouts/${id}/${action}`, {});
      ctx.toast({ pause: 'Rollout paused.', resume: 'Rollout resumed.', cancel: 'Rollout cancelled.' }[action]);
    } catch (error) {
      if (error instanceof SessionExpired) return;
      alert.hidden = false;
      replace(alert, icon('alert'), h('div', {},
        h('strong', {}, `The rollout was not ${{ pause: 'paused', resume: 'resumed', cancel: 'cancelled' }[action]}.`),
        h('div', { class: 'detail' }, `The server refused${error.code ? ` (${error.code})` : ''}: ${error.message}`)));
      rollout = await api.get(`rollouts/${id}`).catch(() => rollout);
    } finally {
      busy = false;
    }
    if (!ctx.current) return;
    drawHeader();
    drawWaves();
    await Promise.all([loadFailed(), loadHosts()]);
    document.getElementById(`rollout-${{ pause: 'resume', resume: 'pause', cancel: 'state' }[action]}`)?.focus();
  }

  let stopped = false;
  function liveNote() {
    const stillMoving = !isFinished(rollout) || totals(rollout.waves).updating > 0;
    live.textContent = stillMoving ? `Live, updated ${new Date().toLocaleTimeString()}` : `Finished; updated ${new Date().toLocaleTimeString()}`;
    return stillMoving;
  }

  async function refresh() {
    if (stopped || busy) return;
    const fresh = await api.get(`rollouts/${id}`);
    if (!ctx.current || busy) return;
    rollout = fresh;
    drawHeader();
    drawWaves();
    await Promise.all([loadFailed(), loadHosts()]);
    if (!liveNote()) stopped = true; // finished and nothing is still updating: nothing moves any more
  }

  drawHeader();
  drawWaves();
  await Promise.all([loadFailed(), loadHosts()]);
  if (!liveNote()) stopped = true;
  ctx.every(REFRESH_MS, refresh);
}

function fact(label, value, id) {
  return h('div', { class: 'fact', id }, h('dt', {}, label), h('dd', {}, value));
}

async function describeTarget(r) {
  const named = async (path, kind) => {
    const item = await api.get(path).catch(() => null);
    return `${kind} ${item?.name ?? path.split('/').pop()}`;
  };
  if (r.regionId) return named(`regions/${r.regionId}`, 'Region');
  if (r.siteId) return named(`sites/${r.siteId}`, 'Site');
  if (r.hostIds?.length) return `${count(r.hostIds.length)} chosen host${r.hostIds.length === 1 ? '' : 's'}`;
  if (r.filter) return h('code', {}, r.filter);
  return '-';
}
