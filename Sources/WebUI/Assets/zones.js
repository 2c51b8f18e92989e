// Time zones and maintenance windows: wall-clock times in an IANA zone to the UTC seconds and UTC cron the API
// stores, with daylight-saving gaps and overlaps detected, and the next windows a schedule opens.

const formatters = new Map();

function formatter(zone) {
  if (!formatters.has(zone)) {
    formatters.set(zone, new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', weekday: 'short',
    }));
  }
  return formatters.get(zone);
}

const WEEKDAYS = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** The wall clock in `zone` at `epochMs`: {year, month (1-12), day, hour, minute, second, weekday (0=Sunday)}. */
export function wallClock(epochMs, zone) {
  const parts = {};
  for (const { type, value } of formatter(zone).formatToParts(new Date(epochMs))) parts[type] = value;
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour) % 24, minute: Number(parts.minute), second: Number(parts.second),
    weekday: WEEKDAYS[parts.weekday],
  };
}

/** The zone's offset from UTC at `epochMs`, in minutes (east positive). */
export function offsetMinutes(epochMs, zone) {
  const c = wallClock(epochMs, zone);
  const asUTC = Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second);
  return Math.round((asUTC - Math.floor(epochMs / 1000) * 1000) / 60000);
}

/** "+02:00". */
export function offsetText(minutes) {
  const sign = minutes < 0 ? '-' : '+';
  const m = Math.abs(minutes);
  return `${sign}${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
}

/**
 * The instant of wall-clock time `local` ({year, month, day, hour, minute}) in `zone`.
 * Returns {epochMs, kind}: kind "ok"; "ambiguous" (a clock set back: the earlier instant is returned, `later`
 * holds the other); or "gap" (a clock set forward skips it: epochMs is null).
 */
export function zonedInstant(local, zone) {
  const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, 0);
  // A zone changes its offset at most once within a day, so the offsets half a day either side cover both.
  const offsets = new Set([offsetMinutes(guess - 43200000, zone), offsetMinutes(guess + 43200000, zone),
    offsetMinutes(guess, zone)]);
  const matches = [];
  for (const offset of offsets) {
    const candidate = guess - offset * 60000;
    const c = wallClock(candidate, zone);
    if (c.year === local.year && c.month === local.month && c.day === local.day && c.hour === local.hour
      && c.minute === local.minute && !matches.includes(candidate)) {
      matches.push(candidate);
    }
  }
  matches.sort((a, b) => a - b);
  if (matches.length === 0) return { epochMs: null, kind: 'gap' };
  if (matches.length > 1) return { epochMs: matches[0], kind: 'ambiguous', later: matches[matches.length - 1] };
  return { epochMs: matches[0], kind: 'ok' };
}

/** Every IANA zone the browser knows, UTC included. */
export function timeZones() {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : ['UTC', ...zones];
}

/** The browser's own zone. */
export function browserZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** "2026-07-01 14:30" in `zone`. */
export function formatIn(epochMs, zone, { seconds = false } = {}) {
  const c = wallClock(epochMs, zone);
  const pad = (n) => String(n).padStart(2, '0');
  return `${c.year}-${pad(c.month)}-${pad(c.day)} ${pad(c.hour)}:${pad(c.minute)}${seconds ? `:${pad(c.second)}` : ''}`;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export function weekdayName(index) {
  return DAY_NAMES[index];
}

/** Parses a cron list field ("*" or "1,2,3") into a sorted array, or null for "*". */
function cronList(field) {
  if (field === '*') return null;
  return [...new Set(field.split(',').map(Number))].sort((a, b) => a - b);
}

function matches(list, value) {
  return list === null || list.includes(value);
}

/**
 * The next `limit` windows of a UTC cron with `durationSeconds`, as the server evaluates it (UTC; a day matches
 * by day of month OR day of week when both are restricted). A window still open at `nowMs` is included.
 * Returns [{start, end}] in epoch milliseconds.
 */
export function nextCronWindows(cron, durationSeconds, nowMs, limit = 5) {
  const minutes = cronList(cron.minutes) ?? [...Array(60).keys()];
  const hours = cronList(cron.hours) ?? [...Array(24).keys()];
  const daysOfMonth = cronList(cron.dayMonth);
  const months = cronList(cron.month);
  const daysOfWeek = cronList(cron.dayWeek);
  const windows = [];
  const start = new Date(nowMs - durationSeconds * 1000);
  let day = Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
  for (let i = 0; i < 366 * 6 && windows.length < limit; i += 1, day += 86400000) {
    const d = new Date(day);
    if (!matches(months, d.getUTCMonth() + 1)) continue;
    const byMonthDay = matches(daysOfMonth, d.getUTCDate());
    const byWeekDay = matches(daysOfWeek, d.getUTCDay());
    const dayMatches = daysOfMonth !== null && daysOfWeek !== null ? byMonthDay || byWeekDay : byMonthDay && byWeekDay;
    if (!dayMatches) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        const at = day + (hour * 60 + minute) * 60000;
        const end = at + durationSeconds * 1000;
        if (end > nowMs && windows.length < limit) windows.push({ start: at, end });
      }
    }
  }
  return windows;
}

/**
 * A repeated window given in wall-clock terms of `zone`, converted to the UTC cron the API stores.
 *
 * `spec`: {hour, minute, kind: "weekly"|"monthly", days: [0-6] or [1-31], months: [1-12] (empty = every)}.
 * The UTC offset is the one in force at the next local occurrence; a UTC cron cannot follow later changes of
 * that offset, so the caller shows the next windows in both zones and flags any that moved.
 * Returns {cron, reference} or throws an Error naming the rule broken.
 */
export function repeatedToUTC(spec, zone, nowMs) {
  const reference = nextLocalOccurrence(spec, zone, nowMs);
  if (!reference) throw new Error('no day in the next two years matches the chosen days and months');
  const utc = new Date(reference.epochMs);
  const localDay = Date.UTC(reference.local.year, reference.local.month - 1, reference.local.day);
  const utcDay = Date.UTC(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate());
  const shift = Math.round((utcDay - localDay) / 86400000);
  let dayMonth = '*';
  let dayWeek = '*';
  let months = spec.months.length && spec.months.length < 12 ? [...spec.months] : null;
  if (spec.kind === 'weekly') {
    dayWeek = spec.days.map((d) => (d + shift + 7) % 7).sort((a, b) => a - b).join(',');
  } else {
    const shifted = spec.days.map((d) => d + shift);
    if (shifted.some((d) => d < 1 || d > 31 || (shift > 0 && d > 28))) {
      throw new Error(`at ${pad2(spec.hour)}:${pad2(spec.minute)} in ${zone} these days fall on another month's day `
        + 'in UTC, which one UTC cron cannot express; pick days 2-28 or a weekly repeat');
    }
    dayMonth = shifted.sort((a, b) => a - b).join(',');
  }
  if (months && shift !== 0 && spec.kind === 'weekly') {
    // A weekly window that moves to the previous or next UTC day may move into the neighbouring month.
    const neighbours = months.map((m) => ((m - 1 + shift + 12) % 12) + 1);
    months = [...new Set([...months, ...neighbours])];
  }
  return {
    reference,
    cron: {
      minutes: String(utc.getUTCMinutes()), hours: String(utc.getUTCHours()), dayMonth,
      month: months ? months.sort((a, b) => a - b).join(',') : '*', dayWeek,
    },
  };
}

function pad2(n) {
  return String(n).padStart(2, '0');
}

/** The first local date (from today in `zone`) that the spec selects, with its instant. */
function nextLocalOccurrence(spec, zone, nowMs) {
  const today = wallClock(nowMs, zone);
  let day = Date.UTC(today.year, today.month - 1, today.day);
  for (let i = 0; i < 800; i += 1, day += 86400000) {
    const d = new Date(day);
    const local = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: spec.hour, minute: spec.minute };
    if (spec.months.length && !spec.months.includes(local.month)) continue;
    const selected = spec.kind === 'weekly' ? spec.days.includes(d.getUTCDay()) : spec.days.includes(local.day);
    if (!selected) continue;
    const instant = zonedInstant(local, zone);
    if (instant.epochMs === null || instant.epochMs <= nowMs) continue;
    return { epochMs: instant.epochMs, local };
  }
  return null;
}

/** Whether a window starting at `epochMs` is at the requested wall-clock time and day in `zone`. */
export function matchesLocal(spec, zone, epochMs) {
  const c = wallClock(epochMs, zone);
  if (c.hour !== spec.hour || c.minute !== spec.minute) return false;
  if (spec.months.length && !spec.months.includes(c.month)) return false;
  return spec.kind === 'weekly' ? spec.days.includes(c.weekday) : spec.days.includes(c.day);
}
