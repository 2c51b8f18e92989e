// OS update policies: list, create (LATEST or TARGET; target OS, kernel command, apt sources, packages), link to
// one or many hosts, delete (the server refuses while hosts are linked; its reason is shown).
import { h, replace, icon } from '../dom.js';
import { api, quoted, SessionExpired } from '../api.js';
import { field, choiceGroup, showProblems, showServerError, clearErrors } from '../forms.js';
import { restoreDraft, clearDraft } from '../drafts.js';
import { POLICY_LABELS, count, statusBadge } from '../format.js';

const RULES = {
  name: /^[a-zA-Z0-9._:/ -]+$/,
  description: /^[a-zA-Z0-9._:/;=?@!#,<>*() -]*$/,
  kernel: /^[a-zA-Z0-9._:/;=@?!#,<>*()" -]*$/,
  source: /^[a-zA-Z0-9._:/;=@?!#,<>*+()[\]" \n-]+$/,
  packages: /^[A-Za-z0-9._/:;=@?!#,<>\-*+~()[\]{} \n]*$/,
};

function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

export async function renderPolicies(ctx) {
  const { main } = ctx;
  const tbody = h('tbody');
  const alert = h('div', { class: 'page-alert', role: 'alert', id: 'policies-alert', hidden: true });
  const dialog = h('dialog', { class: 'dialog', id: 'link-dialog', 'aria-labelledby': 'link-title' });
  replace(main,
    h('div', { class: 'page-head' },
      h('div', {}, h('h1', {}, 'OS update policies'), h('p', { class: 'lead' }, 'What a host installs in its next OS update window.')),
      h('a', { class: 'button primary', href: '#/policies/new', id: 'new-policy' }, icon('shield'), h('span', {}, 'New policy'))),
    alert,
    h('section', { class: 'panel' }, h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'policies-table' },
      h('caption', { class: 'visually-hidden' }, 'OS update policies'),
      h('thead', {}, h('tr', {}, ['Name', 'Description', 'Update policy', 'Target OS', 'Changes', 'Linked hosts', 'Actions']
        .map((t) => h('th', { scope: 'col' }, t)))),
      tbody))),
    dialog);

  async function load() {
    const { osUpdatePolicies: policies } = await api.get('os-update-policies', { pageSize: 100, orderBy: 'name' });
    const linked = await Promise.all(policies.map((p) => api.get('compute/instances', {
      pageSize: 1, filter: `osUpdatePolicy.resourceId=${quoted(p.resourceId)}`,
    }).then((r) => r.totalElements)));
    if (!ctx.current) return;
    replace(tbody, policies.length ? policies.map((p, i) => h('tr', { dataset: { policy: p.resourceId } },
      h('th', { scope: 'row' }, p.name, h('div', { class: 'sub' }, p.resourceId)),
      h('td', {}, p.description || '-'),
      h('td', {}, POLICY_LABELS[p.updatePolicy] ?? p.updatePolicy),
      h('td', {}, p.targetOs?.name || '-'),
      h('td', { class: 'changes' }, changesOf(p)),
      h('td', { class: 'linked-count' }, count(linked[i])),
      h('td', {}, h('div', { class: 'row-actions' },
        h('button', { type: 'button', class: 'secondary small', onclick: () => openLink(p), 'aria-label': `Link ${p.name} to hosts` }, 'Link to hosts'),
        h('button', { type: 'button', class: 'danger small', onclick: () => remove(p), 'aria-label': `Delete ${p.name}` }, 'Delete')))))
      : h('tr', {}, h('td', { colspan: 7, class: 'empty' }, 'No OS update policy yet.')));
  }

  async function remove(policy) {
    alert.hidden = true;
    if (!confirm(`Delete the OS update policy "${policy.name}"?`)) return;
    try {
      await api.delete(`os-update-policies/${policy.resourceId}`);
      ctx.toast(`Policy "${policy.name}" deleted.`);
    } catch (error) {
      if (error instanceof SessionExpired) return;
      alert.hidden = false;
      replace(alert, icon('alert'), h('div', {},
        h('strong', {}, `"${policy.name}" was not deleted.`),
        h('div', { class: 'detail' }, `The server refused${error.code ? ` (${error.code})` : ''}: ${error.message}`)));
      alert.focus?.();
    }
    await load();
  }

  function openLink(policy) {
    linkDialog(dialog, policy, ctx, load);
  }

  await load();
  ctx.every(10000, load);
}

function changesOf(p) {
  const items = [];
  if (p.updateKernelCommand) items.push(h('div', {}, h('span', { class: 'k' }, 'Kernel: '), p.updateKernelCommand));
  if (p.updateSources?.length) items.push(h('div', {}, h('span', { class: 'k' }, 'Sources: '), `${p.updateSources.length} stanza(s)`));
  if (p.updatePackages) items.push(h('div', {}, h('span', { class: 'k' }, 'Packages: '), p.updatePackages.split('\n').filter(Boolean).join(', ')));
  if (p.updatePolicy === 'UPDATE_POLICY_LATEST') items.push('Newest image of the host\'s profile');
  return items.length ? items : '-';
}

/** The dialog that links `policy` to hosts chosen from a search (one or many at once). */
function linkDialog(dialog, policy, ctx, after) {
  const search = h('input', { type: 'search', id: 'link-search', autocomplete: 'off', placeholder: 'Host, site or region name' });
  const all = h('input', { type: 'checkbox', id: 'link-all' });
  const list = h('tbody');
  const progress = h('p', { class: 'form-message', role: 'status', id: 'link-progress' });
  const note = h('p', { class: 'hint', id: 'link-note' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'link-submit' }, 'Link selected hosts');
  const close = h('button', { type: 'button', class: 'ghost', onclick: () => dialog.close() }, 'Close');
  const form = h('form', { method: 'dialog', novalidate: true },
    h('h2', { id: 'link-title' }, `Link "${policy.name}" to hosts`),
    h('div', { class: 'field' }, h('label', { for: 'link-search' }, 'Find hosts'), search),
    h('div', { class: 'table-wrap dialog-table' }, h('table', { class: 'data', id: 'link-hosts' },
      h('caption', { class: 'visually-hidden' }, 'Hosts to link'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, all, h('label', { for: 'link-all', class: 'visually-hidden' }, 'Select all shown hosts')),
        ['Host', 'Site', 'Current policy', 'Update status'].map((t) => h('th', { scope: 'col' }, t)))),
      list)),
    note, progress,
    h('div', { class: 'actions' }, submit, close));
  replace(dialog, form);

  let ticket = 0;
  async function find() {
    const text = search.value.trim().replace(/[^A-Za-z0-9 ._:/-]/g, '');
    const mine = ++ticket;
    const q = quoted(text);
    const filter = ['has(instance)', text ? `(name=${q} OR site.name=${q} OR site.region.name=${q})` : ''].filter(Boolean).join(' AND ');
    const page = await api.get('compute/hosts', { filter, pageSize: 50, orderBy: 'name' });
    if (mine !== ticket) return;
    all.checked = false;
    replace(list, page.hosts.length ? page.hosts.map((host) => {
      const id = `link-${host.resourceId}`;
      return h('tr', {},
        h('td', {}, h('input', { type: 'checkbox', id, value: host.instance.resourceId, dataset: { host: host.resourceId, name: host.name } })),
        h('td', {}, h('label', { for: id }, host.name)),
        h('td', {}, host.site?.name || '-'),
        h('td', {}, host.instance.updatePolicy?.name || '-'),
        h('td', {}, statusBadge(host.instance.updateStatus || 'Unknown', host.instance.updateStatusIndicator)));
    }) : h('tr', {}, h('td', { colspan: 5, class: 'empty' }, 'No host with an instance matches.')));
    note.textContent = page.totalElements > page.hosts.length
      ? `Showing ${page.hosts.length} of ${count(page.totalElements)} hosts; narrow the search to see others.` : '';
  }
  search.addEventListener('input', () => {
    clearTimeout(search.timer);
    search.timer = setTimeout(() => find().catch(() => {}), 300);
  });
  all.addEventListener('change', () => list.querySelectorAll('input[type=checkbox]').forEach((c) => { c.checked = all.checked; }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = [...list.querySelectorAll('input[type=checkbox]:checked')];
    if (!chosen.length) {
      progress.textContent = 'Choose at least one host.';
      return;
    }
    submit.disabled = true;
    let done = 0;
    const failures = [];
    for (const box of chosen) {
      try {
        await api.patch(`compute/instances/${box.value}`, { osUpdatePolicyID: policy.resourceId });
        done += 1;
      } catch (error) {
        if (error instanceof SessionExpired) return;
        failures.push(`${box.dataset.name}: ${error.message}`);
      }
      progress.textContent = `Linked ${done} of ${chosen.length}…`;
    }
    submit.disabled = false;
    progress.textContent = failures.length
      ? `Linked ${done} of ${chosen.length}. Refused: ${failures.join('; ')}` : `Linked ${done} host${done === 1 ? '' : 's'}.`;
    if (!failures.length) ctx.toast(`"${policy.name}" linked to ${done} host${done === 1 ? '' : 's'}.`);
    await find();
    await after();
  });
  dialog.showModal();
  find().catch(() => {});
  search.focus();
}

export async function renderPolicyForm(ctx) {
  const { main } = ctx;
  const name = h('input', { name: 'name', maxlength: 50, autocomplete: 'off' });
  const description = h('input', { name: 'description', maxlength: 200, autocomplete: 'off' });
  const targetOs = h('select', { name: 'targetOs' }, h('option', { value: '' }, 'None'));
  const kernel = h('input', { name: 'kernel', autocomplete: 'off', placeholder: 'console=ttyS0,115200 console=tty0 net.ifnames=0' });
  const sources = h('textarea', { name: 'sources', rows: 6, placeholder: 'Types: deb\nURIs: http://archive.example/ubuntu\nSuites: jammy\nComponents: main' });
  const packages = h('textarea', { name: 'packages', rows: 3, placeholder: 'curl\ntree' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'policy-save' }, 'Create policy');
  const osType = choiceGroup('OS type', 'osType', 'radio',
    [['mutable', 'Mutable OS (packages, e.g. Ubuntu)', true], ['immutable', 'Immutable OS (A/B image, e.g. Edge Microvisor Toolkit)', false]], { required: true });
  const kind = choiceGroup('Update policy', 'updatePolicy', 'radio',
    [['UPDATE_POLICY_LATEST', 'Update to latest', false], ['UPDATE_POLICY_TARGET', 'Update to target', true]], { required: true });
  const form = h('form', { class: 'panel form', id: 'policy-form', novalidate: true, dataset: { draft: 'policy-new' }, 'aria-labelledby': 'policy-title' },
    h('h1', { id: 'policy-title' }, 'New OS update policy'),
    field('Name', name, { required: true, hint: 'Letters, digits, spaces and . _ : / -; at most 50 characters.' }),
    field('Description', description),
    osType, kind,
    h('p', { class: 'hint', id: 'kind-hint' }),
    field('Target OS', targetOs, { className: 'immutable-target', hint: 'The exact image to install; "None" with a kernel command only changes the kernel command line.' }),
    field('Kernel command update', kernel, { className: 'target-only' }),
    field('Update sources', sources, { className: 'mutable-target', hint: 'apt sources in deb822 form; separate several with an empty line.' }),
    field('Update packages', packages, { className: 'mutable-target', hint: 'Packages to install, one per line or separated by commas.' }),
    h('div', { class: 'actions' }, submit, h('a', { class: 'button ghost', href: '#/policies' }, 'Cancel')));
  replace(main, form);

  const value = (n) => form.querySelector(`input[name="${n}"]:checked`)?.value;
  function layout() {
    const mutable = value('osType') === 'mutable';
    const latest = form.querySelector('input[value="UPDATE_POLICY_LATEST"]');
    latest.disabled = mutable;
    if (mutable && latest.checked) form.querySelector('input[value="UPDATE_POLICY_TARGET"]').checked = true;
    const target = value('updatePolicy') === 'UPDATE_POLICY_TARGET';
    form.querySelectorAll('.immutable-target').forEach((e) => { e.hidden = !(target && !mutable); });
    form.querySelectorAll('.mutable-target').forEach((e) => { e.hidden = !(target && mutable); });
    form.querySelectorAll('.target-only').forEach((e) => { e.hidden = !target; });
    form.querySelector('#kind-hint').textContent = mutable
      ? 'Mutable hosts always upgrade their packages in an OS update window; a policy adds a kernel command, sources or packages.'
      : target ? 'The host installs the chosen image (or only changes its kernel command line).'
        : 'The host installs the newest image of its own OS profile.';
  }
  form.addEventListener('change', layout);

  const oses = (await api.get('compute/os', { filter: 'osType=OS_TYPE_IMMUTABLE', orderBy: 'name', pageSize: 100 })).OperatingSystemResources;
  targetOs.append(...oses.map((os) => h('option', { value: os.resourceId }, `${os.name} (${os.profileName} ${os.imageId})`)));
  layout();
  restoreDraft(form);
  layout();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const problems = {};
    const nameText = name.value.trim();
    if (!nameText) problems.name = 'Enter a name.';
    else if (!RULES.name.test(nameText)) problems.name = 'Use letters, digits, spaces and . _ : / - only.';
    else if (utf8Length(nameText) > 50) problems.name = 'At most 50 characters.';
    const descriptionText = description.value.trim();
    if (!RULES.description.test(descriptionText)) problems.description = 'Use letters, digits, spaces and . _ : / ; = ? @ ! # , < > * ( ) - only.';
    const mutable = value('osType') === 'mutable';
    const policy = value('updatePolicy');
    const body = { name: nameText, updatePolicy: policy };
    if (descriptionText) body.description = descriptionText;
    if (policy === 'UPDATE_POLICY_TARGET') {
      const kernelText = kernel.value.trim();
      if (!RULES.kernel.test(kernelText)) problems.kernel = 'The kernel command has characters the server does not accept.';
      if (kernelText) body.updateKernelCommand = kernelText;
      if (mutable) {
        const stanzas = sources.value.replace(/\r/g, '').split(/\n\s*\n/).map((s) => s.trim()).filter(Boolean);
        if (stanzas.some((s) => !RULES.source.test(s))) problems.sources = 'A source has characters the server does not accept (| is never allowed).';
        if (stanzas.length > 100) problems.sources = 'At most 100 sources.';
        const names = packages.value.split(/[\n,]/).map((p) => p.trim()).filter(Boolean);
        if (!RULES.packages.test(names.join('\n'))) problems.packages = 'A package name has characters the server does not accept.';
        if (stanzas.length) body.updateSources = stanzas;
        if (names.length) body.updatePackages = names.join('\n');
        if (!kernelText && !stanzas.length && !names.length) {
          problems.kernel = 'Either Kernel Command, Update Sources, or Update Packages must be specified.';
        }
      } else {
        if (targetOs.value && kernelText) problems.kernel = 'Give either a target OS or a kernel command, not both.';
        else if (!targetOs.value && !kernelText) problems.targetOs = 'Either Target OS or Kernel Command must be specified.';
        if (targetOs.value) body.targetOsId = targetOs.value;
      }
    }
    if (showProblems(form, problems)) return;
    submit.disabled = true;
    try {
      const created = await api.post('os-update-policies', body);
      clearDraft('policy-new');
      ctx.toast(`Policy "${created.name}" created.`);
      ctx.navigate('#/policies');
    } catch (error) {
      showServerError(form, error, { targetOsId: 'targetOs', updateKernelCommand: 'kernel', updateSources: 'sources', updatePackages: 'packages' });
    } finally {
      submit.disabled = false;
    }
  });
  name.focus();
}
