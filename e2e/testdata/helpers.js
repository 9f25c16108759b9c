// Installed in every page before its own scripts (through the DevTools
// protocol, so the page's CSP does not apply). Tests find elements the way a
// person does: by a field's label, a control's accessible name, a role, and
// visible text; and they count CSP violations the page sees.
(() => {
  const violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    violations.push({
      directive: e.effectiveDirective, blocked: e.blockedURI, disposition: e.disposition,
      source: e.sourceFile, line: e.lineNumber, sample: e.sample,
    });
  }, true);

  const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
  const visible = (el) => !!el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const nameOf = (el) => norm(el.getAttribute('aria-label')) ||
    norm((el.getAttribute('aria-labelledby') || '').split(' ').map((id) => document.getElementById(id)?.textContent).join(' ')) ||
    norm(el.textContent) || norm(el.value) || norm(el.title);
  const implicitRoles = { button: 'button, input[type=button], input[type=submit]', link: 'a[href]', checkbox: 'input[type=checkbox]', textbox: 'input:not([type]), input[type=text], input[type=password], textarea' };

  window.__e2e = {
    violations,
    /** The form control whose <label> reads exactly text. */
    field(text) {
      for (const label of document.querySelectorAll('label')) {
        if (norm(label.textContent) !== text && norm(label.firstChild?.textContent) !== text) continue;
        const el = label.htmlFor ? document.getElementById(label.htmlFor) : label.querySelector('input, textarea, select');
        if (el) return el;
      }
      return null;
    },
    /** Every visible element with the role whose accessible name contains name. */
    all(role, name = '') {
      const selector = `[role="${role}"]` + (implicitRoles[role] ? ', ' + implicitRoles[role] : '');
      return [...document.querySelectorAll(selector)].filter((el) => visible(el) && nameOf(el).includes(name));
    },
    /** The visible element with the role and exactly the accessible name. */
    role(role, name) {
      return this.all(role, name).find((el) => nameOf(el) === name) || null;
    },
    button(name) { return this.role('button', name); },
    /**
     * How many frames of the video in name's tile have been shown: the tile
     * is the nearest ancestor of a <video> whose text includes name. It
     * counts with requestVideoFrameCallback from the first call on, so a
     * still picture left on screen does not count.
     */
    framesOf(name) {
      for (const video of document.querySelectorAll('video')) {
        let tile = video.parentElement;
        while (tile && !norm(tile.innerText)) tile = tile.parentElement;
        if (!tile || !norm(tile.innerText).includes(name)) continue;
        if (video.__frames === undefined) {
          video.__frames = 0;
          const count = () => { video.__frames++; video.requestVideoFrameCallback(count); };
          video.requestVideoFrameCallback(count);
        }
        return video.__frames;
      }
      return -1;
    },
    /**
     * The average colour of the picture in name's tile now, {r, g, b}, or
     * null: Chromium's fake cameras differ (fake_device_0 is green,
     * fake_device_1 grey), so a colour says which camera a video comes from.
     */
    colorOf(name) {
      for (const video of document.querySelectorAll('video')) {
        let tile = video.parentElement;
        while (tile && !norm(tile.innerText)) tile = tile.parentElement;
        if (!tile || !norm(tile.innerText).includes(name) || !video.videoWidth) continue;
        const canvas = document.createElement('canvas');
        canvas.width = 32;
        canvas.height = 24;
        const g = canvas.getContext('2d', { willReadFrequently: true });
        g.drawImage(video, 0, 0, 32, 24);
        const d = g.getImageData(0, 0, 32, 24).data;
        const sum = [0, 0, 0];
        for (let i = 0; i < d.length; i += 4) { sum[0] += d[i]; sum[1] += d[i + 1]; sum[2] += d[i + 2]; }
        const n = d.length / 4;
        return { r: sum[0] / n, g: sum[1] / n, b: sum[2] / n };
      }
      return null;
    },
    /** The text of the live-region banners that mention every one of words. */
    banner(...words) {
      for (const region of document.querySelectorAll('[aria-live], [role=alert], [role=status]')) {
        for (const el of region.querySelectorAll('*')) {
          const text = norm(el.innerText);
          if (visible(el) && words.every((w) => text.includes(w))) return text;
        }
      }
      return '';
    },
    /** Resolves with Date.now() once cond() is true (polled every 5 ms). */
    until(cond, timeout = 30000) {
      const start = Date.now();
      return new Promise((resolve, reject) => {
        const poll = () => {
          if (cond()) return resolve(Date.now());
          if (Date.now() - start > timeout) return reject(new Error('timed out'));
          setTimeout(poll, 5);
        };
        poll();
      });
    },
    /** All text a person can read on the page. */
    text() { return norm(document.body.innerText); },
    /** Whether the visible text contains s. */
    sees(s) { return this.text().includes(s); },
    /**
     * Calls fn with every session OT.initSession returns, from a script
     * that runs before the page's own (addScriptBeforeLoad); OT is hooked
     * when it is set, on the first call only.
     */
    onSession(fn) {
      sessionWatchers.push(fn);
      if (sessionWatchers.length > 1) return;
      let ot;
      Object.defineProperty(window, 'OT', {
        configurable: true,
        get: () => ot,
        set(value) {
          ot = value;
          const initSession = value.initSession.bind(value);
          value.initSession = (...args) => {
            const session = initSession(...args);
            for (const watch of sessionWatchers) watch(session);
            return session;
          };
        },
      });
    },
  };
  const sessionWatchers = [];
})();
