// Form fields with labels, hints and error messages linked for assistive technology; validation before sending
// and the server's refusal (field and rule) shown where it belongs.
import { h, replace, uid, icon } from './dom.js';
import { ApiError, SessionExpired } from './api.js';

/**
 * A labelled field. `control` is an input/select/textarea element (its name is the field name).
 * Returns the wrapper; the control gets an id, aria-describedby (hint and error) and an error slot.
 */
export function field(label, control, { hint, required = false, className = '' } = {}) {
  const id = control.id || uid(control.name || 'field');
  control.id = id;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const described = [hint ? hintId : null, errorId].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  if (required) control.required = true;
  return h('div', { class: `field ${className}`.trim(), dataset: { field: control.name } },
    h('label', { for: id }, label, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
    control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: errorId, hidden: true }));
}

/** A group of checkboxes or radios in a fieldset with a legend. */
export function choiceGroup(legend, name, type, options, { required = false, className = '' } = {}) {
  const errorId = uid(`${name}-error`);
  return h('fieldset', { class: `choices ${className}`.trim(), dataset: { field: name }, 'aria-describedby': errorId },
    h('legend', {}, legend, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null),
    h('div', { class: 'choice-row' }, options.map(([value, label, checked]) => {
      const id = uid(`${name}-${value}`);
      return h('span', { class: 'choice' },
        h('input', { type, name, value, id, checked }), h('label', { for: id }, label));
    })),
    h('p', { class: 'field-error', id: errorId, hidden: true }));
}

/** Shows `message` under the field named `name` (or clears it when message is empty). */
export function setFieldError(form, name, message) {
  const wrapper = form.querySelector(`[data-field="${CSS.escape(name)}"]`);
  if (!wrapper) return false;
  const slot = wrapper.querySelector('.field-error');
  const controls = wrapper.querySelectorAll('input, select, textarea');
  slot.hidden = !message;
  slot.textContent = message || '';
  for (const control of controls) {
    if (message) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  }
  return true;
}

/** Clears every message of `form`. */
export function clearErrors(form) {
  for (const slot of form.querySelectorAll('.field-error')) {
    slot.hidden = true;
    slot.textContent = '';
  }
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  const alert = form.querySelector('.form-alert');
  if (alert) {
    alert.hidden = true;
    replace(alert);
  }
}

/** The form-level message area (role=alert), created at the top of the form once. */
function alertArea(form) {
  let alert = form.querySelector('.form-alert');
  if (!alert) {
    alert = h('div', { class: 'form-alert', role: 'alert', hidden: true });
    form.prepend(alert);
  }
  return alert;
}

/**
 * Shows client-side problems: {fieldName: message}. Returns true when there were any (and focuses the first).
 */
export function showProblems(form, problems) {
  const names = Object.keys(problems);
  if (!names.length) return false;
  for (const name of names) {
    if (!setFieldError(form, name, problems[name])) {
      showFormError(form, problems[name]);
    }
  }
  const alert = alertArea(form);
  if (alert.hidden) {
    alert.hidden = false;
    replace(alert, icon('alert'), h('span', {}, `Please correct ${names.length === 1 ? 'the field' : `${names.length} fields`} marked below.`));
  }
  const first = form.querySelector('[aria-invalid="true"]');
  first?.focus();
  return true;
}

/** A message at the top of the form. */
export function showFormError(form, message, detail) {
  const alert = alertArea(form);
  alert.hidden = false;
  replace(alert, icon('alert'), h('div', {}, h('strong', {}, message), detail ? h('div', { class: 'detail' }, detail) : null));
  alert.scrollIntoView({ block: 'nearest' });
}

/**
 * Shows a refusal from the server: "The server refused: <field>: <rule>" at the top, and the rule under the field
 * when the field is one of the form's (`aliases` maps server field names to form field names).
 * Session ends are not shown here (the app returns to sign-in).
 */
export function showServerError(form, error, aliases = {}) {
  if (error instanceof SessionExpired) return;
  if (!(error instanceof ApiError)) {
    showFormError(form, 'The request could not be sent.', String(error?.message ?? error));
    return;
  }
  const code = error.code ? ` (${error.code})` : '';
  showFormError(form, `The server refused this${code}.`, error.message);
  const base = error.field.replace(/\[.*$/, '').split('.')[0];
  const name = aliases[base] ?? base;
  if (name) setFieldError(form, name, error.rule);
}

// A field's message goes away as soon as the field is changed.
for (const type of ['input', 'change']) {
  document.addEventListener(type, (event) => {
    const wrapper = event.target.closest?.('[data-field]');
    const form = event.target.form;
    if (!wrapper || !form || wrapper.querySelector('.field-error')?.hidden !== false) return;
    setFieldError(form, wrapper.dataset.field, '');
  });
}
