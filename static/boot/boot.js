// Explains, in words, why the app cannot start when the page's
// Content-Security-Policy blocks WebAssembly. Without this, go-app's loader
// would sit at "100%" forever. It is an external script so that it runs under
// the strict policy itself.
'use strict';

(() => {
  let shown = false;

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

  function element(tag, text) {
    const el = document.createElement(tag);
    el.textContent = text;
    return el;
  }
})();
