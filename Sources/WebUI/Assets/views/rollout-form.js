// Creating a rollout: policy, target set (region, site, hosts by name or ID, or a host filter), waves, gates and
// timing. "Preview" asks the server what the rollout would do (POST rollouts/preview writes nothing): waves, skipped
// hosts by reason and each host's wave, OS offer and earliest start. "Create rollout" is enabled only once the
// current values have been previewed. The server's preview is also the range check: its refusal is shown under
// the field it names (a wave's row too).
import { h, replace, icon, uid } from '../dom.js';
import { api, quoted, ApiError, SessionExpired } from '../api.js';
import { field, choiceGroup, showProblems, showServerError, clearErrors, setFieldError, showFormError } from '../forms.js';
import { restoreDraft, clearDraft } from '../drafts.js';
import { count, POLICY_LABELS } from '../format.js';
import { timeZones, browserZone, zonedInstant, formatIn } from '../zones.js';
import { reasonText } from './rollouts.js';

const NAME_RULE = /^[a-zA-Z0-9._:/ -]+$/;
const HOST_ID = /^host-[0-9a-f]{8}$/;
const HOST_NAME = /^[A-Za-z0-9._:/ -]+$/;
const PREVIEW_PAGE = 50;
const DRAFT = 'rollout-new';
const TARGETS = [
  ['site', 'Site'],
  ['region', 'Region (with its sub-regions)'],
  ['hosts', 'Hosts'],
  ['filter', 'Host filter'],
];
// Server field names → the form's fields.
const ALIASES = {
  osUpdatePolicyId: 'policy', regionId: 'region', siteId: 'site', hostIds: 'hosts', filter: 'filter', target: 'targetKind',
  soakSeconds: 'soakMinutes', commitDeadlineSeconds: 'commitDeadlineMinutes', windowSeconds: 'windowMinutes',
  startSeconds: 'start', successThreshold: 'successThreshold', failureThreshold: 'failureThreshold', waves: 'waves',
  respectMaintenanceWindows: 'respectWindows', name: 'name',
};

/** Whether a preview host is skipped (it gets no update, so it has no start time either). */
function skippedHost(host) {
  return host.state === 'ROLLOUT_HOST_STATE_SKIPPED';
}

/** "2026-12-08 07:00 UTC" from Unix seconds (or "never" for 0). */
function utcText(seconds) {
  return seconds ? `${formatIn(seconds * 1000, 'UTC')} UTC` : 'never';
}

/** The same instant in `zone` ("2026-12-08 08:00 Europe/Berlin"), falling back to the server's text. */
function zonedText(seconds, zone, fallback) {
  if (!seconds) return 'never';
  try {
    return `${formatIn(seconds * 1000, zone || 'UTC')} ${zone || 'UTC'}`;
  } catch {
    return fallback || utcText(seconds);
  }
}

export async function renderRolloutForm(ctx) {
  const { main } = ctx;
  const zone = browserZone();

  const name = h('input', { name: 'name', maxlength: 50, autocomplete: 'off' });
  const policy = h('select', { name: 'policy' }, h('option', { value: '' }, 'Choose a policy'));
  const region = h('select', { name: 'region' });
  const site = h('select', { name: 'site' });
  const hosts = h('textarea', { name: 'hosts', rows: 3, placeholder: 'edge-berlin-00, edge-berlin-02\nhost-1a2b3c4d' });
  const filter = h('input', { name: 'filter', autocomplete: 'off', placeholder: 'metadata=\'{"key":"ring","value":"canary"}\'' });
  const successThreshold = h('input', { type: 'number', name: 'successThreshold', value: '', placeholder: '100 − failure threshold', min: 1, max: 100, inputmode: 'numeric' });
  const failureThreshold = h('input', { type: 'number', name: 'failureThreshold', value: '0', min: 0, max: 100, inputmode: 'numeric' });
  const soakMinutes = h('input', { type: 'number', name: 'soakMinutes', value: '0', min: 0, inputmode: 'numeric' });
  const commitDeadlineMinutes = h('input', { type: 'number', name: 'commitDeadlineMinutes', value: '120', min: 1, inputmode: 'numeric' });
  const start = h('input', { type: 'datetime-local', name: 'start' });
  const zoneSelect = h('select', { name: 'timeZone' }, timeZones().map((z) => h('option', { value: z, selected: z === zone }, z)));
  const respectWindows = h('input', { type: 'checkbox', name: 'respectWindows', value: 'yes', id: 'respect-windows', checked: true });
  const windowMinutes = h('input', { type: 'number', name: 'windowMinutes', value: '60', min: 1, max: 1440, inputmode: 'numeric' });
  const waveList = h('ol', { class: 'wave-list', id: 'wave-list' });
  const addWave = h('button', { type: 'button', class: 'secondary small', id: 'add-wave' }, '+ Add wave');
  const wavesError = h('p', { class: 'field-error', id: 'waves-error', hidden: true });
  const previewButton = h('button', { type: 'button', class: 'secondary', id: 'rollout-preview-button' }, 'Preview');
  const submit = h('button', { type: 'submit', class: 'primary', id: 'rollout-create', disabled: true, 'aria-describedby': 'create-hint' }, 'Create rollout');
  const createHint = h('p', { class: 'hint', id: 'create-hint', 'aria-live': 'polite' }, 'Preview the rollout to create it.');
  const preview = h('section', { class: 'group rollout-preview', id: 'rollout-preview', 'aria-labelledby': 'rollout-preview-title', hidden: true });

  const targetGroup = choiceGroup('Target', 'targetKind', 'radio', TARGETS.map(([k, label], i) => [k, label, i === 0]), { required: true });

  const form = h('form', { class: 'panel form rollout-form', id: 'rollout-form', novalidate: true, dataset: { draft: DRAFT }, 'aria-labelledby': 'rollout-title' },
    h('h1', { id: 'rollout-title' }, 'New rollout'),
    h('fieldset', { class: 'group' }, h('legend', {}, 'What'),
      h('div', { class: 'grid-2' },
        field('Name', name, { required: true, hint: 'Letters, digits, spaces and . _ : / -; at most 50 characters.' }),
        field('OS update policy', policy, { required: true, hint: 'What every host of the rollout gets.' }))),
    h('fieldset', { class: 'group' }, h('legend', {}, 'Which hosts'),
      targetGroup,
      h('div', { class: 'target-site' }, field('Site', site, { required: true })),
      h('div', { class: 'target-region' }, field('Region', region, { required: true })),
      h('div', { class: 'target-hosts' }, field('Host names or IDs', hosts, { required: true, hint: 'Separated by commas or lines; names are looked up when you preview.' })),
      h('div', { class: 'target-filter' }, field('Host filter', filter, { required: true, hint: 'The filter of the host list, e.g. site.name="berlin-plant" AND has(instance).' })),
      h('p', { class: 'hint' }, 'The set is fixed when the rollout is created: hosts added later are not swept in.')),
    h('fieldset', { class: 'group', dataset: { field: 'waves' }, 'aria-describedby': 'waves-error' }, h('legend', {}, 'Waves'),
      h('p', { class: 'hint', id: 'waves-hint' }, 'In order; each wave opens when the one before reached the success threshold. The last wave takes whatever is left (100 % there means "the rest").'),
      waveList, wavesError, h('div', { class: 'wave-actions' }, addWave)),
    h('fieldset', { class: 'group' }, h('legend', {}, 'Gates'),
      h('div', { class: 'grid-2' },
        field('Success threshold (%)', successThreshold, { hint: 'Share of a wave updated (or skipped) before the next opens; empty: 100 − the failure threshold.' }),
        field('Failure threshold (%)', failureThreshold, { hint: 'Share of a wave failed above which the rollout pauses; 0: the first failure pauses.' }),
        field('Soak (minutes)', soakMinutes, { hint: 'Wait after a wave succeeds before the next opens.' }),
        field('Commit deadline (minutes)', commitDeadlineMinutes, { hint: 'A host that started but has not reported success by then counts as failed.' }))),
    h('fieldset', { class: 'group' }, h('legend', {}, 'When'),
      h('div', { class: 'grid-2' },
        field('Earliest start', start, { hint: 'Empty: now.' }),
        field('Time zone of the start', zoneSelect)),
      h('div', { class: 'field checkbox', dataset: { field: 'respectWindows' } }, respectWindows,
        h('label', { for: 'respect-windows' }, 'Respect maintenance windows (hosts update only inside their own, their site\'s or their regions\' windows)'),
        h('p', { class: 'field-error', hidden: true })),
      h('div', { class: 'window-length' },
        field('Window length (minutes)', windowMinutes, { hint: 'Without maintenance windows, each wave opens a window this long when it opens (1 to 1440).' }))),
    preview,
    h('div', { class: 'actions rollout-actions' }, previewButton, submit, h('a', { class: 'button ghost', href: '#/rollouts' }, 'Cancel'),
      createHint));

  replace(main,
    h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/rollouts' }, 'Rollouts'),
      h('span', { 'aria-hidden': 'true' }, ' / '), h('span', { 'aria-current': 'page' }, 'New')),
    form);

  // Waves editor ---------------------------------------------------------------------------------------------

  function waveRow(index, size = '', unit = 'percent') {
    const id = uid('wave');
    const errorId = `${id}-error`;
    const sizeInput = h('input', { type: 'number', name: `wave-${index}-size`, id, value: size, min: 1, inputmode: 'numeric', class: 'wave-size', 'aria-describedby': `${errorId} waves-hint` });
    const unitSelect = h('select', { name: `wave-${index}-unit`, class: 'wave-unit', 'aria-label': `Wave ${index + 1} unit`, 'aria-describedby': errorId },
      h('option', { value: 'hosts', selected: unit === 'hosts' }, 'hosts'),
      h('option', { value: 'percent', selected: unit === 'percent' }, '% of the set'));
    const remove = h('button', { type: 'button', class: 'ghost small wave-remove', 'aria-label': `Remove wave ${index + 1}` }, 'Remove');
    remove.addEventListener('click', () => {
      const values = waveValues();
      values.splice(index, 1);
      setWaves(values);
      formChanged();
      waveList.querySelector('.wave-size')?.focus();
    });
    return h('li', { class: 'wave-row', dataset: { field: `waves[${index}]`, wave: String(index + 1) } },
      h('label', { for: id, class: 'wave-label' }, `Wave ${index + 1}`), sizeInput, unitSelect, remove,
      h('p', { class: 'field-error', id: errorId, hidden: true }));
  }

  function waveValues() {
    return [...waveList.querySelectorAll('.wave-row')].map((row) => ({
      size: row.querySelector('.wave-size').value, unit: row.querySelector('.wave-unit').value,
    }));
  }

  function setWaves(values) {
    replace(waveList, values.map((v, i) => waveRow(i, v.size, v.unit)));
    const only = values.length === 1;
    waveList.querySelectorAll('.wave-remove').forEach((b) => { b.disabled = only; });
    addWave.disabled = values.length >= 100;
  }

  addWave.addEventListener('click', () => {
    const values = waveValues();
    // A new wave goes before a last "100 %" (the rest), which stays last.
    const last = values[values.length - 1];
    if (last && last.unit === 'percent' && last.size === '100') values.splice(values.length - 1, 0, { size: '', unit: 'hosts' });
    else values.push({ size: '', unit: 'percent' });
    setWaves(values);
    formChanged();
    const rows = waveList.querySelectorAll('.wave-size');
    [...rows].find((r) => !r.value)?.focus();
  });

  // Loading choices ------------------------------------------------------------------------------------------

  const [policies, regions, sites] = await Promise.all([
    api.get('os-update-policies', { pageSize: 100, orderBy: 'name' }).then((r) => r.osUpdatePolicies),
    api.get('regions', { pageSize: 100, orderBy: 'name' }).then((r) => r.regions),
    api.get('sites', { pageSize: 100, orderBy: 'name' }).then((r) => r.sites),
  ]);
  if (!ctx.current) return;
  policy.append(...policies.map((p) => h('option', { value: p.resourceId },
    `${p.name} (${POLICY_LABELS[p.updatePolicy] ?? p.updatePolicy}${p.targetOs?.name ? `: ${p.targetOs.name}` : ''})`)));
  replace(region, h('option', { value: '' }, regions.length ? 'Choose a region' : 'No region yet'),
    regions.map((r) => h('option', { value: r.resourceId }, `${r.name} — ${r.resourceId}`)));
  replace(site, h('option', { value: '' }, sites.length ? 'Choose a site' : 'No site yet'),
    sites.map((s) => h('option', { value: s.resourceId }, `${s.name}${s.region?.name ? ` (${s.region.name})` : ''} — ${s.resourceId}`)));
  const siteNames = new Map(sites.map((s) => [s.resourceId, s.name]));

  const selected = (groupName) => form.querySelector(`input[name="${groupName}"]:checked`)?.value;
  function layout() {
    const kind = selected('targetKind') ?? 'site';
    for (const [k] of TARGETS) form.querySelector(`.target-${k}`).hidden = k !== kind;
    form.querySelector('.window-length').hidden = respectWindows.checked;
  }

  // Reading the form -----------------------------------------------------------------------------------------

  /** Every value of the form, as one text: what a preview was made of. */
  function formKey() {
    const values = [...form.elements].filter((e) => e.name).map((e) =>
      [e.name, e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value]);
    return JSON.stringify(values);
  }

  const resolvedNames = new Map(); // host name → ID, from earlier look-ups

  /** Host IDs for the names and IDs typed; {problem} when one is unknown or ambiguous. */
  async function resolveHosts(text) {
    const items = [...new Set(text.split(/[\n,]/).map((s) => s.trim()).filter(Boolean))];
    if (!items.length) return { problem: 'Enter at least one host name or ID.' };
    const bad = items.find((i) => !HOST_ID.test(i) && !HOST_NAME.test(i));
    if (bad) return { problem: `"${bad}" is neither a host ID nor a host name (letters, digits, spaces and . _ : / - only).` };
    const names = items.filter((i) => !HOST_ID.test(i) && !resolvedNames.has(i));
    for (let i = 0; i < names.length; i += 20) {
      const chunk = names.slice(i, i + 20);
      const page = await api.get('compute/hosts', { filter: chunk.map((n) => `name=${quoted(n)}`).join(' OR '), pageSize: 100 });
      for (const n of chunk) {
        const exact = page.hosts.filter((host) => host.name === n); // the filter matches substrings
        if (exact.length > 1) return { problem: `${exact.length} hosts are named "${n}"; give the ID of the one you mean.` };
        if (exact.length === 1) resolvedNames.set(n, exact[0].resourceId);
      }
    }
    const unknown = items.find((i) => !HOST_ID.test(i) && !resolvedNames.has(i));
    if (unknown) return { problem: `No host is named "${unknown}".` };
    return { ids: [...new Set(items.map((i) => (HOST_ID.test(i) ? i : resolvedNames.get(i))))] };
  }

  /** A whole number from an input, or null. */
  function whole(input) {
    const text = input.value.trim();
    return /^-?\d+$/.test(text) ? Number(text) : null;
  }

  /** The request body of the form, or {problems}. Ranges are left to the server (the preview checks them). */
  async function buildBody() {
    const problems = {};
    const body = {};
    const nameText = name.value.trim();
    if (!nameText) problems.name = 'Enter a name.';
    else if (!NAME_RULE.test(nameText)) problems.name = 'Use letters, digits, spaces and . _ : / - only.';
    body.name = nameText;
    if (!policy.value) problems.policy = 'Choose an OS update policy.';
    body.osUpdatePolicyId = policy.value;
    const kind = selected('targetKind');
    if (kind === 'site') {
      if (!site.value) problems.site = 'Choose a site.';
      body.siteId = site.value;
    } else if (kind === 'region') {
      if (!region.value) problems.region = 'Choose a region.';
      body.regionId = region.value;
    } else if (kind === 'filter') {
      if (!filter.value.trim()) problems.filter = 'Enter a host filter.';
      body.filter = filter.value.trim();
    } else {
      const resolved = await resolveHosts(hosts.value);
      if (resolved.problem) problems.hosts = resolved.problem;
      body.hostIds = resolved.ids ?? [];
    }
    body.waves = waveValues().map((v, i) => {
      const n = /^-?\d+$/.test(v.size.trim()) ? Number(v.size.trim()) : null;
      if (n === null) problems[`waves[${i}]`] = 'Enter a whole number.';
      return v.unit === 'hosts' ? { hosts: n } : { percent: n };
    });
    const numbers = [
      ['successThreshold', successThreshold, 1, 'successThreshold'],
      ['failureThreshold', failureThreshold, 1, 'failureThreshold'],
      ['soakMinutes', soakMinutes, 60, 'soakSeconds'],
      ['commitDeadlineMinutes', commitDeadlineMinutes, 60, 'commitDeadlineSeconds'],
    ];
    if (!respectWindows.checked) numbers.push(['windowMinutes', windowMinutes, 60, 'windowSeconds']);
    for (const [fieldName, input, factor, key] of numbers) {
      // Left empty, the server derives the success threshold from the failure threshold.
      if (fieldName === 'successThreshold' && input.value.trim() === '') continue;
      const n = whole(input);
      if (n === null) problems[fieldName] = 'Enter a whole number.';
      else body[key] = n * factor;
    }
    body.respectMaintenanceWindows = respectWindows.checked;
    if (start.value) {
      const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(start.value);
      const instant = m && zonedInstant({ year: +m[1], month: +m[2], day: +m[3], hour: +m[4], minute: +m[5] }, zoneSelect.value);
      if (!instant || instant.kind === 'gap') problems.start = `${start.value.replace('T', ' ')} does not exist in ${zoneSelect.value} (the clocks move forward then).`;
      else body.startSeconds = Math.floor(instant.epochMs / 1000);
    }
    return { body, problems };
  }

  /** Shows a refusal under its field (a wave's row too) and at the top of the form. */
  function showRefusal(error) {
    showServerError(form, error, ALIASES);
    // Also next to the buttons, where the user is looking.
    if (error instanceof ApiError) {
      createHint.textContent = `The server refused this (${error.code || `HTTP ${error.status}`}): ${error.message}`;
      createHint.classList.add('error-text');
    }
    const wave = /^waves\[(\d+)\]/.exec(error instanceof ApiError ? error.field : '');
    if (wave) setFieldError(form, `waves[${wave[1]}]`, error.rule);
    form.querySelector('[aria-invalid="true"]')?.scrollIntoView({ block: 'center' });
  }

  // Preview --------------------------------------------------------------------------------------------------

  let previewed = null; // {key, body, answer}: the last preview and the form values it was made of

  function formChanged() {
    const fresh = previewed && previewed.key === formKey();
    createHint.classList.remove('error-text');
    submit.disabled = !fresh;
    createHint.textContent = !previewed ? 'Preview the rollout to create it.'
      : fresh ? 'The preview shows what this rollout will do.' : 'The form changed since the preview: preview again to create it.';
    preview.classList.toggle('stale', Boolean(previewed) && !fresh);
  }

  async function runPreview({ offset = 0 } = {}) {
    clearErrors(form);
    const key = formKey();
    const { body, problems } = await buildBody();
    if (showProblems(form, problems)) return;
    previewButton.disabled = true;
    try {
      const answer = await api.post('rollouts/preview', body, { pageSize: PREVIEW_PAGE, offset });
      if (!ctx.current) return;
      previewed = { key, body, answer };
      renderPreview(answer, offset);
      formChanged();
      if (offset === 0) preview.scrollIntoView({ block: 'start' });
    } catch (error) {
      if (error instanceof SessionExpired) return;
      showRefusal(error);
    } finally {
      previewButton.disabled = false;
    }
  }

  function renderPreview(p, offset) {
    preview.hidden = false;
    const skipped = (p.skippedByReason ?? []).reduce((n, s) => n + s.hosts, 0);
    const hostsShown = p.hosts ?? [];
    const pager = h('div', { class: 'pager' },
      h('p', { class: 'table-summary', id: 'preview-hosts-summary' },
        `Hosts ${count(hostsShown.length ? offset + 1 : 0)}–${count(offset + hostsShown.length)} of ${count(p.totalElements ?? hostsShown.length)}`),
      h('div', { class: 'pager-buttons' },
        h('button', { type: 'button', class: 'secondary', id: 'preview-previous', disabled: offset === 0,
          onclick: () => previewPage(Math.max(0, offset - PREVIEW_PAGE)) }, 'Previous'),
        h('button', { type: 'button', class: 'secondary', id: 'preview-next', disabled: !p.hasNext,
          onclick: () => previewPage(offset + PREVIEW_PAGE) }, 'Next')));
    replace(preview,
      h('div', { class: 'section-head' }, h('h2', { id: 'rollout-preview-title' }, 'Preview'),
        h('span', { class: 'stale-note label label-warn' }, icon('alert'), h('span', {}, 'Out of date: the form changed'))),
      h('p', { class: 'preview-summary', id: 'preview-summary' },
        `${count(p.totalHosts)} host${p.totalHosts === 1 ? '' : 's'} in ${p.waves.length} wave${p.waves.length === 1 ? '' : 's'}`,
        skipped ? `, ${count(skipped)} skipped` : '', '. ',
        p.earliestFinish
          ? ['Earliest finish, if every wave succeeds as soon as it can: ', h('strong', {}, utcText(p.earliestFinish)), '.']
          : h('strong', { class: 'error-text' }, 'A wave can never reach its success threshold: too few of its hosts ever get a window.')),
      h('div', { class: 'preview-grid' },
        h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'preview-waves' },
          h('caption', {}, 'Waves'),
          h('thead', {}, h('tr', {}, ['Wave', 'Hosts', 'Skipped', 'Earliest start (UTC)', 'Earliest finish (UTC)'].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, p.waves.map((w) => h('tr', { dataset: { wave: String(w.wave) } },
            h('th', { scope: 'row', class: 'nowrap' }, `Wave ${w.wave}`), h('td', {}, count(w.hosts)), h('td', {}, count(w.skipped)),
            h('td', {}, utcText(w.earliestStart)), h('td', {}, utcText(w.earliestFinish))))))),
        h('div', { class: 'skipped-block' }, h('h3', {}, 'Skipped hosts'),
          (p.skippedByReason ?? []).length
            ? h('ul', { class: 'skipped-list', id: 'preview-skipped' }, p.skippedByReason.map((s) => h('li', { dataset: { reason: s.reason } },
              reasonText(s.reason), h('span', { class: 'skip-count' }, `${count(s.hosts)} host${s.hosts === 1 ? '' : 's'}`))))
            : h('p', { class: 'hint', id: 'preview-skipped' }, 'No host is skipped.'))),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'preview-hosts' },
        h('caption', {}, 'Hosts in rollout order'),
        h('thead', {}, h('tr', {}, ['Host', 'Site', 'Wave', 'OS offer', 'Earliest start (UTC)', 'Earliest start (window\'s zone)', 'Skip reason']
          .map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, hostsShown.length ? hostsShown.map((host) => h('tr', {
          dataset: { host: host.hostId, state: host.state }, class: skippedHost(host) ? 'muted' : '',
        },
          h('th', { scope: 'row', class: 'nowrap' }, h('a', { href: `#/hosts/${host.hostId}/updates` }, host.hostName || host.hostId)),
          h('td', { class: 'nowrap' }, siteNames.get(host.siteId) ?? (host.siteId || '-')),
          h('td', {}, String(host.wave)),
          h('td', {}, host.offer || '-'),
          h('td', { class: 'utc-cell' }, skippedHost(host) ? '-'
            : host.earliestStart ? h('time', { datetime: host.earliestStartUtc }, utcText(host.earliestStart)) : 'never'),
          h('td', { class: 'nowrap' }, skippedHost(host) ? '-' : zonedText(host.earliestStart, host.timeZone, host.earliestStartLocal)),
          h('td', {}, host.reason ? reasonText(host.reason) : '-')))
          : h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No host on this page.'))))),
      pager);
  }

  async function previewPage(offset) {
    if (!previewed || previewed.key !== formKey()) {
      await runPreview({ offset: 0 });
      return;
    }
    try {
      const answer = await api.post('rollouts/preview', previewed.body, { pageSize: PREVIEW_PAGE, offset });
      if (!ctx.current) return;
      previewed.answer = answer;
      renderPreview(answer, offset);
      preview.querySelector('#preview-hosts')?.scrollIntoView({ block: 'nearest' });
    } catch (error) {
      if (error instanceof SessionExpired) return;
      showFormError(form, 'The preview could not be paged.', error.message);
    }
  }

  previewButton.addEventListener('click', () => runPreview().catch((error) => {
    if (!(error instanceof SessionExpired)) showFormError(form, 'The preview could not be made.', String(error?.message ?? error));
  }));

  // Create ---------------------------------------------------------------------------------------------------

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!previewed || previewed.key !== formKey()) {
      formChanged();
      return;
    }
    clearErrors(form);
    submit.disabled = true;
    try {
      const created = await api.post('rollouts', previewed.body);
      clearDraft(DRAFT);
      ctx.toast(`Rollout "${created.name}" created.`);
      ctx.navigate(`#/rollouts/${created.resourceId}`);
    } catch (error) {
      if (error instanceof SessionExpired) return;
      showRefusal(error);
      submit.disabled = false;
    }
  });

  form.addEventListener('change', (event) => {
    if (event.target === respectWindows || event.target.name === 'targetKind') layout();
    formChanged();
  });
  form.addEventListener('input', formChanged);

  setWaves([{ size: '100', unit: 'percent' }]);
  layout();
  const draft = restoreDraft(form);
  if (draft) {
    const rows = [];
    for (let i = 0; `wave-${i}-size` in draft; i += 1) rows.push({ size: draft[`wave-${i}-size`], unit: draft[`wave-${i}-unit`] ?? 'percent' });
    if (rows.length) setWaves(rows);
    layout();
  }
  formChanged();
  name.focus();
}
