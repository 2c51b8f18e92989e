// OS profiles: the OS resources of the project grouped by profile name, versions newest first, the newest marked.
import { h, replace, icon } from '../dom.js';
import { api } from '../api.js';

/** Compares image versions ("3.0.20260602.2200", "22.04.5") part by part, numbers as numbers. */
export function compareVersions(a, b) {
  const pa = String(a).split(/[.-]/);
  const pb = String(b).split(/[.-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i += 1) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    if (x === '') return -1;
    if (y === '') return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y) || (x < y ? -1 : 1);
    if (nx !== ny) return nx ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return 0;
}

async function allOperatingSystems() {
  const items = [];
  for (let offset = 0; offset <= 10000; offset += 100) {
    const page = await api.get('compute/os', { pageSize: 100, offset, orderBy: 'name' });
    items.push(...page.OperatingSystemResources);
    if (!page.hasNext) break;
  }
  return items;
}

export async function renderProfiles(ctx) {
  const { main } = ctx;
  const oses = await allOperatingSystems();
  const groups = new Map();
  for (const os of oses) {
    const key = os.profileName || '(no profile)';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(os);
  }
  const sections = [...groups.keys()].sort().map((profile) => {
    const versions = groups.get(profile).sort((a, b) => compareVersions(b.imageId, a.imageId));
    const headingId = `profile-${profile.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    return h('section', { class: 'panel profile', 'aria-labelledby': headingId, dataset: { profile } },
      h('h2', { id: headingId }, profile, h('span', { class: 'sub' }, ` · ${osTypeName(versions[0].osType)} · ${versions.length} version${versions.length === 1 ? '' : 's'}`)),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('caption', { class: 'visually-hidden' }, `Versions of ${profile}, newest first`),
        h('thead', {}, h('tr', {}, ['Version (image ID)', 'Name', 'Architecture', 'Security', 'Resource ID'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, versions.map((os, index) => h('tr', { class: index === 0 ? 'newest' : '', dataset: { os: os.resourceId } },
          h('td', {}, os.imageId || '-', index === 0 ? h('span', { class: 'label label-ok newest-label' }, icon('star'), h('span', {}, 'Newest')) : null),
          h('td', {}, os.name),
          h('td', {}, os.architecture || '-'),
          h('td', {}, securityName(os.securityFeature)),
          h('td', { class: 'sub' }, os.resourceId)))))));
  });
  replace(main,
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'OS profiles'),
      h('p', { class: 'lead' }, 'OS resources by profile. Hosts update within their own profile; the newest version is what "Update to latest" installs.'))),
    sections.length ? sections : h('div', { class: 'panel empty-state' }, h('p', { class: 'empty-title' }, 'No OS resources'),
      h('p', {}, 'The OS Resource Manager creates them from the Release Service, or add them through the REST API.')));
}

function osTypeName(type) {
  return { OS_TYPE_IMMUTABLE: 'immutable', OS_TYPE_MUTABLE: 'mutable' }[type] ?? 'unknown type';
}

function securityName(feature) {
  return { SECURITY_FEATURE_NONE: 'None', SECURITY_FEATURE_SECURE_BOOT_AND_FULL_DISK_ENCRYPTION: 'Secure Boot + FDE' }[feature] ?? '-';
}
