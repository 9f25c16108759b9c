// Package site is the HTTP face of the server: the go-app page, the files
// the browser loads, the security headers with the Content-Security-Policy,
// the violation reports, and the session API. It knows nothing of Vonage or
// of the embedded SFU: both sit behind the Backend interface.
package site

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"

	"e2eecall"
	"e2eecall/server/csp"
)

// Backend hands out what a browser needs to join a room's call. The
// embedded backend and the Vonage backend both satisfy it.
type Backend interface {
	Join(ctx context.Context, room, name string) (e2eecall.Session, error)
}

// The backends a server can run, as Session.Backend names them.
const (
	BackendLocal  = "local"
	BackendVonage = "vonage"
)

// Error is a failure of a Backend that the caller can act on: the session
// API answers with Status and Message, which says what happened and what to do.
type Error struct {
	Status  int
	Message string
}

func (e *Error) Error() string { return e.Message }

// Config is everything the site depends on.
type Config struct {
	Backend     Backend
	BackendName string       // BackendLocal or BackendVonage: picks the OpenTok library the page loads
	Signaling   http.Handler // the embedded backend's WebSocket at /api/signal; nil for Vonage
	CSP         csp.Mode
	Assets      Assets
	Logger      *slog.Logger

	SessionsPerMinute int  // sessions one client address may ask for a minute, after a burst of 60; default 20, -1: no limit
	PublicReports     bool // GET /api/csp-reports answers other machines too, not only this one

	// CSPLab turns on the CSP lab (lab.go): ?csp= per page, /csp, its try-it
	// pages and API. CSPBase is the policy its named modes start from
	// (Strict, extended by the backend); Strict when zero.
	CSPLab  bool
	CSPBase csp.Policy
}

// Assets are the embedded file systems the site serves.
type Assets struct {
	Wasm    fs.FS // app.wasm, app.wasm.br, app.wasm.gz, wasm_exec.js
	Static  fs.FS // css/, icons/, ot/ (our OpenTok-compatible library), boot/
	OpenTok fs.FS // opentok.min.js (Vonage backend only)
}

// New returns the whole site as one handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Backend == nil {
		return nil, errors.New("site: no backend")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionsPerMinute == 0 {
		cfg.SessionsPerMinute = 20
	}
	wasm, err := loadWasm(cfg.Assets.Wasm)
	if err != nil {
		return nil, err
	}
	files, err := loadFiles(cfg.Assets, cfg.BackendName)
	if err != nil {
		return nil, err
	}
	fixed := cfg.CSP.Headers()
	headers := func(*http.Request) []csp.Header { return fixed }
	var l *lab
	if cfg.CSPLab {
		if l, err = newLab(cfg); err != nil {
			return nil, err
		}
		headers = l.headers
	}

	mux := http.NewServeMux()
	addRoutes(mux, cfg, wasm, files, l)
	var h http.Handler = mux
	h = securityHeaders(headers, cfg.CSPLab)(h)
	h = logRequests(cfg.Logger)(h)
	return h, nil
}
