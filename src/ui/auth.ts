// Signing in to a bridge whose API requires credentials: the first 401 opens a form (a token,
// or user and password, as the server's WWW-Authenticate asks); what the user gives is kept in
// sessionStorage (gone when the tab closes) and sent as `Authorization` on every API request.
// pprof download links are fetched with the same header, so no credential goes into a URL.
import { useSend } from './api.js';
import { h, replace } from './dom.js';

const KEY = 'otel-profile-bridge.authorization';
/** Marks the UI's requests; the server then names Basic so that browsers open no dialog. */
const UI_MARK = 'otel-profile-bridge-ui';

export function authHeaders(): Record<string, string> {
  const a = sessionStorage.getItem(KEY);
  return a ? { authorization: a, 'x-requested-with': UI_MARK } : { 'x-requested-with': UI_MARK };
}

let pending: Promise<void> | null = null;

/**
 * Called on a 401: asks for credentials (one form for all requests waiting at that moment)
 * and resolves once the user has given them; the caller then retries.
 */
export function signIn(challenge: string): Promise<void> {
  const wasSignedIn = sessionStorage.getItem(KEY) !== null;
  sessionStorage.removeItem(KEY);
  pending ??= showForm(challenge, wasSignedIn).finally(() => {
    pending = null;
  });
  return pending;
}

function showForm(challenge: string, rejected: boolean): Promise<void> {
  const basic = /\b(?:UI-)?Basic\b/i.test(challenge);
  const bearer = /\bBearer\b/i.test(challenge) || !basic;
  return new Promise((resolve) => {
    const mode = h(
      'select',
      { name: 'mode', 'data-testid': 'login-mode' },
      bearer ? h('option', { value: 'token' }, 'Token') : null,
      basic ? h('option', { value: 'basic' }, 'User and password') : null,
    );
    const token = h('input', { type: 'password', name: 'token', autocomplete: 'off', placeholder: 'token', 'data-testid': 'login-token' });
    const user = h('input', { type: 'text', name: 'username', autocomplete: 'username', placeholder: 'user', 'data-testid': 'login-user' });
    const password = h('input', {
      type: 'password',
      name: 'password',
      autocomplete: 'current-password',
      placeholder: 'password',
      'data-testid': 'login-password',
    });
    const fields = h('div', { class: 'login-fields' });
    const show = () => replace(fields, mode.value === 'basic' ? [user, password] : [token]);
    mode.addEventListener('change', show);
    show();
    const form = h(
      'form',
      { class: 'login panel', 'data-testid': 'login-form' },
      h('h2', null, 'Sign in'),
      h('p', { class: 'muted' }, 'This bridge requires credentials to read its profiles.'),
      rejected ? h('p', { class: 'error', 'data-testid': 'login-error' }, 'Those credentials were not accepted.') : null,
      bearer && basic ? mode : null,
      fields,
      h('button', { type: 'submit', 'data-testid': 'login-submit' }, 'Sign in'),
    );
    const overlay = h('div', { class: 'login-overlay', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Sign in' }, form);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const value = mode.value === 'basic' ? `Basic ${base64(`${user.value}:${password.value}`)}` : `Bearer ${token.value.trim()}`;
      sessionStorage.setItem(KEY, value);
      overlay.remove();
      resolve();
    });
    document.body.appendChild(overlay);
    (mode.value === 'basic' ? user : token).focus();
  });
}

function base64(text: string): string {
  let bin = '';
  for (const b of new TextEncoder().encode(text)) bin += String.fromCharCode(b);
  return btoa(bin);
}

/** Fetch with the session's credentials; on 401, sign in and retry. */
export async function authedFetch(url: string, init: RequestInit = {}): Promise<Response> {
  for (;;) {
    const res = await fetch(url, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...authHeaders() } });
    if (res.status !== 401) return res;
    await res.arrayBuffer();
    await signIn(res.headers.get('www-authenticate') ?? '');
  }
}

/** pprof links (`download`): fetched with the header, then saved from a blob URL. */
function installDownloads(): void {
  document.addEventListener('click', (ev) => {
    const a = (ev.target as Element | null)?.closest?.('a[download]') as HTMLAnchorElement | null;
    if (!a || a.dataset.fetched || !sessionStorage.getItem(KEY)) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return;
    ev.preventDefault();
    void (async () => {
      const res = await authedFetch(url.pathname + url.search);
      if (!res.ok) return;
      const name = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1] ?? 'profile.pb.gz';
      const blobUrl = URL.createObjectURL(await res.blob());
      const tmp = h('a', { href: blobUrl, download: name, 'data-fetched': '1', hidden: true });
      document.body.appendChild(tmp);
      tmp.click();
      tmp.remove();
      setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000);
    })();
  });
}

useSend(authedFetch);
installDownloads();
