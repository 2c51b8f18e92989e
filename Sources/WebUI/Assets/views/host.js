// One host: header, and the tabs Updates, Status Details, Update History and Maintenance; refreshed every few
// seconds so a running update moves on screen.
import { h, replace, icon } from '../dom.js';
import { api, quoted, ApiError, SessionExpired } from '../api.js';
import {
  statusBadge, timeElement, formatDuration, runInProgress, upgradablePackages, POLICY_LABELS, SCHEDULE_LABELS, count,
} from '../format.js';
import { describeSchedule, deleteScheduleButton } from './maintenance.js';

const TABS = [
  ['updates', 'Updates'],
  ['status', 'Status Details'],
  ['history', 'Update History'],
  ['maintenance', 'Maintenance'],
];
const HISTORY_PAGE = 10;
const REFRESH_MS = 3000;

export async function renderHost(ctx) {
  const { main, params } = ctx;
  const hostId = params[0];
  let tab = TABS.some(([key]) => key === params[1]) ? params[1] : 'updates';
  let host = await api.get(`compute/hosts/${hostId}`).catch((error) => {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  });
  if (!host) {
    replace(main, h('div', { class: 'panel' }, h('h1', {}, 'Host not found'),
      h('p', {}, `There is no host ${hostId} in this project.`), h('a', { href: '#/hosts' }, 'Back to hosts')));
    return;
  }
  const header = h('div', { class: 'host-header' });
  const tabList = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Host details' });
  const panel = h('section', { class: 'tab-panel panel', role: 'tabpanel', tabindex: '0' });
  const state = { historyPage: 0, policies: null, lastPanelKey: '' };

  const buttons = TABS.map(([key, label]) => {
    const button = h('button', {
      type: 'button', role: 'tab', id: `tab-${key}`, 'aria-controls': 'host-tab-panel',
      'aria-selected': String(key === tab), tabindex: key === tab ? '0' : '-1',
    }, label);
    button.addEventListener('click', () => select(key));
    return button;
  });
  tabList.append(...buttons);
  tabList.addEventListener('keydown', (event) => {
    const index = TABS.findIndex(([key]) => key === tab);
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const nextIndex = (moves[event.key] + TABS.length) % TABS.length;
    select(TABS[nextIndex][0]);
    buttons[nextIndex].focus();
  });
  panel.id = 'host-tab-panel';

  replace(main,
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/hosts' }, 'Hosts'), h('span', { 'aria-hidden': 'true' }, ' / '),
      h('span', { 'aria-current': 'page' }, host.name)),
    header, tabList, panel);

  function select(key) {
    if (key === tab) return;
    tab = key;
    for (const [i, [k]] of TABS.entries()) {
      buttons[i].setAttribute('aria-selected', String(k === tab));
      buttons[i].tabIndex = k === tab ? 0 : -1;
    }
    history.replaceState(null, '', `#/hosts/${hostId}/${tab}`);
    state.lastPanelKey = '';
    replace(panel);
    renderPanel().catch(handle);
  }

  function handle(error) {
    if (error instanceof SessionExpired) return;
    replace(panel, h('p', { class: 'error-text', role: 'alert' }, error.message));
  }

  function renderHeader() {
    const instance = host.instance;
    const available = Boolean(instance?.osUpdateAvailable);
    replace(header,
      h('div', { class: 'host-title' },
        h('h1', {}, host.name),
        instance ? statusBadge(instance.updateStatus || 'Unknown', instance.updateStatusIndicator) : null,
        available ? h('span', { class: 'label label-warn', id: 'update-available-label' }, icon('alert'), h('span', {}, 'OS update available')) : null,
        h('a', { class: 'button secondary push-right', href: `#/maintenance/new?target=${host.resourceId}` },
          icon('calendar'), h('span', {}, 'Schedule maintenance'))),
      h('dl', { class: 'facts' },
        fact('Resource ID', host.resourceId),
        fact('UUID', host.uuid || '-'),
        fact('Site', host.site?.name || '-'),
        fact('Region', host.site?.region?.name || '-'),
        fact('Operating system', instance?.os?.name || '-'),
        fact('OS type', osTypeLabel(instance?.os?.osType)),
        fact('Instance', instance?.resourceId || 'none')));
    tabList.hidden = !instance;
    panel.hidden = !instance;
    if (!instance) {
      header.append(h('p', { class: 'notice' }, icon('info'), h('span', {}, 'This host has no instance yet, so it has no OS updates.')));
    }
  }

  async function renderPanel() {
    if (!host.instance) return;
    panel.setAttribute('aria-labelledby', `tab-${tab}`);
    if (tab === 'updates') await renderUpdates();
    if (tab === 'status') await renderStatus();
    if (tab === 'history') await renderHistory();
    if (tab === 'maintenance') await renderMaintenanceTab();
  }

  /** Replaces the panel only when what it shows changed (so focus and open menus survive a refresh). */
  function show(key, build) {
    if (key === state.lastPanelKey) return;
    state.lastPanelKey = key;
    const focusedId = document.activeElement && panel.contains(document.activeElement) ? document.activeElement.id : '';
    replace(panel, build());
    if (focusedId) document.getElementById(focusedId)?.focus();
  }

  async function renderUpdates() {
    const instance = host.instance;
    if (!state.policies) {
      state.policies = (await api.get('os-update-policies', { pageSize: 100, orderBy: 'name' })).osUpdatePolicies;
    }
    const key = JSON.stringify(['updates', instance.osUpdateAvailable, instance.updatePolicy?.resourceId, instance.os?.resourceId,
      state.policies.map((p) => p.resourceId)]);
    show(key, () => {
      const packages = upgradablePackages(instance.osUpdateAvailable);
      let available;
      if (!instance.osUpdateAvailable) {
        available = h('p', { class: 'ok-text', id: 'no-update' }, icon('check'), h('span', {}, 'No update is available for this host.'));
      } else if (packages) {
        available = h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'packages-table' },
          h('caption', {}, `${count(packages.length)} upgradable package${packages.length === 1 ? '' : 's'}`),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Package Name'), h('th', { scope: 'col' }, 'Available Version'),
            h('th', { scope: 'col' }, 'Architecture'))),
          h('tbody', {}, packages.map((p) => h('tr', {}, h('td', {}, p.name), h('td', {}, p.version), h('td', {}, p.architecture || '-'))))));
      } else {
        available = h('p', { class: 'newer-os', id: 'newer-os' }, icon('alert'), h('span', {}, 'Newest version: '), h('strong', {}, instance.osUpdateAvailable));
      }
      const current = instance.updatePolicy?.resourceId || '';
      const select = h('select', { id: 'policy-select', name: 'policy' },
        h('option', { value: '' }, 'None (no policy)'),
        state.policies.map((p) => h('option', { value: p.resourceId, selected: p.resourceId === current },
          `${p.name} (${POLICY_LABELS[p.updatePolicy] ?? p.updatePolicy})`)));
      const apply = h('button', { type: 'submit', class: 'primary', id: 'policy-apply' }, 'Apply');
      const message = h('p', { class: 'form-message', role: 'status', id: 'policy-message' });
      const form = h('form', { class: 'inline-form', id: 'policy-form' },
        h('label', { for: 'policy-select' }, 'Select OS update policy'), select, apply, message);
      form.addEventListener('submit', async (event) => {
        event.preventDefault();
        apply.disabled = true;
        message.className = 'form-message';
        message.textContent = 'Applying…';
        try {
          if (select.value) {
            await api.patch(`compute/instances/${instance.resourceId}`, { osUpdatePolicyID: select.value });
          } else {
            await api.patch(`compute/instances/${instance.resourceId}`, {}, { fieldMask: 'osUpdatePolicyID' });
          }
          message.textContent = '';
          ctx.toast(select.value ? 'OS update policy applied.' : 'OS update policy removed.');
          await refresh();
        } catch (error) {
          if (error instanceof SessionExpired) return;
          message.className = 'form-message error-text';
          message.setAttribute('role', 'alert');
          message.textContent = `The server refused: ${error.message}`;
        } finally {
          apply.disabled = false;
        }
      });
      const policy = instance.updatePolicy;
      return [
        h('h2', {}, 'Available update'), available,
        h('h2', {}, 'OS update policy'),
        h('dl', { class: 'facts' },
          fact('Assigned OS update policy', policy?.name || '-', 'assigned-policy'),
          policy ? fact('Kind', POLICY_LABELS[policy.updatePolicy] ?? policy.updatePolicy) : null,
          policy?.targetOs ? fact('Target OS', policy.targetOs.name) : null,
          policy?.updateKernelCommand ? fact('Kernel command', policy.updateKernelCommand) : null,
          policy?.updatePackages ? fact('Packages', policy.updatePackages.split('\n').join(', ')) : null),
        form,
        h('p', { class: 'hint' }, 'A policy takes effect in the host\'s next OS update window.'),
        h('h2', {}, 'Installed OS'),
        h('dl', { class: 'facts' },
          fact('Name', instance.os?.name || '-'), fact('Version (image ID)', instance.os?.imageId || '-'),
          fact('Profile', instance.os?.profileName || '-'), fact('Architecture', instance.os?.architecture || '-')),
      ];
    });
  }

  async function renderStatus() {
    const instance = host.instance;
    const latest = await api.get('os-update-runs', {
      filter: `instance.resourceId=${quoted(instance.resourceId)}`, orderBy: 'startTime desc', pageSize: 1,
    });
    const run = latest.osUpdateRuns[0];
    const key = JSON.stringify(['status', instance.updateStatus, instance.updateStatusIndicator, instance.updateStatusTimestamp,
      instance.osUpdateAvailable, host.hostStatus, instance.instanceStatus, instance.provisioningStatus, run?.resourceId, run?.statusDetails]);
    show(key, () => {
      const row = (name, status, indicator, timestamp, detail, id) => h('tr', { id },
        h('th', { scope: 'row' }, name), h('td', {}, statusBadge(status, indicator)), h('td', {}, timeElement(timestamp)),
        h('td', { class: 'detail' }, detail || '-'));
      return [
        h('h2', {}, 'Status details'),
        h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'status-table' },
          h('caption', { class: 'visually-hidden' }, 'Latest status of each part of the host'),
          h('thead', {}, h('tr', {}, ['Status', 'Indicator and message', 'Since', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {},
            row('Update', instance.updateStatus, instance.updateStatusIndicator, instance.updateStatusTimestamp,
              run ? detailBlock(run.statusDetails) : '', 'status-update'),
            row('Host', host.hostStatus, host.hostStatusIndicator, host.hostStatusTimestamp, '', 'status-host'),
            row('Software (OS)', instance.instanceStatus, instance.instanceStatusIndicator, instance.instanceStatusTimestamp,
              instance.instanceStatusDetail, 'status-instance'),
            row('Provisioning', instance.provisioningStatus, instance.provisioningStatusIndicator, instance.provisioningStatusTimestamp, '', 'status-provisioning')))),
        h('dl', { class: 'facts' },
          fact('OS update available', instance.osUpdateAvailable ? 'Yes' : 'No', 'status-available')),
      ];
    });
  }

  async function renderHistory() {
    const instance = host.instance;
    const offset = state.historyPage * HISTORY_PAGE;
    const page = await api.get('os-update-runs', {
      filter: `instance.resourceId=${quoted(instance.resourceId)}`, orderBy: 'startTime desc', pageSize: HISTORY_PAGE, offset,
    });
    const now = Math.floor(Date.now() / 1000);
    const key = JSON.stringify(['history', offset, page.totalElements, page.osUpdateRuns.map((r) => [r.resourceId, r.status, r.statusIndicator, r.endTime,
      runInProgress(r) ? Math.floor((now - r.startTime) / 60) : 0])]);
    show(key, () => {
      if (!page.osUpdateRuns.length && offset === 0) {
        return [h('h2', {}, 'Update history'), h('div', { class: 'empty-state', id: 'history-empty' },
          h('p', { class: 'empty-title' }, 'No OS update history'), h('p', {}, 'This host has no OS update runs recorded.'))];
      }
      const previous = h('button', { type: 'button', class: 'secondary', disabled: state.historyPage === 0 }, 'Newer');
      const next = h('button', { type: 'button', class: 'secondary', disabled: !page.hasNext }, 'Older');
      previous.addEventListener('click', () => { state.historyPage -= 1; state.lastPanelKey = ''; renderHistory().catch(handle); });
      next.addEventListener('click', () => { state.historyPage += 1; state.lastPanelKey = ''; renderHistory().catch(handle); });
      return [
        h('h2', {}, 'Update history'),
        h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'history-table' },
          h('caption', { class: 'visually-hidden' }, 'OS update runs of this host, newest first'),
          h('thead', {}, h('tr', {}, ['Status', 'Start time', 'End time', 'Duration', 'Applied policy', 'Details']
            .map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, page.osUpdateRuns.map((run) => {
            const open = runInProgress(run);
            return h('tr', { dataset: { run: run.resourceId, open: String(open) } },
              h('td', {}, statusBadge(run.status, run.statusIndicator)),
              h('td', {}, timeElement(run.startTime)),
              h('td', {}, open ? h('span', { class: 'in-progress' }, 'In progress') : timeElement(run.endTime)),
              h('td', {}, formatDuration((open ? now : run.endTime) - run.startTime)),
              h('td', {}, run.appliedPolicy?.name || 'N/A'),
              h('td', { class: 'detail' }, run.statusDetails ? h('details', {}, h('summary', {}, 'Show'), detailBlock(run.statusDetails)) : '-'));
          })))),
        h('div', { class: 'pager' }, h('p', { class: 'table-summary' },
          `Runs ${count(offset + 1)}–${count(offset + page.osUpdateRuns.length)} of ${count(page.totalElements)}`),
        h('div', { class: 'pager-buttons' }, previous, next)),
      ];
    });
  }

  async function renderMaintenanceTab() {
    const list = await api.get('compute/schedules', { hostId: host.resourceId });
    const active = await api.get('compute/schedules', { hostId: host.resourceId, unixEpoch: Math.floor(Date.now() / 1000) });
    const activeIds = new Set([...active.singleSchedules, ...active.repeatedSchedules].map((s) => s.resourceId));
    const schedules = [...list.singleSchedules, ...list.repeatedSchedules];
    const key = JSON.stringify(['maintenance', schedules.map((s) => [s.resourceId, s.name]), [...activeIds]]);
    show(key, () => [
      h('div', { class: 'section-head' }, h('h2', {}, 'Maintenance windows'),
        h('a', { class: 'button secondary', href: `#/maintenance/new?target=${host.resourceId}` }, icon('calendar'), h('span', {}, 'Schedule maintenance'))),
      schedules.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'host-schedules' },
        h('caption', { class: 'visually-hidden' }, 'Windows that apply to this host, its site and its regions'),
        h('thead', {}, h('tr', {}, ['Name', 'Type', 'When (UTC)', 'Applies through', 'Now', 'Action'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, schedules.map((s) => h('tr', { dataset: { schedule: s.resourceId } },
          h('td', {}, s.name || s.resourceId), h('td', {}, SCHEDULE_LABELS[s.scheduleStatus] ?? s.scheduleStatus),
          h('td', {}, describeSchedule(s)),
          h('td', {}, s.targetHost ? 'This host' : s.targetSite ? `Site ${s.targetSite.name}` : s.targetRegion ? `Region ${s.targetRegion.name}` : '-'),
          h('td', {}, activeIds.has(s.resourceId) ? h('span', { class: 'label label-busy' }, 'Open now') : '-'),
          h('td', {}, deleteScheduleButton(s, async () => { state.lastPanelKey = ''; await renderMaintenanceTab(); }, ctx.toast)))))))
        : h('div', { class: 'empty-state' }, h('p', { class: 'empty-title' }, 'No maintenance window'),
        h('p', {}, 'No window applies to this host, its site or its regions.')),
    ]);
  }

  async function refresh() {
    host = await api.get(`compute/hosts/${hostId}`);
    if (!ctx.current) return;
    renderHeader();
    await renderPanel();
  }

  renderHeader();
  await renderPanel();
  ctx.every(REFRESH_MS, refresh);
}

function fact(term, value, id) {
  return h('div', { class: 'fact', id }, h('dt', {}, term), h('dd', {}, value));
}

function osTypeLabel(type) {
  return { OS_TYPE_IMMUTABLE: 'Immutable (A/B image)', OS_TYPE_MUTABLE: 'Mutable (packages)' }[type] ?? '-';
}

/** A status detail: pretty JSON when it is JSON, else the text. */
function detailBlock(text) {
  if (!text) return '';
  try {
    return h('pre', { class: 'detail-block' }, JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    return h('pre', { class: 'detail-block' }, text);
  }
}
