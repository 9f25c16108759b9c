package site

import (
	"net/http"
	"sync"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"e2eecall/app/ui"
)

// registerRoutes tells go-app which components render which paths, once per
// process: the server prerenders the same components the browser runs.
var registerRoutes = sync.OnceFunc(ui.Routes)

// newPage returns go-app's handler for the page, with local icons only and
// the OpenTok library that goes with the backend.
func newPage(backend, version string) http.Handler {
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
		Scripts:                 []string{"/web/boot/boot.js defer"},
		Resources:               sameOrigin{},
		Version:                 version,
		WasmContentLengthHeader: "X-Wasm-Content-Length",
	}
	switch backend {
	case BackendVonage:
		h.Scripts = append(h.Scripts, "/web/opentok/opentok.min.js defer")
	default:
		// Our library is a set of ES modules; go-app's Scripts cannot mark a
		// script as a module, and an external module script is as safe under
		// the CSP as any other script from 'self'.
		h.RawHeaders = []string{`<script type="module" src="/web/ot/ot.js"></script>`}
	}
	return h
}

// sameOrigin resolves /web/… paths to themselves: the site serves them from
// the binary (routes.go), so go-app must not serve them from the disk.
type sameOrigin struct{}

func (sameOrigin) Resolve(location string) string { return location }
