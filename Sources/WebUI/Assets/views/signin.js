// Sign-in: the password grant of the embedded token endpoint, or an access token from an external issuer.
import { h, replace, icon } from '../dom.js';
import { signIn, signInWithToken, session, ApiError, claimsOf } from '../api.js';
import { field, showProblems, showFormError, clearErrors } from '../forms.js';
import { navigate, resumeTarget, afterSignIn } from '../app.js';

export async function renderSignIn({ main }) {
  const expired = sessionStorage.getItem('day2.expired') === '1';
  const username = h('input', { name: 'username', autocomplete: 'username', value: session.login || 'admin' });
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
  replace(main, h('div', { class: 'signin-page' }, h('div', { class: 'signin-stack' }, form, tokenForm())));
  (username.value ? password : username).focus();
}

/** The second way in: paste an access token (for example from the identity provider named by --jwt-jwks-url). */
function tokenForm() {
  const token = h('textarea', { name: 'token', rows: 4, spellcheck: 'false', autocomplete: 'off' });
  const submit = h('button', { type: 'submit' }, 'Sign in with the token');
  const form = h('form', { class: 'token-form', novalidate: true, 'aria-label': 'Sign in with an access token' },
    field('Access token', token, {
      required: true,
      hint: 'A bearer token from your identity provider, with the role <project UUID>_im-rw, _im-r or day2-admin.',
    }),
    h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const text = token.value.trim().replace(/^Bearer\s+/i, '');
    const problems = {};
    const claims = claimsOf(text);
    if (!text) problems.token = 'Paste an access token.';
    else if (text.split('.').length !== 3 || !Object.keys(claims).length) {
      problems.token = 'This is not a JSON Web Token (three dot-separated parts).';
    } else if (claims.exp && claims.exp * 1000 <= Date.now()) problems.token = 'This token has expired.';
    if (showProblems(form, problems)) return;
    submit.disabled = true;
    try {
      await signInWithToken(text);
      sessionStorage.removeItem('day2.expired');
      await afterSignIn();
      navigate(resumeTarget(), { replace: true });
    } catch (error) {
      const message = error instanceof ApiError && error.status === 401
        ? 'The server does not accept this token (signature, issuer or expiry).'
        : `Sign-in failed: ${error.message}`;
      showFormError(form, message);
      token.focus();
    } finally {
      submit.disabled = false;
    }
  });
  return h('details', { class: 'signin-token' },
    h('summary', {}, 'Sign in with an access token'), form);
}
