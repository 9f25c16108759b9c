package site

import (
	"net/http"

	"e2eecall/server/csp"
)

// addRoutes lists every endpoint of the site, each with the limits it needs.
// lab is the CSP lab, nil unless -csp-lab.
func addRoutes(mux *http.ServeMux, cfg Config, wasm *wasmFiles, files *fileSet, lab *lab) {
	api := deadlines(bodyTimeout, apiWriteTimeout)
	file := deadlines(bodyTimeout, fileWriteTimeout)
	sessions := newPerAddress(cfg.SessionsPerMinute)
	reports := &csp.ReportLog{}
	page := newPage(cfg.BackendName, version(wasm, files), lab != nil)

	mux.Handle("POST /api/session", api(sameOriginOnly()(limitSessions(sessions)(limitBody(maxSessionBody)(handleSession(cfg.Backend, cfg.Logger))))))
	mux.Handle("POST /api/csp-reports", api(limitBody(csp.MaxReportBody)(handleReportPost(reports, cfg.Logger))))
	mux.Handle("GET /api/csp-reports", api(handleReportList(reports, cfg.PublicReports)))
	mux.Handle("GET /api/health", api(handleHealth()))
	if cfg.Signaling != nil {
		mux.Handle("GET /api/signal", cfg.Signaling) // a WebSocket: no deadlines, its pings notice a client that is gone
	}
	mux.Handle("/api/", api(handleAPINotFound()))
	mux.Handle("GET /web/app.wasm", file(handleWasm(wasm)))
	mux.Handle("GET /web/", file(handleFiles(files)))
	mux.Handle("GET /wasm_exec.js", file(handleFiles(files)))
	mux.Handle("GET /robots.txt", file(handleRobots()))
	mux.Handle("GET /sitemap.xml", http.NotFoundHandler()) // go-app would proxy these two to /web/ and fail
	mux.Handle("GET /ads.txt", http.NotFoundHandler())
	mux.Handle("/", file(page))                              // the page, app.js, app-worker.js, app.css, manifest.webmanifest
	addLabRoutes(mux, lab, page, reports, cfg.PublicReports) // /csp, /csp/try/…, /api/csp-lab/…; 404 without -csp-lab
}
