// A CSP lab try-it page (/csp/try/{mode}/{case}): does one thing that the
// policy may forbid, then tells the lab page (its parent) what the browser
// did. The server sends this page under the mode its path names.
'use strict';

(() => {
  const [mode, name] = location.pathname.split('/').slice(3); // /csp/try/{mode}/{case}
  const violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, disposition: e.disposition });
  });

  // Another origin served by this same server: 127.0.0.1 and localhost are
  // different origins.
  const otherOrigin = () => `${location.protocol}//${location.hostname === 'localhost' ? '127.0.0.1' : 'localhost'}` +
    (location.port ? `:${location.port}` : '');

  const cases = {
    'inline-script': async () => {
      window.labInlineRan = false;
      const script = document.createElement('script');
      script.textContent = 'window.labInlineRan = true;';
      document.body.append(script);
      return window.labInlineRan ? 'the inline <script> ran' : 'the inline <script> did not run';
    },
    'inline-style': async () => {
      const style = document.createElement('style');
      style.textContent = '#try-probe { color: rgb(1, 2, 3); }';
      document.head.append(style);
      const applied = getComputedStyle(document.getElementById('try-probe')).color === 'rgb(1, 2, 3)';
      return applied ? 'the inline <style> applied' : 'the inline <style> did not apply';
    },
    eval: async () => {
      try {
        return `eval('6 * 7') returned ${eval('6 * 7')}`; // eslint-disable-line no-eval
      } catch (err) {
        return `eval threw ${err.name}`;
      }
    },
    wasm: async () => {
      try {
        await WebAssembly.compile(new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
        return 'WebAssembly.compile compiled an empty module';
      } catch (err) {
        return `WebAssembly.compile threw ${err.name}`;
      }
    },
    connect: async () => {
      const url = `${otherOrigin()}/web/icons/icon.svg`;
      try {
        await fetch(url, { mode: 'no-cors', cache: 'no-store' });
        return `fetch(${url}) was answered`;
      } catch (err) {
        return `fetch(${url}) failed: ${err.name}`;
      }
    },
    image: () => new Promise((resolve) => {
      const img = new Image();
      const url = `${otherOrigin()}/web/icons/icon-192.png`;
      img.onload = () => resolve(`the image ${url} loaded`);
      img.onerror = () => resolve(`the image ${url} did not load`);
      img.src = url;
    }),
    'blob-worker': () => new Promise((resolve) => {
      const url = URL.createObjectURL(new Blob(['postMessage("ran")'], { type: 'text/javascript' }));
      try {
        const worker = new Worker(url);
        worker.onmessage = () => { worker.terminate(); resolve('the blob: worker ran'); };
        worker.onerror = () => resolve('the blob: worker did not start');
      } catch (err) {
        resolve(`new Worker threw ${err.name}`);
      }
    }),
  };

  async function run() {
    const result = document.getElementById('try-result');
    const action = cases[name];
    if (!action) {
      result.textContent = `no such case: ${name}`;
      return;
    }
    const outcome = await action();
    // securitypolicyviolation events are queued as tasks: let them arrive.
    await new Promise((resolve) => { setTimeout(resolve, 100); });
    const blocked = violations.some((v) => v.disposition === 'enforce');
    result.textContent = `${blocked ? 'Blocked' : 'Allowed'}: ${outcome}`;
    result.dataset.outcome = blocked ? 'blocked' : 'allowed';
    if (window.parent !== window) {
      window.parent.postMessage({ type: 'csp-lab-try', mode, case: name, blocked, outcome, violations }, location.origin);
    }
  }

  run();
})();
