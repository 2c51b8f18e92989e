// Hosts: the fleet page by page (server-side filter and paging, so it stays quick with 100,000 hosts), each with
// its site, region, OS, update status and the "OS update available" mark; refreshed while on screen.
import { h, replace, icon } from '../dom.js';
import { api, quoted } from '../api.js';
import { statusBadge, updateAvailableIcon, count } from '../format.js';

const SEARCH_RULE = /^[A-Za-z0-9 ._:/-]*$/;
const MAX_OFFSET = 10000; // the API's limit for `offset`
const STATUS_FILTERS = [
  ['', 'Any update status'],
  ['STATUS_INDICATION_IN_PROGRESS', 'Updating'],
  ['STATUS_INDICATION_ERROR', 'Failed'],
  ['STATUS_INDICATION_IDLE', 'Idle'],
];

/** The AIP-160 filter of the page's controls. */
export function hostFilter({ search, available, status }) {
  const parts = [];
  const text = search.trim();
  if (text) {
    const q = quoted(text);
    parts.push(`(name=${q} OR uuid=${q} OR serialNumber=${q} OR site.name=${q} OR site.region.name=${q})`);
  }
  if (available) parts.push('has(instance.osUpdateAvailable)');
  if (status) parts.push(`instance.updateStatusIndicator=${status}`);
  return parts.join(' AND ');
}

export async function renderHosts(ctx) {
  const { main, query } = ctx;
  const state = {
    search: query.get('q') ?? '',
    available: query.get('available') === '1',
    status: query.get('status') ?? '',
    size: [10, 25, 50, 100].includes(Number(query.get('size'))) ? Number(query.get('size')) : 25,
    page: Math.max(0, Number(query.get('page')) || 0),
    desc: query.get('order') === 'desc',
  };

  const searchInput = h('input', { type: 'search', name: 'q', value: state.search, placeholder: 'Name, UUID, serial, site or region',
    'aria-describedby': 'host-search-error', autocomplete: 'off' });
  const searchError = h('p', { class: 'field-error', id: 'host-search-error', hidden: true });
  const availableBox = h('input', { type: 'checkbox', name: 'available', id: 'filter-available', checked: state.available });
  const statusSelect = h('select', { name: 'status', id: 'filter-status' },
    STATUS_FILTERS.map(([value, label]) => h('option', { value, selected: value === state.status }, label)));
  const sizeSelect = h('select', { id: 'page-size' },
    [10, 25, 50, 100].map((n) => h('option', { value: n, selected: n === state.size }, `${n} per page`)));
  const tbody = h('tbody');
  const summary = h('p', { class: 'table-summary', id: 'hosts-summary', 'aria-live': 'polite' });
  const previous = h('button', { type: 'button', class: 'secondary', id: 'page-previous' }, 'Previous');
  const next = h('button', { type: 'button', class: 'secondary', id: 'page-next' }, 'Next');
  const pageHint = h('p', { class: 'hint', hidden: true }, `Pages end at ${count(MAX_OFFSET)} hosts; narrow the search to reach the rest.`);
  const nameSort = h('button', { type: 'button', class: 'sort', 'aria-label': 'Sort by name' }, 'Name', h('span', { class: 'sort-mark', 'aria-hidden': 'true' }));
  const nameHeader = h('th', { scope: 'col', 'aria-sort': state.desc ? 'descending' : 'ascending' }, nameSort);
  const tiles = h('div', { class: 'tiles', role: 'group', 'aria-label': 'Fleet summary' });
  const updated = h('span', { class: 'live-note' });

  const form = h('form', { class: 'toolbar', role: 'search', 'aria-label': 'Filter hosts', novalidate: true },
    h('div', { class: 'search-field' },
      h('label', { for: 'host-search' }, 'Search'),
      h('div', { class: 'search-box' }, icon('search'), Object.assign(searchInput, { id: 'host-search' })),
      searchError),
    h('div', { class: 'field-inline' }, h('label', { for: 'filter-status' }, 'Update status'), statusSelect),
    h('div', { class: 'field-inline checkbox' }, availableBox, h('label', { for: 'filter-available' }, 'Only hosts with an OS update available')),
    h('div', { class: 'field-inline' }, h('label', { for: 'page-size' }, 'Page size'), sizeSelect));

  replace(main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Hosts'), h('p', { class: 'lead' }, 'Edge nodes of this project, their OS and their updates.')),
      h('div', { class: 'head-actions' }, updated,
        h('a', { class: 'button secondary', href: '#/maintenance/new' }, icon('calendar'), h('span', {}, 'Schedule maintenance')))),
    tiles,
    h('section', { class: 'panel', 'aria-labelledby': 'hosts-table-title' },
      h('h2', { id: 'hosts-table-title', class: 'visually-hidden' }, 'Host list'),
      form,
      h('div', { class: 'table-wrap' },
        h('table', { class: 'data', id: 'hosts-table' },
          h('caption', { class: 'visually-hidden' }, 'Hosts with their site, region, operating system and update status'),
          h('thead', {}, h('tr', {}, nameHeader,
            h('th', { scope: 'col' }, 'Site'), h('th', { scope: 'col' }, 'Region'),
            h('th', { scope: 'col' }, 'Operating system'), h('th', { scope: 'col' }, 'Update status'),
            h('th', { scope: 'col' }, 'OS update policy'))),
          tbody)),
      h('div', { class: 'pager' }, summary, h('div', { class: 'pager-buttons' }, previous, next)),
      pageHint));

  let lastRows = '';
  let loading = 0;

  function readControls() {
    state.search = searchInput.value;
    state.available = availableBox.checked;
    state.status = statusSelect.value;
    state.size = Number(sizeSelect.value);
  }

  async function load({ quiet = false } = {}) {
    const text = state.search.trim();
    if (!SEARCH_RULE.test(text)) {
      searchError.hidden = false;
      searchError.textContent = 'Search accepts letters, digits, spaces and . _ : / - only.';
      searchInput.setAttribute('aria-invalid', 'true');
      return;
    }
    searchError.hidden = true;
    searchInput.removeAttribute('aria-invalid');
    const offset = state.page * state.size;
    const ticket = ++loading;
    if (!quiet) tbody.setAttribute('aria-busy', 'true');
    const page = await api.get('compute/hosts', {
      filter: hostFilter(state), orderBy: state.desc ? 'name desc' : 'name', pageSize: state.size, offset,
    });
    if (ticket !== loading || !ctx.current) return;
    tbody.removeAttribute('aria-busy');
    const rowsKey = JSON.stringify(page.hosts.map(rowKey));
    if (rowsKey !== lastRows) {
      lastRows = rowsKey;
      replace(tbody, page.hosts.length ? page.hosts.map(hostRow)
        : h('tr', {}, h('td', { colspan: 6, class: 'empty' }, text || state.available || state.status
          ? 'No host matches these filters.' : 'No hosts yet. Register hosts through the REST API or day2ctl.')));
    }
    const first = page.hosts.length ? offset + 1 : 0;
    summary.textContent = `Showing ${count(first)}–${count(offset + page.hosts.length)} of ${count(page.totalElements)} hosts`;
    previous.disabled = state.page === 0;
    const nextOffset = offset + state.size;
    next.disabled = !page.hasNext || nextOffset > MAX_OFFSET;
    pageHint.hidden = !(page.hasNext && nextOffset > MAX_OFFSET);
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  async function loadTiles() {
    const counts = await Promise.all([
      api.get('compute/hosts', { pageSize: 1 }),
      api.get('compute/hosts', { pageSize: 1, filter: 'has(instance.osUpdateAvailable)' }),
      api.get('compute/hosts', { pageSize: 1, filter: 'instance.updateStatusIndicator=STATUS_INDICATION_IN_PROGRESS' }),
      api.get('compute/hosts', { pageSize: 1, filter: 'instance.updateStatusIndicator=STATUS_INDICATION_ERROR' }),
    ]);
    if (!ctx.current) return;
    const [all, available, updating, failed] = counts.map((c) => c.totalElements);
    const tile = (label, value, tone, apply, id) => h('button', { type: 'button', class: `tile tile-${tone}`, id, onclick: apply },
      h('span', { class: 'tile-value' }, count(value)), h('span', { class: 'tile-label' }, label));
    replace(tiles,
      tile('Hosts', all, 'none', () => applyFilters({ available: false, status: '', search: '' }), 'tile-all'),
      tile('OS update available', available, 'info', () => applyFilters({ available: true, status: '' }), 'tile-available'),
      tile('Updating now', updating, 'busy', () => applyFilters({ available: false, status: 'STATUS_INDICATION_IN_PROGRESS' }), 'tile-updating'),
      tile('Last update failed', failed, 'bad', () => applyFilters({ available: false, status: 'STATUS_INDICATION_ERROR' }), 'tile-failed'));
  }

  function applyFilters(values) {
    if ('available' in values) availableBox.checked = values.available;
    if ('status' in values) statusSelect.value = values.status;
    if ('search' in values) searchInput.value = values.search;
    changed();
  }

  function changed({ keepPage = false } = {}) {
    readControls();
    if (!keepPage) state.page = 0;
    if (SEARCH_RULE.test(state.search.trim())) ctx.updateQuery({ q: state.search.trim(), available: state.available ? '1' : '', status: state.status,
      size: state.size === 25 ? '' : state.size, page: state.page || '', order: state.desc ? 'desc' : '' });
    load().catch(() => {});
  }

  let typing;
  searchInput.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => changed(), 350);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearTimeout(typing);
    changed();
  });
  availableBox.addEventListener('change', () => changed());
  statusSelect.addEventListener('change', () => changed());
  sizeSelect.addEventListener('change', () => changed());
  previous.addEventListener('click', () => { state.page = Math.max(0, state.page - 1); changed({ keepPage: true }); });
  next.addEventListener('click', () => { state.page += 1; changed({ keepPage: true }); });
  nameSort.addEventListener('click', () => {
    state.desc = !state.desc;
    nameHeader.setAttribute('aria-sort', state.desc ? 'descending' : 'ascending');
    changed();
  });

  await Promise.all([load(), loadTiles()]);
  ctx.every(5000, () => load({ quiet: true }));
  ctx.every(15000, loadTiles);
}

function rowKey(host) {
  const i = host.instance;
  return [host.resourceId, host.name, host.site?.name, host.site?.region?.name, i?.os?.name, i?.updateStatus,
    i?.updateStatusIndicator, i?.osUpdateAvailable, i?.updatePolicy?.name];
}

function hostRow(host) {
  const instance = host.instance;
  const available = Boolean(instance?.osUpdateAvailable);
  return h('tr', { dataset: { host: host.resourceId } },
    h('th', { scope: 'row' }, h('a', { href: `#/hosts/${host.resourceId}/updates` }, host.name || host.resourceId),
      h('div', { class: 'sub' }, host.resourceId)),
    h('td', {}, host.site?.name || '-'),
    h('td', {}, host.site?.region?.name || '-'),
    h('td', { class: 'os-cell' }, available ? updateAvailableIcon() : null,
      h('span', {}, instance?.os?.name || (instance ? '-' : 'Not provisioned'))),
    h('td', {}, instance ? statusBadge(instance.updateStatus || 'Unknown', instance.updateStatusIndicator) : '-'),
    h('td', {}, instance?.updatePolicy?.name || '-'));
}
