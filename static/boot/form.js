// Keeps the prerendered join form alive until the app (Go, WebAssembly) runs.
// A person can type, show or hide the secret, and press Join call before the
// wasm has started; the app then reads the form as it is (app/ui: adopt) and
// joins if Join call was pressed. When go-app replaces the prerendered form
// with its own elements, this puts the focus and the caret back where they
// were, before any further key press can land. External, so that it runs
// under the strict Content-Security-Policy.
'use strict';

(() => {
  const root = document.body.firstElementChild; // the prerendered app, which go-app replaces
  const form = root && root.querySelector('form.join-form');
  // go-app removes its loader as soon as the app runs: then the form is the
  // app's own (the wasm came from a cache before this script did).
  if (!form || !document.getElementById('app-wasm-loader')) {
    return;
  }
  const join = form.querySelector('button[type=submit]');
  const toggle = form.querySelector('button[aria-controls=secret]');
  const secret = form.querySelector('#secret');
  let caret = null; // the focused field and its selection

  join.disabled = false; // until the app runs, Join call is remembered here
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!root.isConnected) {
      return;
    }
    form.dataset.joinRequested = 'true';
    join.textContent = 'Starting…';
    if (!form.querySelector('.starting')) {
      const status = document.createElement('p');
      status.className = 'hint starting';
      status.setAttribute('role', 'status');
      status.textContent = 'The app is starting: you will join as soon as it runs.';
      join.after(status);
    }
  });
  // boot.js: app.wasm could not be loaded, so an early Join will not happen.
  document.addEventListener('e2eecall:load-failed', () => {
    delete form.dataset.joinRequested;
    join.textContent = 'Join call';
    join.disabled = true;
    form.querySelector('.starting')?.remove();
  });
  toggle.addEventListener('click', () => {
    const show = secret.type === 'password';
    secret.type = show ? 'text' : 'password';
    toggle.textContent = show ? 'Hide' : 'Show';
    toggle.setAttribute('aria-pressed', String(show));
  });

  const remember = () => {
    const el = document.activeElement;
    caret = el && el.id && root.contains(el) ?
      { id: el.id, start: el.selectionStart, end: el.selectionEnd, direction: el.selectionDirection } : caret;
  };
  for (const type of ['focusin', 'input', 'keyup', 'mouseup', 'select', 'selectionchange']) {
    document.addEventListener(type, remember, true);
  }
  document.addEventListener('focusout', () => queueMicrotask(() => {
    if (root.isConnected && !root.contains(document.activeElement)) {
      caret = null;
    }
  }), true);

  // Mutation observers run before the next task, so before the next key.
  new MutationObserver((_, observer) => {
    if (root.isConnected) {
      return;
    }
    observer.disconnect();
    const el = caret && document.getElementById(caret.id);
    if (el) {
      el.focus();
      if (caret.start !== null && typeof el.setSelectionRange === 'function') {
        el.setSelectionRange(caret.start, caret.end, caret.direction);
      }
    }
  }).observe(document.body, { childList: true });
})();
