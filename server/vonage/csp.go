package vonage

import "e2eecall/server/csp"

// CSP returns base extended with what OpenTok.js 2.35 needs, and no more:
//   - connect-src: its config, API and logging hosts and its messaging
//     WebSocket, over https and wss; and data:, because its encryption
//     worker first fetches its embedded wasm from a data: URL (it falls back
//     to decoding it itself, but reports a violation each time);
//   - worker-src blob: for that worker and img-src data: for its icons
//     (both already in the strict base);
//   - style-src 'unsafe-inline': OpenTok.js injects its widget CSS as
//     <style> elements built at run time, without a nonce. A hash would have
//     to match their exact text, which OpenTok does not promise to keep, so
//     inline styles are allowed in style-src only; script-src stays
//     'self' 'wasm-unsafe-eval'.
func CSP(base csp.Policy) csp.Policy {
	return base.
		With("connect-src", "https://*.opentok.com", "wss://*.opentok.com", "https://*.tokbox.com", "wss://*.tokbox.com",
			"https://*.vonage.com", "wss://*.vonage.com", "data:").
		With("worker-src", "blob:").
		With("img-src", "data:").
		With("style-src", "'unsafe-inline'")
}
