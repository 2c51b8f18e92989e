// What was typed in open forms survives a session that ends: kept in sessionStorage by form, put back when the
// form is built again after signing in.

const KEY = 'day2.drafts';

function all() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) || '{}');
  } catch {
    return {};
  }
}

function fieldsOf(form) {
  return [...form.elements].filter((e) => e.name && !['submit', 'button', 'password', 'file'].includes(e.type));
}

/** Saves every form marked data-draft on the page. */
export function saveOpenForms(root = document) {
  const drafts = all();
  for (const form of root.querySelectorAll('form[data-draft]')) {
    const values = {};
    for (const field of fieldsOf(form)) {
      if (field.type === 'checkbox' || field.type === 'radio') {
        values[`${field.name}=${field.value}`] = field.checked;
      } else if (field.multiple) {
        values[field.name] = [...field.selectedOptions].map((o) => o.value);
      } else {
        values[field.name] = field.value;
      }
    }
    drafts[form.dataset.draft] = values;
  }
  sessionStorage.setItem(KEY, JSON.stringify(drafts));
}

/** Puts a saved draft back into `form` (fields in document order, each followed by its change events); returns it. */
export function restoreDraft(form) {
  const values = all()[form.dataset.draft];
  if (!values) return null;
  for (const field of fieldsOf(form)) {
    let changed = false;
    if (field.type === 'checkbox' || field.type === 'radio') {
      const key = `${field.name}=${field.value}`;
      if (key in values) {
        field.checked = values[key];
        changed = true;
      }
    } else if (field.name in values) {
      if (field.multiple) {
        for (const option of field.options) option.selected = values[field.name].includes(option.value);
      } else {
        field.value = values[field.name];
      }
      changed = true;
    }
    if (changed) {
      field.dispatchEvent(new Event('input', { bubbles: true }));
      field.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }
  return values;
}

/** Forgets the draft of `key` (after the form was sent). */
export function clearDraft(key) {
  const drafts = all();
  delete drafts[key];
  sessionStorage.setItem(KEY, JSON.stringify(drafts));
}
