// The application shell: routes (in the address's #fragment), navigation, the session, live refresh, toasts.
import { h, replace, icon } from './dom.js';
import { api, session, onSessionExpired, SessionExpired } from './api.js';
import { saveOpenForms } from './drafts.js';
import { renderSignIn } from './views/signin.js';
import { renderHosts } from './views/hosts.js';
import { renderHost } from './views/host.js';
import { renderMaintenance, renderScheduleForm } from './views/maintenance.js';
import { renderPolicies, renderPolicyForm } from './views/policies.js';
import { renderProfiles } from './views/profiles.js';
import { renderRollouts } from './views/rollouts.js';
import { renderRolloutForm } from './views/rollout-form.js';
import { renderRollout } from './views/rollout.js';

const RESUME_KEY = 'day2.resume';

const routes = [
  { pattern: /^\/signin$/, render: renderSignIn, title: 'Sign in', public: true },
  { pattern: /^\/hosts$/, render: renderHosts, title: 'Hosts', nav: 'hosts' },
  { pattern: /^\/hosts\/([a-z]+-[0-9a-f]{8})(?:\/([a-z]+))?$/, render: renderHost, title: 'Host', nav: 'hosts' },
  { pattern: /^\/maintenance$/, render: renderMaintenance, title: 'Maintenance', nav: 'maintenance' },
  { pattern: /^\/maintenance\/new$/, render: renderScheduleForm, title: 'Schedule maintenance', nav: 'maintenance' },
  { pattern: /^\/policies$/, render: renderPolicies, title: 'OS update policies', nav: 'policies' },
  { pattern: /^\/policies\/new$/, render: renderPolicyForm, title: 'New OS update policy', nav: 'policies' },
  { pattern: /^\/profiles$/, render: renderProfiles, title: 'OS profiles', nav: 'profiles' },
  { pattern: /^\/rollouts$/, render: renderRollouts, title: 'Rollouts', nav: 'rollouts' },
  { pattern: /^\/rollouts\/new$/, render: renderRolloutForm, title: 'New rollout', nav: 'rollouts' },
  { pattern: /^\/rollouts\/(rollout-[0-9a-f]{8})$/, render: renderRollout, title: 'Rollout', nav: 'rollouts' },
];

const NAV = [
  ['hosts', '#/hosts', 'Hosts', 'server'],
  ['rollouts', '#/rollouts', 'Rollouts', 'rollout'],
  ['maintenance', '#/maintenance', 'Maintenance', 'calendar'],
  ['policies', '#/policies', 'OS update policies', 'shield'],
  ['profiles', '#/profiles', 'OS profiles', 'layers'],
];

let generation = 0;

/** The current route: {path, query (URLSearchParams)}. */
export function currentRoute() {
  const raw = location.hash.replace(/^#/, '') || '/hosts';
  const [path, search = ''] = raw.split('?');
  return { path, query: new URLSearchParams(search) };
}

/** Goes to `hash` ("#/hosts?…"). `replace` keeps the history entry. */
export function navigate(hash, { replace: replaceEntry = false } = {}) {
  if (location.hash === hash) {
    route();
  } else if (replaceEntry) {
    history.replaceState(null, '', hash);
    route();
  } else {
    location.hash = hash;
  }
}

/** A short message in the live region, gone after a few seconds. */
export function toast(message, tone = 'ok') {
  const area = document.getElementById('toasts');
  const note = h('div', { class: `toast toast-${tone}`, role: tone === 'bad' ? 'alert' : 'status' },
    icon(tone === 'bad' ? 'error' : 'check'), h('span', {}, message));
  area.append(note);
  setTimeout(() => note.remove(), 6000);
}

function shell(activeNav, showNav) {
  const nav = document.getElementById('nav');
  const user = document.getElementById('user-area');
  nav.hidden = !showNav;
  user.hidden = !showNav;
  replace(nav, h('ul', {}, NAV.map(([key, href, label, iconName]) => h('li', {},
    h('a', { href, 'aria-current': key === activeNav ? 'page' : false, class: key === activeNav ? 'active' : '' },
      icon(iconName), h('span', {}, label))))));
}

async function renderUserArea() {
  const area = document.getElementById('user-area');
  const select = h('select', { id: 'project-select', 'aria-label': 'Project' });
  try {
    const { projects } = await api.projects();
    for (const project of projects) {
      select.append(h('option', { value: project.name, selected: project.name === session.project }, project.name));
    }
    if (!projects.some((p) => p.name === session.project) && projects.length) {
      session.project = projects.find((p) => p.name === 'default')?.name ?? projects[0].name;
      select.value = session.project;
    }
  } catch (error) {
    if (error instanceof SessionExpired) return;
  }
  select.addEventListener('change', () => {
    session.project = select.value;
    navigate('#/hosts');
  });
  replace(area,
    h('label', { class: 'project-label', for: 'project-select' }, 'Project'), select,
    h('span', { class: 'user-name' }, session.user),
    h('button', {
      type: 'button', class: 'ghost', id: 'sign-out',
      onclick: () => {
        session.signOut();
        sessionStorage.removeItem(RESUME_KEY);
        navigate('#/signin');
      },
    }, icon('logout'), h('span', {}, 'Sign out')));
}

/** Renders the view of the current address. */
export async function route() {
  generation += 1;
  const mine = generation;
  const { path, query } = currentRoute();
  const match = routes.map((r) => ({ r, m: r.pattern.exec(path) })).find((x) => x.m);
  const main = document.getElementById('main');
  if (!match) {
    navigate('#/hosts', { replace: true });
    return;
  }
  const { r, m } = match;
  if (!r.public && !session.active) {
    sessionStorage.setItem(RESUME_KEY, location.hash || '#/hosts');
    navigate('#/signin', { replace: true });
    return;
  }
  shell(r.nav, !r.public);
  if (!r.public && !document.getElementById('project-select')) await renderUserArea();
  document.title = `${r.title} · Day2`;
  main.replaceChildren();
  main.setAttribute('aria-busy', 'true');
  const context = {
    params: m.slice(1),
    query,
    main,
    navigate,
    toast,
    /** Whether this view is still the one on screen. */
    get current() {
      return mine === generation;
    },
    /** Runs `task` now and then every `ms` while this view is on screen (paused while the tab is hidden). */
    every(ms, task) {
      const tick = async () => {
        if (mine !== generation) return;
        if (!document.hidden) {
          try {
            await task();
          } catch (error) {
            if (!(error instanceof SessionExpired)) console.warn('refresh failed', error.message);
          }
        }
        if (mine === generation) setTimeout(tick, ms);
      };
      setTimeout(tick, ms);
    },
    /** Changes the query of the current address in place (no new history entry, no new rendering). */
    updateQuery(values) {
      for (const [key, value] of Object.entries(values)) {
        if (value === '' || value === null || value === undefined || value === false) query.delete(key);
        else query.set(key, String(value));
      }
      const text = query.toString();
      history.replaceState(null, '', `#${path}${text ? `?${text}` : ''}`);
    },
    /** Changes the query of the current address without a new history entry, then renders again. */
    setQuery(values) {
      const next = new URLSearchParams(query);
      for (const [key, value] of Object.entries(values)) {
        if (value === '' || value === null || value === undefined) next.delete(key);
        else next.set(key, String(value));
      }
      const text = next.toString();
      navigate(`#${path}${text ? `?${text}` : ''}`, { replace: true });
    },
  };
  try {
    await r.render(context);
  } catch (error) {
    if (error instanceof SessionExpired) return;
    if (mine !== generation) return;
    replace(main, h('div', { class: 'panel error-panel', role: 'alert' },
      h('h1', {}, 'Something went wrong'), h('p', {}, error.message || String(error))));
  } finally {
    if (mine === generation) main.removeAttribute('aria-busy');
  }
  if (mine === generation && r.nav && context.focusMain !== false) {
    const heading = main.querySelector('h1');
    if (heading && document.activeElement === document.body) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }
}

/** Where to go after signing in: the page the session ended on, or the hosts page. */
export function resumeTarget() {
  const target = sessionStorage.getItem(RESUME_KEY);
  sessionStorage.removeItem(RESUME_KEY);
  return target && !target.startsWith('#/signin') ? target : '#/hosts';
}

/** After signing in: the project list and the user area are fetched again. */
export async function afterSignIn() {
  document.getElementById('user-area').replaceChildren();
  if (!session.project) session.project = 'default';
  await renderUserArea();
}

onSessionExpired(() => {
  if (currentRoute().path === '/signin') return;
  saveOpenForms();
  sessionStorage.setItem(RESUME_KEY, location.hash || '#/hosts');
  sessionStorage.setItem('day2.expired', '1');
  document.getElementById('user-area').replaceChildren();
  navigate('#/signin', { replace: true });
});

document.getElementById('skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  const main = document.getElementById('main');
  main.focus();
});

window.addEventListener('hashchange', route);
setInterval(() => session.check(), 5000);
route();
