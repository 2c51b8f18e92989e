// Sign-in: the password grant of the embedded token endpoint.
import { h, replace, icon } from '../dom.js';
import { signIn, session, ApiError } from '../api.js';
import { field, showProblems, showFormError, clearErrors } from '../forms.js';
import { navigate, resumeTarget, afterSignIn } from '../app.js';

export async function renderSignIn({ main }) {
  const expired = sessionStorage.getItem('day2.expired') === '1';
  const username = h('input', { name: 'username', autocomplete: 'username', value: session.user || 'admin' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'signin-form', novalidate: true, 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to Day2'),
    expired ? h('p', { class: 'notice', role: 'status' }, icon('info'),
      h('span', {}, 'Your session has ended. Sign in again; what you typed is kept.')) : null,
    field('User name', username, { required: true }),
    field('Password', password, { required: true }),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const problems = {};
    if (!username.value.trim()) problems.username = 'Enter your user name.';
    if (!password.value) problems.password = 'Enter your password.';
    if (showProblems(form, problems)) return;
    submit.disabled = true;
    try {
      await signIn(username.value.trim(), password.value);
      sessionStorage.removeItem('day2.expired');
      await afterSignIn();
      navigate(resumeTarget(), { replace: true });
    } catch (error) {
      const message = error instanceof ApiError && error.status === 401
        ? 'The user name or password is wrong.' : `Sign-in failed: ${error.message}`;
      showFormError(form, message);
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  replace(main, h('div', { class: 'signin-page' }, form));
  (username.value ? password : username).focus();
}
