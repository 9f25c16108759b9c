package site

import "net/http"

// addRoutes lists every endpoint of the site.
func addRoutes(mux *http.ServeMux, cfg Config, page http.Handler, wasm *wasmFiles, wasmExec []byte, files *fileSet, reports *reportLog) {
	mux.Handle("POST /api/session", limitBody(maxSessionBody)(handleSession(cfg.Backend, cfg.Logger)))
	mux.Handle("POST /api/csp-reports", limitBody(maxReportBody)(handleReportPost(reports, cfg.Logger)))
	mux.Handle("GET /api/csp-reports", handleReportList(reports))
	mux.Handle("GET /api/health", handleHealth())
	if cfg.Signaling != nil {
		mux.Handle("GET /api/signal", cfg.Signaling)
	}
	mux.Handle("/api/", handleAPINotFound())
	mux.Handle("GET /web/app.wasm", handleWasm(wasm))
	mux.Handle("GET /web/", handleFiles(files))
	mux.Handle("GET /wasm_exec.js", handleWasmExec(wasmExec))
	mux.Handle("/", page) // the page, app.js, app-worker.js, app.css, manifest.webmanifest
}
