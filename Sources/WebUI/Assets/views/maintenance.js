// Maintenance windows: the list of schedules, and the form that schedules one (single or repeated) for a host, a
// site or a region, given in any IANA time zone and stored in UTC, with the next five windows shown first.
import { h, replace, icon } from '../dom.js';
import { api, quoted, SessionExpired } from '../api.js';
import { field, choiceGroup, showProblems, showServerError, clearErrors } from '../forms.js';
import { restoreDraft, clearDraft } from '../drafts.js';
import { SCHEDULE_LABELS } from '../format.js';
import {
  zonedInstant, timeZones, browserZone, formatIn, offsetMinutes, offsetText, nextCronWindows, repeatedToUTC,
  matchesLocal, weekdayName,
} from '../zones.js';

const NAME_RULE = /^[a-zA-Z0-9._:/ -]+$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const TARGET_KINDS = {
  host: { label: 'Host', path: 'compute/hosts', key: 'hosts', field: 'targetHostId' },
  site: { label: 'Site', path: 'sites', key: 'sites', field: 'targetSiteId' },
  region: { label: 'Region', path: 'regions', key: 'regions', field: 'targetRegionId' },
};

/** "2026-07-01 02:00 – 03:00 UTC" or "Mon,Wed at 02:00 UTC for 1h" for a schedule from the API. */
export function describeSchedule(s) {
  const utc = (seconds) => formatIn(seconds * 1000, 'UTC');
  if ('startSeconds' in s) {
    return `${utc(s.startSeconds)} – ${s.endSeconds ? utc(s.endSeconds) : 'open-ended'}`;
  }
  const days = s.cronDayWeek !== '*'
    ? s.cronDayWeek.split(',').map((d) => weekdayName(Number(d))).join(', ')
    : s.cronDayMonth !== '*' ? `day ${s.cronDayMonth}` : 'every day';
  const months = s.cronMonth === '*' ? '' : ` in ${s.cronMonth.split(',').map((m) => MONTHS[Number(m) - 1]).join(', ')}`;
  const time = s.cronHours.split(',').map((hh) => s.cronMinutes.split(',').map((mm) => `${hh.padStart(2, '0')}:${mm.padStart(2, '0')}`)).flat().join(', ');
  const hours = Math.floor(s.durationSeconds / 3600);
  const minutes = Math.floor((s.durationSeconds % 3600) / 60);
  return `${days}${months} at ${time} UTC for ${hours ? `${hours}h ` : ''}${minutes ? `${minutes}m` : ''}`.trim();
}

/** A Delete button for a schedule; `after` runs once it is gone. */
export function deleteScheduleButton(s, after, toast) {
  const kind = 'startSeconds' in s ? 'single' : 'repeated';
  const button = h('button', { type: 'button', class: 'danger small', 'aria-label': `Delete ${s.name || s.resourceId}` }, 'Delete');
  button.addEventListener('click', async () => {
    if (!confirm(`Delete the maintenance window "${s.name || s.resourceId}"?`)) return;
    button.disabled = true;
    try {
      await api.delete(`schedules/${kind}/${s.resourceId}`);
      toast('Maintenance window deleted.');
      await after();
    } catch (error) {
      if (error instanceof SessionExpired) return;
      toast(`The server refused: ${error.message}`, 'bad');
      button.disabled = false;
    }
  });
  return button;
}

export async function renderMaintenance(ctx) {
  const { main } = ctx;
  const body = h('tbody');
  const summary = h('p', { class: 'table-summary' });
  replace(main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Maintenance'), h('p', { class: 'lead' }, 'Windows in which hosts may update. Times are stored in UTC.')),
      h('a', { class: 'button primary', href: '#/maintenance/new', id: 'new-schedule' }, icon('calendar'), h('span', {}, 'Schedule maintenance'))),
    h('section', { class: 'panel' },
      h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'schedules-table' },
        h('caption', { class: 'visually-hidden' }, 'Maintenance windows'),
        h('thead', {}, h('tr', {}, ['Name', 'Type', 'Target', 'When (UTC)', 'Action'].map((t) => h('th', { scope: 'col' }, t)))),
        body)),
      summary));
  async function load() {
    const page = await api.get('compute/schedules', { pageSize: 100 });
    if (!ctx.current) return;
    const now = Date.now() / 1000;
    const all = [...page.singleSchedules, ...page.repeatedSchedules];
    replace(body, all.length ? all.map((s) => {
      const ended = 'startSeconds' in s && s.endSeconds && s.endSeconds < now;
      return h('tr', { dataset: { schedule: s.resourceId }, class: ended ? 'muted' : '' },
        h('td', {}, s.name || s.resourceId, ended ? h('span', { class: 'label' }, 'ended') : null),
        h('td', {}, SCHEDULE_LABELS[s.scheduleStatus] ?? s.scheduleStatus),
        h('td', {}, targetCell(s)),
        h('td', {}, describeSchedule(s)),
        h('td', {}, deleteScheduleButton(s, load, ctx.toast)));
    }) : h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No maintenance window yet.')));
    summary.textContent = `${all.length} of ${page.totalElements} windows`;
  }
  await load();
  ctx.every(10000, load);
}

function targetCell(s) {
  if (s.targetHost) return h('a', { href: `#/hosts/${s.targetHost.resourceId}/maintenance` }, `Host ${s.targetHost.name}`);
  if (s.targetSite) return `Site ${s.targetSite.name}`;
  if (s.targetRegion) return `Region ${s.targetRegion.name}`;
  return 'No target';
}

/** {year, month, day, hour, minute} from a date input ("2026-07-01") and a time input ("14:30"). */
function localParts(date, time) {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})/.exec(time);
  if (!d || !t) return null;
  return { year: Number(d[1]), month: Number(d[2]), day: Number(d[3]), hour: Number(t[1]), minute: Number(t[2]) };
}

export async function renderScheduleForm(ctx) {
  const { main, query } = ctx;
  const preset = query.get('target') ?? '';
  const presetKind = preset.startsWith('host-') ? 'host' : preset.startsWith('site-') ? 'site' : preset.startsWith('region-') ? 'region' : 'host';
  const zone = browserZone();

  const name = h('input', { name: 'name', maxlength: 50, autocomplete: 'off' });
  const targetSearch = h('input', { type: 'search', name: 'targetSearch', autocomplete: 'off', placeholder: 'Type to search by name' });
  const target = h('select', { name: 'target' });
  const zoneSelect = h('select', { name: 'timeZone' }, timeZones().map((z) => h('option', { value: z, selected: z === zone }, z)));
  const startDate = h('input', { type: 'date', name: 'startDate' });
  const startTime = h('input', { type: 'time', name: 'startTime' });
  const endDate = h('input', { type: 'date', name: 'endDate' });
  const endTime = h('input', { type: 'time', name: 'endTime' });
  const openEnded = h('input', { type: 'checkbox', name: 'openEnded', value: 'yes', id: 'open-ended' });
  const repeatTime = h('input', { type: 'time', name: 'repeatTime' });
  const durationHours = h('input', { type: 'number', name: 'durationHours', min: 0, max: 24, value: '1', inputmode: 'numeric' });
  const durationMinutes = h('input', { type: 'number', name: 'durationMinutes', min: 0, max: 59, value: '0', inputmode: 'numeric' });
  const preview = h('div', { class: 'preview', id: 'schedule-preview', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'schedule-save' }, 'Save window');

  const kindGroup = choiceGroup('Target', 'targetKind', 'radio',
    Object.entries(TARGET_KINDS).map(([k, v]) => [k, v.label, k === presetKind]), { required: true });
  const typeGroup = choiceGroup('Maintenance type', 'scheduleStatus', 'radio',
    [['SCHEDULE_STATUS_OS_UPDATE', 'OS update', true], ['SCHEDULE_STATUS_MAINTENANCE', 'Maintenance (no updates)', false]], { required: true });
  const repeatGroup = choiceGroup('Schedule type', 'repeat', 'radio',
    [['single', 'Does not repeat', true], ['weekly', 'Repeat by day of week', false], ['monthly', 'Repeat by day of month', false]], { required: true });
  const weekdays = choiceGroup('Days of the week', 'weekday', 'checkbox',
    [1, 2, 3, 4, 5, 6, 0].map((d) => [String(d), weekdayName(d), false]), { required: true, className: 'weekly-only' });
  const monthDays = choiceGroup('Days of the month', 'monthDay', 'checkbox',
    [...Array(31).keys()].map((i) => [String(i + 1), String(i + 1), false]), { required: true, className: 'monthly-only days-grid' });
  const months = choiceGroup('Months', 'month', 'checkbox',
    MONTHS.map((m, i) => [String(i + 1), m, true]), { required: true, className: 'repeat-only' });

  const singleBlock = h('div', { class: 'single-only grid-2' },
    field('Start date', startDate, { required: true }), field('Start time', startTime, { required: true }),
    field('End date', endDate, { className: 'end-field' }), field('End time', endTime, { className: 'end-field' }),
    h('div', { class: 'field checkbox span-2' }, openEnded,
      h('label', { for: 'open-ended' }, 'Open-ended (no end time)')));
  const repeatBlock = h('div', { class: 'repeat-only' },
    h('div', { class: 'grid-3' },
      field('Start time', repeatTime, { required: true }),
      field('Duration hours', durationHours, { hint: '0 to 24' }),
      field('Duration minutes', durationMinutes, { hint: 'The whole window is at most 24 hours.' })),
    weekdays, monthDays, months);

  const form = h('form', { class: 'panel form schedule-form', id: 'schedule-form', novalidate: true, dataset: { draft: 'schedule-new' }, 'aria-labelledby': 'schedule-title' },
    h('h1', { id: 'schedule-title' }, 'Schedule maintenance'),
    h('div', { class: 'form-main' },
    h('fieldset', { class: 'group' }, h('legend', {}, 'Details'),
      field('Name', name, { required: true, hint: 'Letters, digits, spaces and . _ : / -; at most 50 characters.' }),
      typeGroup),
    h('fieldset', { class: 'group' }, h('legend', {}, 'Applies to'),
      kindGroup,
      h('div', { class: 'grid-2' }, field('Search', targetSearch), field('Host, site or region', target, { required: true }))),
    h('fieldset', { class: 'group' }, h('legend', {}, 'When'),
      repeatGroup,
      field('Time zone', zoneSelect, { required: true, hint: 'Times below are in this zone; the window is stored in UTC.' }),
      singleBlock, repeatBlock),
    h('div', { class: 'actions' }, submit, h('a', { class: 'button ghost', href: preset ? `#/hosts/${preset}/maintenance` : '#/maintenance' }, 'Cancel'))),
    h('aside', { class: 'group preview-panel', 'aria-labelledby': 'preview-title' }, h('h2', { id: 'preview-title' }, 'Next windows'), preview));

  replace(main, form);

  const selected = (groupName) => [...form.querySelectorAll(`input[name="${groupName}"]:checked`)].map((i) => i.value);
  const kind = () => selected('targetKind')[0] ?? 'host';
  const repeat = () => selected('repeat')[0] ?? 'single';

  function layout() {
    const r = repeat();
    form.querySelectorAll('.single-only').forEach((e) => { e.hidden = r !== 'single'; });
    form.querySelectorAll('.repeat-only').forEach((e) => { e.hidden = r === 'single'; });
    form.querySelectorAll('.weekly-only').forEach((e) => { e.hidden = r !== 'weekly'; });
    form.querySelectorAll('.monthly-only').forEach((e) => { e.hidden = r !== 'monthly'; });
    form.querySelectorAll('.end-field').forEach((e) => { e.hidden = openEnded.checked; });
  }

  let searchTicket = 0;
  async function searchTargets(keep) {
    const k = TARGET_KINDS[kind()];
    const text = targetSearch.value.trim().replace(/[^A-Za-z0-9 ._:/-]/g, '');
    const ticket = ++searchTicket;
    const page = await api.get(k.path, { pageSize: 20, orderBy: 'name', filter: text ? `name=${quoted(text)}` : undefined });
    let items = page[k.key];
    if (keep && !items.some((i) => i.resourceId === keep)) {
      const one = await api.get(`${k.path}/${keep}`).catch(() => null);
      if (one) items = [one, ...items];
    }
    if (ticket !== searchTicket) return;
    const previous = keep ?? target.value;
    replace(target, items.length ? items.map((i) => h('option', { value: i.resourceId, selected: i.resourceId === previous },
      `${i.name || '(no name)'} — ${i.resourceId}`)) : h('option', { value: '' }, `No ${k.label.toLowerCase()} matches`));
  }

  /** The window(s) the form describes, or {problems}. */
  function compute() {
    const problems = {};
    const z = zoneSelect.value;
    const now = Date.now();
    if (repeat() === 'single') {
      const start = localParts(startDate.value, startTime.value);
      if (!start) {
        problems[startDate.value ? 'startTime' : 'startDate'] = 'Enter the start date and time.';
        return { problems };
      }
      const s = zonedInstant(start, z);
      if (s.kind === 'gap') {
        problems.startTime = `${startTime.value} does not exist on ${startDate.value} in ${z}: the clocks move forward then.`;
        return { problems };
      }
      if (s.epochMs <= now) problems.startTime = 'The start must be in the future.';
      let endMs = null;
      let endNote = '';
      if (!openEnded.checked) {
        const end = localParts(endDate.value, endTime.value);
        if (!end) {
          problems[endDate.value ? 'endTime' : 'endDate'] = 'Enter the end date and time, or choose open-ended.';
        } else {
          const e = zonedInstant(end, z);
          if (e.kind === 'gap') problems.endTime = `${endTime.value} does not exist on ${endDate.value} in ${z}: the clocks move forward then.`;
          else if (e.epochMs <= s.epochMs) problems.endTime = 'The end must be after the start.';
          else endMs = e.epochMs;
          if (e.kind === 'ambiguous') endNote = `${endTime.value} happens twice that day in ${z}; the first is used.`;
        }
      }
      const notes = [];
      if (s.kind === 'ambiguous') notes.push(`${startTime.value} happens twice that day in ${z} (clocks go back); the first is used.`);
      if (endNote) notes.push(endNote);
      return { problems, kind: 'single', windows: [{ start: s.epochMs, end: endMs }], notes };
    }
    const t = /^(\d{2}):(\d{2})/.exec(repeatTime.value);
    const hours = Number(durationHours.value || 0);
    const minutes = Number(durationMinutes.value || 0);
    const duration = hours * 3600 + minutes * 60;
    if (!t) problems.repeatTime = 'Enter the time the window opens.';
    if (!Number.isInteger(hours) || !Number.isInteger(minutes) || hours < 0 || minutes < 0 || minutes > 59) {
      problems.durationMinutes = 'Hours and minutes must be whole numbers (minutes 0 to 59).';
    } else if (duration < 60 || duration > 86400) {
      problems.durationMinutes = 'The window lasts from 1 minute to 24 hours.';
    }
    const kindName = repeat();
    const days = (kindName === 'weekly' ? selected('weekday') : selected('monthDay')).map(Number);
    const monthList = selected('month').map(Number);
    if (!days.length) problems[kindName === 'weekly' ? 'weekday' : 'monthDay'] = 'Choose at least one day.';
    if (!monthList.length) problems.month = 'Choose at least one month.';
    if (Object.keys(problems).length) return { problems };
    const spec = { hour: Number(t[1]), minute: Number(t[2]), kind: kindName, days, months: monthList.length === 12 ? [] : monthList };
    let converted;
    try {
      converted = repeatedToUTC(spec, z, now);
    } catch (error) {
      problems[kindName === 'weekly' ? 'weekday' : 'monthDay'] = error.message;
      return { problems };
    }
    const windows = nextCronWindows(converted.cron, duration, now, 5).map((w) => ({ ...w, moved: !matchesLocal(spec, z, w.start) }));
    const notes = [`Stored as the UTC cron "${[converted.cron.minutes, converted.cron.hours, converted.cron.dayMonth, converted.cron.month, converted.cron.dayWeek].join(' ')}" `
      + `(offset ${offsetText(offsetMinutes(converted.reference.epochMs, z))} of ${z}).`];
    if (windows.some((w) => w.moved)) {
      notes.push(`A UTC window does not follow ${z}'s daylight-saving changes: windows marked "moved" open at another local time.`);
    }
    return { problems, kind: 'repeated', cron: converted.cron, duration, windows, notes };
  }

  function renderPreview() {
    const result = compute();
    const z = zoneSelect.value;
    const visible = Object.entries(result.problems).filter(([key]) => {
      if (key === 'startDate' || key === 'startTime') return startDate.value && startTime.value;
      return true;
    });
    if (!result.windows) {
      replace(preview, h('p', { class: 'hint' }, visible.length ? visible[0][1] : 'Fill in the times to see the windows.'));
      return result;
    }
    replace(preview,
      h('ol', { class: 'windows', id: 'preview-windows' }, result.windows.map((w) => h('li', { class: w.moved ? 'moved' : '' },
        h('span', { class: 'local' }, `${formatIn(w.start, z)} → ${w.end ? formatIn(w.end, z) : 'open-ended'} (${z}, ${offsetText(offsetMinutes(w.start, z))})`),
        h('span', { class: 'utc' }, `UTC ${formatIn(w.start, 'UTC')} → ${w.end ? formatIn(w.end, 'UTC') : 'open-ended'}`),
        w.moved ? h('span', { class: 'label label-warn' }, 'moved') : null))),
      result.notes.map((n) => h('p', { class: 'hint' }, n)));
    return result;
  }

  form.addEventListener('change', (event) => {
    if (event.target.name === 'targetKind') {
      targetSearch.value = '';
      searchTargets().catch(() => {});
    }
    layout();
    renderPreview();
  });
  form.addEventListener('input', (event) => {
    if (event.target === targetSearch) {
      clearTimeout(targetSearch.timer);
      targetSearch.timer = setTimeout(() => searchTargets().catch(() => {}), 300);
    }
    renderPreview();
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const result = compute();
    const problems = { ...result.problems };
    const nameText = name.value.trim();
    if (!nameText) problems.name = 'Enter a name.';
    else if (!NAME_RULE.test(nameText)) problems.name = 'Use letters, digits, spaces and . _ : / - only.';
    if (!target.value) problems.target = `Choose a ${TARGET_KINDS[kind()].label.toLowerCase()}.`;
    if (showProblems(form, problems)) return;
    const scheduleStatus = selected('scheduleStatus')[0];
    const body = { name: nameText, scheduleStatus, [TARGET_KINDS[kind()].field]: target.value };
    let path;
    if (result.kind === 'single') {
      path = 'schedules/single';
      body.startSeconds = Math.floor(result.windows[0].start / 1000);
      if (result.windows[0].end) body.endSeconds = Math.floor(result.windows[0].end / 1000);
    } else {
      path = 'schedules/repeated';
      Object.assign(body, {
        durationSeconds: result.duration, cronMinutes: result.cron.minutes, cronHours: result.cron.hours,
        cronDayMonth: result.cron.dayMonth, cronMonth: result.cron.month, cronDayWeek: result.cron.dayWeek,
      });
    }
    submit.disabled = true;
    try {
      const saved = await api.post(path, body);
      clearDraft('schedule-new');
      ctx.toast(`Maintenance window "${saved.name}" saved.`);
      ctx.navigate(kind() === 'host' ? `#/hosts/${target.value}/maintenance` : '#/maintenance');
    } catch (error) {
      showServerError(form, error, {
        name: 'name', startSeconds: 'startTime', endSeconds: 'endTime', durationSeconds: 'durationMinutes',
        targetHostId: 'target', targetSiteId: 'target', targetRegionId: 'target',
        cronMinutes: 'repeatTime', cronHours: 'repeatTime', cronDayWeek: 'weekday', cronDayMonth: 'monthDay', cronMonth: 'month',
      });
    } finally {
      submit.disabled = false;
    }
  });

  layout();
  await searchTargets(preset || undefined);
  const draft = restoreDraft(form);
  if (draft) await searchTargets(draft.target || preset || undefined);
  layout();
  renderPreview();
  name.focus();
}

