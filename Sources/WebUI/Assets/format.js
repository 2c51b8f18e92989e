// Presenting values: times, durations, statuses.
import { h, icon } from './dom.js';

/** Upstream's "not ended" sentinel (9999999999) truncated to 32 bits, as run lists carry it. */
export const OPEN_END = 9999999999 % 2 ** 32;

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  timeZoneName: 'short',
});

/** A Unix-seconds time in the browser's zone, or "-" for 0. */
export function formatSeconds(seconds) {
  if (!seconds) return '-';
  return dateTime.format(new Date(seconds * 1000));
}

/** A <time> element for Unix seconds, with the UTC ISO form as its machine value and tooltip. */
export function timeElement(seconds) {
  if (!seconds) return '-';
  const iso = new Date(seconds * 1000).toISOString();
  return h('time', { datetime: iso, title: iso }, formatSeconds(seconds));
}

/** "45s", "12m", "1h 05m", "2d 3h". */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${String(minutes % 60).padStart(2, '0')}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** Whether a run has not ended: no end time, or one before its start (the sentinel truncated to 32 bits). */
export function runInProgress(run) {
  return !run.endTime || run.endTime < run.startTime;
}

const INDICATORS = {
  STATUS_INDICATION_IDLE: { label: 'Ready', icon: 'check', tone: 'ok' },
  STATUS_INDICATION_IN_PROGRESS: { label: 'In progress', icon: 'progress', tone: 'busy' },
  STATUS_INDICATION_ERROR: { label: 'Error', icon: 'error', tone: 'bad' },
};

/** A status with its indicator icon: the icon names the indicator, the text is the status message. */
export function statusBadge(text, indicator) {
  const known = INDICATORS[indicator] ?? { label: 'Unknown', icon: 'unknown', tone: 'none' };
  return h('span', { class: `status status-${known.tone}`, dataset: { indicator: indicator || 'STATUS_INDICATION_UNSPECIFIED' } },
    icon(known.icon, { label: known.label }), h('span', {}, text || 'Unknown'));
}

/** The "OS update available" mark of the hosts table. */
export function updateAvailableIcon() {
  return h('span', { class: 'update-available', title: 'OS update available' },
    icon('info', { label: 'OS update available' }));
}

/** The upgradable packages in `osUpdateAvailable`, or null when the value is not a JSON array (an OS name). */
export function upgradablePackages(value) {
  if (!value) return null;
  try {
    const parsed = JSON.parse(value);
    if (!Array.isArray(parsed)) return null;
    return parsed.map((item) => ({
      name: String(item?.name ?? item?.Name ?? ''),
      version: String(item?.available_version ?? item?.availableVersion ?? item?.Version ?? item?.version ?? ''),
      architecture: String(item?.architecture ?? item?.Architecture ?? ''),
    }));
  } catch {
    return null;
  }
}

/** The "available update" summary: package names joined, or the OS name, or "-". */
export function availableSummary(value) {
  if (!value) return '-';
  const packages = upgradablePackages(value);
  if (packages) return packages.map((p) => p.name).join(', ') || '-';
  return value;
}

export const POLICY_LABELS = {
  UPDATE_POLICY_LATEST: 'Update to latest',
  UPDATE_POLICY_TARGET: 'Update to target',
};

export const SCHEDULE_LABELS = {
  SCHEDULE_STATUS_OS_UPDATE: 'OS update',
  SCHEDULE_STATUS_MAINTENANCE: 'Maintenance',
  SCHEDULE_STATUS_UNSPECIFIED: 'Unspecified',
};

/** A number with thousands separators. */
export function count(n) {
  return new Intl.NumberFormat().format(n);
}
