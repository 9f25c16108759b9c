package csp

import (
	"net/url"
	"strings"
)

// Explained is one directive of a policy in words, for the CSP lab page.
type Explained struct {
	Directive string            `json:"directive"`
	Meaning   string            `json:"meaning"` // what the directive governs
	Sources   []ExplainedSource `json:"sources"`
}

// ExplainedSource is one source of a directive: what it allows there, and
// why this app needs it.
type ExplainedSource struct {
	Source string `json:"source"`
	Allows string `json:"allows"`
	Why    string `json:"why,omitempty"`
}

// Explain describes every directive and source of p.
func Explain(p Policy) []Explained {
	out := make([]Explained, 0, len(p.directives))
	for _, d := range p.directives {
		e := Explained{Directive: d.Name, Meaning: directiveMeanings[d.Name], Sources: []ExplainedSource{}}
		if e.Meaning == "" {
			e.Meaning = "a directive this page does not explain; see the CSP specification"
		}
		for _, s := range d.Sources {
			e.Sources = append(e.Sources, ExplainedSource{Source: s, Allows: sourceMeaning(s), Why: why(d.Name, s)})
		}
		out = append(out, e)
	}
	return out
}

var directiveMeanings = map[string]string{
	"default-src":     "the fallback for every fetch directive this policy does not name (fonts, frames, manifests…)",
	"script-src":      "scripts: files, inline code, eval, and compiling WebAssembly",
	"script-src-elem": "<script> elements only (falls back to script-src)",
	"script-src-attr": "inline event handlers such as onclick (falls back to script-src)",
	"style-src":       "stylesheets, <style> elements and style attributes",
	"style-src-elem":  "stylesheets and <style> elements only (falls back to style-src)",
	"style-src-attr":  "style attributes only (falls back to style-src)",
	"worker-src":      "Worker, SharedWorker and service worker scripts",
	"connect-src":     "fetch, XMLHttpRequest, WebSocket and EventSource",
	"img-src":         "images and icons",
	"media-src":       "audio and video",
	"font-src":        "fonts",
	"frame-src":       "pages this page may show in frames",
	"child-src":       "frames and workers, where frame-src or worker-src is missing",
	"manifest-src":    "the web app manifest",
	"object-src":      "plugins: <object> and <embed>",
	"base-uri":        "what a <base> element may set as the base of relative URLs",
	"form-action":     "where forms may be submitted",
	"frame-ancestors": "which pages may show this page in a frame",
	"report-uri":      "where the browser POSTs violation reports at once (application/csp-report)",
	"report-to":       "the Reporting API group (named in Reporting-Endpoints) that receives violation reports, in batches",
}

func sourceMeaning(s string) string {
	switch {
	case s == "'self'":
		return "this page's own origin (scheme, host and port)"
	case s == "'none'":
		return "nothing at all"
	case s == "'wasm-unsafe-eval'":
		return "compiling and instantiating WebAssembly, but not JavaScript eval"
	case s == "'unsafe-eval'":
		return "eval, new Function and string timers, and WebAssembly"
	case s == "'unsafe-inline'":
		return "every inline script or style: what CSP is meant to stop"
	case s == "'unsafe-hashes'":
		return "hashes to match event handlers and style attributes too"
	case s == "'strict-dynamic'":
		return "scripts loaded by an already trusted script"
	case strings.HasPrefix(s, "'sha256-"), strings.HasPrefix(s, "'sha384-"), strings.HasPrefix(s, "'sha512-"):
		return "the one inline script or style whose text has this hash"
	case strings.HasPrefix(s, "'nonce-"):
		return "inline elements that carry this nonce"
	case s == "blob:":
		return "blob: URLs, made by the page from data it holds (URL.createObjectURL)"
	case s == "data:":
		return "data: URLs, whose content is written in the URL itself"
	case s == "mediastream:":
		return "mediastream: URLs (camera and remote streams)"
	case strings.HasPrefix(s, "/"):
		return "the endpoint at this path"
	case strings.HasSuffix(s, ":"):
		return "every URL with the " + s + " scheme"
	case strings.Contains(s, "://") || strings.Contains(s, "."):
		return "this host (a * matches any subdomain)"
	}
	return "a group or keyword of this directive"
}

// why says why this app's policy has a source, where it is the app's own
// choice.
func why(directive, s string) string {
	switch directive + " " + s {
	case "default-src 'self'":
		return "everything comes from this server; nothing from CDNs"
	case "script-src 'self'":
		return "go-app's app.js, wasm_exec.js, boot.js and the OpenTok library, all served by this binary"
	case "script-src 'wasm-unsafe-eval'":
		return "the app is Go compiled to WebAssembly, and OpenTok.js's encryption engine is WebAssembly too: both need compiling, none needs eval"
	case "worker-src 'self'":
		return "go-app's service worker (/app-worker.js) and our library's encryption worker (/web/ot/worker.js)"
	case "worker-src blob:":
		return "OpenTok.js (Vonage backend) starts its encryption worker from a blob: URL"
	case "connect-src 'self'":
		return "the session API, the signaling WebSocket (CSP3 'self' covers ws: to the same host), the wasm download and these reports"
	case "connect-src data:":
		return "OpenTok.js's encryption worker first fetches its embedded wasm from a data: URL"
	case "style-src 'self'":
		return "app.css and boot.css; there is no inline style anywhere"
	case "img-src 'self'":
		return "the app's icons"
	case "img-src data:":
		return "OpenTok.js's small icons are data: URLs"
	case "img-src blob:":
		return "pictures the page makes itself, such as snapshots of a video"
	case "media-src 'self'", "media-src blob:", "media-src mediastream:":
		return "the camera preview and the others' video are MediaStreams played in <video>"
	case "object-src 'none'":
		return "no plugins: nothing to exploit there"
	case "base-uri 'none'":
		return "an injected <base> could otherwise send relative script URLs elsewhere"
	case "form-action 'self'":
		return "the join form is handled in the page and posts nowhere else"
	case "frame-ancestors 'none'":
		return "no other page may frame the call (clickjacking)"
	case "frame-ancestors 'self'":
		return "CSP lab only: the lab page frames its try-it pages"
	}
	switch {
	case directive == "style-src" && strings.HasPrefix(s, "'sha256-"):
		return "one of the two <style> elements OpenTok.js injects (Vonage backend): allowed by hash, so other inline styles stay blocked"
	case directive == "connect-src" && (strings.Contains(s, "opentok.com") || strings.Contains(s, "tokbox.com") || strings.Contains(s, "vonage.com")):
		return "OpenTok.js talks to Vonage's servers (Vonage backend)"
	case directive == "report-uri" || directive == "report-to":
		return "so that violations reach /api/csp-reports, and this page"
	}
	return ""
}

// Fix says what change to the policy would allow what r reports, or "" when
// there is nothing sensible to suggest. It names the directive the policy
// actually has (script-src for a script-src-elem violation when the policy
// has no script-src-elem), so that the change does not stop a fallback.
func Fix(r Report) string {
	d := presentDirective(r.EffectiveDirective, r.OriginalPolicy)
	blocked := r.BlockedURL
	switch blocked {
	case "inline":
		if strings.HasSuffix(r.EffectiveDirective, "-attr") {
			return "move it into a file (a class in a stylesheet, a listener in a script); or add 'unsafe-hashes' and its hash to " + d
		}
		return "move it into a file served from 'self'; or add its hash ('sha256-…' of its text) to " + d + "; 'unsafe-inline' would allow every injected one too"
	case "eval":
		return "add 'unsafe-eval' to " + d + " (it allows eval everywhere; better, do without eval)"
	case "wasm-eval":
		return "add 'wasm-unsafe-eval' to " + d + " (WebAssembly only, not eval)"
	case "", "trusted-types-policy", "trusted-types-sink":
		return ""
	case "data", "blob", "mediastream", "filesystem":
		return "add " + blocked + ": to " + d
	case "self":
		return "add 'self' to " + d
	}
	u, err := url.Parse(blocked)
	if err != nil || u.Scheme == "" {
		return ""
	}
	if u.Host == "" {
		return "add " + u.Scheme + ": to " + d
	}
	return "add " + u.Scheme + "://" + u.Host + " to " + d
}

// fallbacks lists, for each directive, the ones the browser uses in its
// place when the policy lacks it.
var fallbacks = map[string][]string{
	"script-src-elem": {"script-src", "default-src"},
	"script-src-attr": {"script-src", "default-src"},
	"style-src-elem":  {"style-src", "default-src"},
	"style-src-attr":  {"style-src", "default-src"},
	"worker-src":      {"child-src", "script-src", "default-src"},
	"frame-src":       {"child-src", "default-src"},
}

// presentDirective is the directive of policy that governs effective: itself
// if the policy has it, else the first fallback it has.
func presentDirective(effective, policy string) string {
	p, err := Parse(policy)
	if err != nil || p.Has(effective) {
		return effective
	}
	chain := fallbacks[effective]
	if chain == nil && strings.HasSuffix(effective, "-src") {
		chain = []string{"default-src"}
	}
	for _, d := range chain {
		if p.Has(d) {
			return d
		}
	}
	return effective
}
