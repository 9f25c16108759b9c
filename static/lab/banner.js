// The CSP lab's banner (server started with -csp-lab): a thin bar on every
// page that says which policy is in force, so that nobody mistakes a lab tab
// for the real thing. The server chose the policy from the page's ?csp=, and
// tells it again here.
'use strict';

(() => {
  // The lab page (/csp) runs under the server's own policy whatever its ?csp=.
  const chosen = location.pathname === '/csp' ? '' : new URLSearchParams(location.search).get('csp') || '';

  fetch(`/api/csp-lab/policy?csp=${encodeURIComponent(chosen)}`, { cache: 'no-store' })
    .then((res) => res.json())
    .then(show, () => show(null));

  function show(policy) {
    const bar = document.createElement('div');
    bar.className = 'lab-banner';
    bar.setAttribute('role', 'region');
    bar.setAttribute('aria-label', 'CSP lab');
    const text = document.createElement('span');
    if (!policy) {
      text.textContent = 'CSP lab: the policy in force could not be read.';
    } else if (policy.chosen) {
      text.textContent = `CSP lab: this tab runs under the “${policy.mode}” policy (?csp=${policy.mode}), not the server’s own.`;
    } else {
      text.textContent = `CSP lab: this tab runs under the server’s own policy (${policy.mode}).`;
    }
    bar.append(text);
    if (location.pathname !== '/csp') {
      const link = document.createElement('a');
      link.href = `/csp${chosen ? `?csp=${encodeURIComponent(chosen)}` : ''}`;
      link.target = '_blank';
      link.rel = 'noopener';
      link.textContent = 'Open the lab page';
      bar.append(' ', link);
    }
    document.body.append(bar);
    document.documentElement.classList.add('lab-on');
  }
})();
