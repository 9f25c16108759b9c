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

  // go-app's loader stops its icon spinning and writes the error (a
  // TypeError, a CompileError) in its label if loading app.wasm failed. It
  // may have failed before this script runs (app.js runs first, and a blocked
  // compile fails as soon as app.wasm's headers arrive), and by then the label
  // may say "Loading N%" again: go-app's download pump goes on reporting after
  // the compile failed. So the loader is checked now and on every change.
  const loader = document.getElementById('app-wasm-loader');
  const label = document.getElementById('app-wasm-loader-label');
  const icon = document.getElementById('app-wasm-loader-icon');
  if (loader && label && icon && !explainFailure()) {
    const observer = new MutationObserver(() => {
      if (explainFailure()) {
        observer.disconnect();
      }
    });
    observer.observe(loader, { childList: true, characterData: true, subtree: true, attributes: true, attributeFilter: ['class'] });
  }

  /**
   * Explains a failed load, once.
   * @returns {boolean} whether there is nothing more to watch for
   */
  function explainFailure() {
    if (shown) {
      return true;
    }
    if (icon.classList.contains('goapp-spin')) {
      return false; // still loading
    }
    shown = true;
    const text = label.textContent.trim();
    const directive = blockingDirective(text) ?? probeWasm();
    if (directive) {
      showWasmBlocked(directive);
    } else {
      showLoadFailed(/^Loading \d+%$/.test(text) ? 'the download of app.wasm failed' : text);
    }
    return true;
  }

  /**
   * @param {string} message an error's message
   * @returns {string|null} the directive, if the page's policy refused to compile WebAssembly
   */
  function blockingDirective(message) {
    if (!/Content Security Policy/i.test(message)) {
      return null;
    }
    return /Content Security Policy directive: "([a-z-]+)/i.exec(message)?.[1] ?? 'script-src';
  }

  /**
   * Compiles an empty module, to tell a blocked compile from a failed
   * download when go-app's label no longer says which.
   * @returns {string|null} the directive, if the page's policy refuses to compile WebAssembly
   */
  function probeWasm() {
    try {
      new WebAssembly.Module(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
      return null;
    } catch (e) {
      return blockingDirective(String(e && e.message));
    }
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
