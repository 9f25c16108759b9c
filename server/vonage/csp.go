package vonage

import "e2eecall/server/csp"

// The <style> elements OpenTok.js 2.35.2 injects at load, by hash: first an
// empty one, then its widget CSS. Measured by loading the pinned
// opentok.min.js in Chromium and hashing each element's text; the Vonage
// browser test (zero violations) fails if a new version changes them.
const (
	openTokEmptyStyle  = "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"
	openTokWidgetStyle = "'sha256-JAt5aCOX5D01HuArPrLRKiM6OfRElkfTL8jgNlcvRyQ='"
)

// CSP returns base extended with what OpenTok.js 2.35 needs, and no more:
//   - connect-src: its config, API and logging hosts and its messaging
//     WebSocket, over https and wss; and data:, because its encryption
//     worker first fetches its embedded wasm from a data: URL (it falls back
//     to decoding it itself, but reports a violation each time);
//   - worker-src blob: for that worker and img-src data: for its icons
//     (both already in the strict base);
//   - style-src: the hashes of the two <style> elements it injects, so
//     inline styles stay blocked; script-src stays 'self' 'wasm-unsafe-eval'.
func CSP(base csp.Policy) csp.Policy {
	return base.
		With("connect-src", "https://*.opentok.com", "wss://*.opentok.com", "https://*.tokbox.com", "wss://*.tokbox.com",
			"https://*.vonage.com", "wss://*.vonage.com", "data:").
		With("worker-src", "blob:").
		With("img-src", "data:").
		With("style-src", openTokEmptyStyle, openTokWidgetStyle)
}
