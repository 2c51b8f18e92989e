// Building DOM without innerHTML: every text is a text node, so nothing the server returns can become markup.

/** Creates an element: h('a', {href: '#/x', class: 'y', onclick: fn}, 'text', child, [more]). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

function setAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'value' && 'value' in element) {
      element.value = value;
    } else if (name === 'checked' || name === 'selected' || name === 'disabled') {
      element[name] = Boolean(value);
      if (name === 'disabled') element.toggleAttribute('disabled', Boolean(value));
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
}

/** Appends children: strings, numbers, nodes, arrays of them; null/undefined/false are skipped. */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces every child of `parent`. */
export function replace(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

const SVG = 'http://www.w3.org/2000/svg';

// Icon shapes (24×24, stroked), drawn here so the page needs no icon font or other host.
const SHAPES = {
  info: ['circle:12,12,10', 'path:M12 16v-4', 'path:M12 8h.01'],
  alert: ['path:M10.3 3.9 1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z', 'path:M12 9v4', 'path:M12 17h.01'],
  check: ['circle:12,12,10', 'path:m8 12 3 3 5-6'],
  error: ['circle:12,12,10', 'path:m15 9-6 6', 'path:m9 9 6 6'],
  progress: ['path:M21 12a9 9 0 1 1-6.2-8.6', 'path:M21 4v5h-5'],
  unknown: ['circle:12,12,10', 'path:M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3', 'path:M12 17h.01'],
  server: ['rect:2,3,20,8,2', 'rect:2,13,20,8,2', 'path:M6 7h.01', 'path:M6 17h.01'],
  calendar: ['rect:3,4,18,18,2', 'path:M16 2v4', 'path:M8 2v4', 'path:M3 10h18'],
  shield: ['path:M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z', 'path:m9 12 2 2 4-4'],
  layers: ['path:m12 2 10 5-10 5L2 7z', 'path:m2 17 10 5 10-5', 'path:m2 12 10 5 10-5'],
  logout: ['path:M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4', 'path:m16 17 5-5-5-5', 'path:M21 12H9'],
  search: ['circle:11,11,7', 'path:m21 21-4.3-4.3'],
  rollout: ['path:m3 17 6-6 4 4 8-8', 'path:M14 7h7v7'],
  pause: ['rect:6,4,4,16,1', 'rect:14,4,4,16,1'],
  play: ['path:m6 4 14 8-14 8z'],
  stop: ['circle:12,12,10', 'rect:9,9,6,6,1'],
  star: ['path:m12 2 3.1 6.3 6.9 1-5 4.9 1.2 6.8-6.2-3.2-6.2 3.2 1.2-6.8-5-4.9 6.9-1z'],
};

/** An inline SVG icon; `label` makes it an image with that name, otherwise it is hidden from assistive tech. */
export function icon(name, { label, className = '' } = {}) {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', `icon icon-${name} ${className}`.trim());
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  svg.setAttribute('focusable', 'false');
  if (label) {
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', label);
    const title = document.createElementNS(SVG, 'title');
    title.textContent = label;
    svg.append(title);
  } else {
    svg.setAttribute('aria-hidden', 'true');
  }
  for (const shape of SHAPES[name] ?? SHAPES.unknown) {
    const [kind, spec] = shape.split(':');
    const node = document.createElementNS(SVG, kind);
    if (kind === 'path') node.setAttribute('d', spec);
    if (kind === 'circle') {
      const [cx, cy, r] = spec.split(',');
      Object.entries({ cx, cy, r }).forEach(([k, v]) => node.setAttribute(k, v));
    }
    if (kind === 'rect') {
      const [x, y, width, height, rx] = spec.split(',');
      Object.entries({ x, y, width, height, rx }).forEach(([k, v]) => node.setAttribute(k, v));
    }
    svg.append(node);
  }
  return svg;
}

let uniqueCounter = 0;
/** An ID unique within the page, for label/aria links. */
export function uid(prefix = 'id') {
  uniqueCounter += 1;
  return `${prefix}-${uniqueCounter}`;
}
