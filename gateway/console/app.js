// The console's shell: sign-in, the signed-in user's profile, and the tabs. Every view talks to
// the same public API and WebSocket as any other client.
import { Api, devSignIn } from './api.js';
import { byId, describeError } from './dom.js';
import { ChatView } from './chat.js';
import { GoalsView } from './goals.js';
import { ScheduleView } from './schedule.js';
import { MemoryView } from './memory.js';
import { OperationsView } from './operations.js';

const TOKEN_KEY = 'aimi.console.token';
let current = null; // {api, session, views}

function showError(error) {
  // An expired or revoked token: back to the sign-in, saying why.
  if (error && error.status === 401 && current) {
    signOut(`Your session ended (${error.code}): sign in again.`);
    return;
  }
  const target = current && !byId('app').hidden ? byId('who') : byId('sign-in-error');
  target.textContent = describeError(error);
  target.classList.add('error');
}

function showSignIn(message = '') {
  byId('sign-in').hidden = false;
  byId('app').hidden = true;
  byId('sign-out').hidden = true;
  byId('who').textContent = '';
  byId('sign-in-error').textContent = message;
  byId('dev-sign-in').hidden = document.querySelector('meta[name="aimi-dev-sign-in"]').content !== 'on';
}

async function signIn(token, { registered = true } = {}) {
  const api = new Api(token.trim());
  let claims;
  try {
    claims = api.claims();
  } catch {
    throw new Error('that is not a token (expected three dot-separated parts)');
  }
  if (!registered) return askToRegister(api, claims);
  const user = await api.get(`/v1/users/${claims.sub}`).catch((error) => {
    if (error.status === 404) return null;
    throw error;
  });
  if (!user) return askToRegister(api, claims);
  sessionStorage.setItem(TOKEN_KEY, api.token);
  start(api, claims, user);
}

function askToRegister(api, claims) {
  const form = byId('register-form');
  form.hidden = false;
  byId('register-name').value = '';
  byId('register-name').focus();
  form.onsubmit = async (event) => {
    event.preventDefault();
    try {
      const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
      const user = await api.post('/v1/users', { display_name: byId('register-name').value.trim(), time_zone: timeZone });
      form.hidden = true;
      sessionStorage.setItem(TOKEN_KEY, api.token);
      start(api, claims, user);
    } catch (error) {
      showError(error);
    }
  };
}

function start(api, claims, user) {
  const session = { userId: claims.sub, role: claims.role, timeZone: user.time_zone || 'UTC' };
  const views = {
    chat: new ChatView(api, session, showError),
    goals: new GoalsView(api, showError),
    schedule: new ScheduleView(api, session),
    memory: new MemoryView(api, session, showError),
    operations: claims.role === 'admin' ? new OperationsView(api, session, showError) : null,
  };
  current = { api, session, views };
  byId('sign-in').hidden = true;
  byId('register-form').hidden = true;
  byId('app').hidden = false;
  byId('sign-out').hidden = false;
  byId('who').classList.remove('error');
  byId('who').textContent = `${user.display_name} (${claims.role}, ${session.timeZone})`;
  byId('tab-operations').hidden = claims.role !== 'admin';
  views.chat.start().catch(showError);
  open(viewFromHash());
}

function viewFromHash() {
  const name = window.location.hash.replace(/^#/, '');
  return ['chat', 'goals', 'schedule', 'memory', 'operations'].includes(name) ? name : 'chat';
}

function open(name) {
  if (!current) return;
  if (name === 'operations' && !current.views.operations) name = 'chat';
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.dataset.view === name;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    byId(`view-${tab.dataset.view}`).hidden = !selected;
  }
  if (current.views.operations && name !== 'operations') current.views.operations.hide();
  const view = current.views[name];
  if (view && view.show) Promise.resolve(view.show()).catch(showError);
  if (window.location.hash !== `#${name}`) history.replaceState(null, '', `#${name}`);
}

function signOut(message = '') {
  if (current) current.views.chat.stop();
  if (current && current.views.operations) current.views.operations.hide();
  current = null;
  sessionStorage.removeItem(TOKEN_KEY);
  showSignIn(message);
}

function wire() {
  byId('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    signIn(byId('token-input').value).catch(showError);
  });
  for (const [button, role] of [['dev-user', 'user'], ['dev-admin', 'admin']]) {
    byId(button).addEventListener('click', () => devSignIn(role)
      .then((answer) => signIn(answer.token, { registered: answer.registered }))
      .catch(showError));
  }
  byId('sign-out').addEventListener('click', () => signOut());
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    tab.addEventListener('click', () => open(tab.dataset.view));
    tab.addEventListener('keydown', (event) => {
      if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
      const tabs = [...document.querySelectorAll('[role="tab"]:not([hidden])')];
      const next = tabs[(tabs.indexOf(tab) + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
      next.focus();
      open(next.dataset.view);
    });
  }
  window.addEventListener('hashchange', () => open(viewFromHash()));
}

wire();
showSignIn();
const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) signIn(saved).catch(() => showSignIn('Your session ended: sign in again.'));
