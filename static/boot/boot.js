// Explains, in words, why the app cannot start: when the page's
// Content-Security-Policy blocks WebAssembly, or when app.wasm cannot be
// loaded (the network failed, the server answered an error). go-app writes
// the failure into its loader, which boot.css hides because the prerendered
// form shows instead: without this, the page would look alive and Join call
// would say "Starting…" forever. It is an external script so that it runs
// under the strict policy itself.
'use strict';

(() => {
  let shown = false;

  // go-app's loader says "Loading N%" until the app runs, and the error
  // (a TypeError, a CompileError) if loading app.wasm failed.
  const label = document.getElementById('app-wasm-loader-label');
  if (label) {
    new MutationObserver((_, observer) => {
      const text = label.textContent.trim();
      if (shown || /^Loading \d+%$/.test(text) || text === '') {
        return;
      }
      observer.disconnect();
      if (/Content Security Policy/i.test(text)) {
        return; // the securitypolicyviolation event explains it
      }
      shown = true;
      showLoadFailed(text);
    }).observe(label, { childList: true, characterData: true, subtree: true });
  }

  document.addEventListener('securitypolicyviolation', (event) => {
    if (shown || event.blockedURI !== 'wasm-eval' || event.disposition !== 'enforce') {
      return;
    }
    shown = true;
    showWasmBlocked(event.effectiveDirective || 'script-src');
  });

  /** @param {string} directive the directive that refused to compile WebAssembly */
  function showWasmBlocked(directive) {
    const loader = document.getElementById('app-wasm-loader');
    if (loader) {
      loader.classList.add('boot-hidden');
    }
    const box = document.createElement('div');
    box.className = 'boot-error';
    box.setAttribute('role', 'alert');
    box.append(
      element('h1', 'The app cannot start: this page\u2019s Content-Security-Policy blocks WebAssembly'),
      element('p', 'e2eecall is written in Go and runs as WebAssembly, and end-to-end encryption needs it too. ' +
        'The policy\u2019s ' + directive + ' directive does not allow WebAssembly to be compiled.'),
      element('p', 'To fix it, add \u2018wasm-unsafe-eval\u2019 to ' + directive + ', for example:'),
      element('code', "script-src 'self' 'wasm-unsafe-eval'"),
      element('p', 'This does not allow JavaScript eval. If you started the server with -csp no-wasm, ' +
        'or opened this page with ?csp=no-wasm in CSP lab mode, this is the failure that mode reproduces on purpose: ' +
        'restart the server without that flag, or open the page without ?csp=no-wasm.'),
    );
    document.body.append(box);
  }

  /** @param {string} error what go-app's loader caught */
  function showLoadFailed(error) {
    const box = document.createElement('div');
    box.className = 'boot-banner';
    box.setAttribute('role', 'alert');
    const reload = element('button', 'Reload');
    reload.type = 'button';
    reload.addEventListener('click', () => location.reload());
    box.append(
      element('strong', 'The app could not be loaded, so you cannot join yet.'),
      element('span', 'Check your connection, then reload the page. (' + error + ')'),
      reload,
    );
    document.body.prepend(box);
    document.dispatchEvent(new CustomEvent('e2eecall:load-failed'));
  }

  function element(tag, text) {
    const el = document.createElement(tag);
    el.textContent = text;
    return el;
  }
})();
