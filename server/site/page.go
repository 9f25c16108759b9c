package site

import (
	"bytes"
	_ "embed"
	"html"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"e2eecall/app/ui"
)

// registerRoutes tells go-app which components render which paths, once per
// process: the server prerenders the same components the browser runs.
var registerRoutes = sync.OnceFunc(ui.Routes)

// newPage returns go-app's handler for the page, with local icons only and
// the OpenTok library that goes with the backend; in lab mode, with the
// banner that says which policy is in force.
func newPage(backend, version string, lab bool) http.Handler {
	registerRoutes()
	h := &app.Handler{
		Name:        "e2eecall",
		ShortName:   "e2eecall",
		Title:       "e2eecall: end-to-end encrypted video calls",
		Description: "Video calls whose audio and video only the people in the call can see and hear.",
		Lang:        "en",
		Icon: app.Icon{
			Default:  "/web/icons/icon-192.png",
			Large:    "/web/icons/icon-512.png",
			SVG:      "/web/icons/icon.svg",
			Maskable: "/web/icons/icon-192.png",
		},
		BackgroundColor:         "#0f172a",
		ThemeColor:              "#0f172a",
		LoadingLabel:            "Loading {progress}%",
		Styles:                  []string{"/web/css/app.css", "/web/boot/boot.css"},
		Scripts:                 []string{"/web/boot/boot.js defer", "/web/boot/form.js defer"},
		Resources:               sameOrigin{},
		Version:                 version,
		WasmContentLengthHeader: "X-Wasm-Content-Length",
		ServiceWorkerTemplate:   serviceWorker,
		// The wasm downloads with the page, not after the deferred scripts:
		// app.js's fetch of it takes this preloaded response.
		RawHeaders: []string{`<link rel="preload" href="/web/app.wasm" as="fetch" crossorigin="anonymous">`},
	}
	switch backend {
	case BackendVonage:
		h.Scripts = append(h.Scripts, "/web/opentok/opentok.min.js defer")
	default:
		// Our library is a set of ES modules; go-app's Scripts cannot mark a
		// script as a module, and an external module script is as safe under
		// the CSP as any other script from 'self'.
		h.RawHeaders = append(h.RawHeaders, `<script type="module" src="/web/ot/ot.js"></script>`)
	}
	if lab {
		h.Styles = append(h.Styles, "/web/lab/lab.css")
		h.Scripts = append(h.Scripts, "/web/lab/banner.js defer")
	}
	return freshPage(h)
}

// serviceWorker replaces go-app's, which downloads app.wasm a second time
// while the page downloads it on a first visit, and caches the page itself,
// so that a cached page would show an old room. This one caches the files
// the page loads as the page loads them, and never the page.
//
//go:embed app-worker.js
var serviceWorker string

// freshPage renders the page on every request, and fills in og:url and
// og:image. go-app answers If-None-Match with 304 for any path, the page
// included, so a browser would show the page of its last visit (and its
// room); and it writes og:url and og:image as "https://" plus a fixed
// domain, which the site does not have: it answers on whatever host it is
// reached at.
func freshPage(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if path.Ext(r.URL.Path) != "" {
			next.ServeHTTP(w, r)
			return
		}
		r.Header.Del("If-None-Match")
		buf := &bufferedResponse{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(buf, r)
		body := buf.body.Bytes()
		if buf.status == http.StatusOK && strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			w.Header().Del("ETag")
			body = setMeta(body, "og:url", origin(r)+r.URL.Path)
			body = setMeta(body, "og:image", origin(r)+"/web/icons/icon-512.png")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(body) // the browser went away
	})
}

// setMeta replaces the <meta property=…> tag in a page (go-app writes its
// attributes in any order).
func setMeta(page []byte, property, content string) []byte {
	tag := regexp.MustCompile(`<meta [^>]*property="` + regexp.QuoteMeta(property) + `"[^>]*>`)
	return tag.ReplaceAllLiteral(page, []byte(`<meta property="`+property+`" content="`+html.EscapeString(content)+`">`))
}

// bufferedResponse keeps a response's status and body; its headers go
// straight to the real response.
type bufferedResponse struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) WriteHeader(status int)      { b.status = status }
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }

// sameOrigin resolves /web/… paths to themselves: the site serves them from
// the binary (routes.go), so go-app must not serve them from the disk.
type sameOrigin struct{}

func (sameOrigin) Resolve(location string) string { return location }

// origin is the scheme and host the browser used to reach us. The Host
// header is the client's to choose: use it only in what goes back to that
// same client, escaped.
func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}
