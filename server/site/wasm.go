package site

import (
	"fmt"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
)

// wasmFiles is app.wasm with the copies make compressed at build time.
type wasmFiles struct {
	raw, brotli, gzip []byte
	etag              string
}

func loadWasm(fsys fs.FS) (*wasmFiles, error) {
	var w wasmFiles
	for name, dst := range map[string]*[]byte{"app.wasm": &w.raw, "app.wasm.br": &w.brotli, "app.wasm.gz": &w.gzip} {
		b, err := fs.ReadFile(fsys, name)
		if err != nil || len(b) == 0 {
			return nil, fmt.Errorf("site: %s is missing from the binary: run make build, which builds and compresses the app", name)
		}
		*dst = b
	}
	w.etag = etagOf(w.raw)
	return &w, nil
}

// handleWasm serves app.wasm brotli- or gzip-encoded when the browser takes
// it, plain otherwise. Content-Length is the encoded size, so go-app's
// loader learns the real size from X-Wasm-Content-Length for its progress.
func handleWasm(w *wasmFiles) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("Content-Type", "application/wasm")
		h.Set("Vary", "Accept-Encoding")
		h.Set("Cache-Control", "no-cache")
		h.Set("ETag", w.etag)
		h.Set("X-Wasm-Content-Length", strconv.Itoa(len(w.raw)))
		if r.Header.Get("If-None-Match") == w.etag {
			rw.WriteHeader(http.StatusNotModified)
			return
		}
		body := w.raw
		switch pickEncoding(r.Header.Get("Accept-Encoding")) {
		case "br":
			h.Set("Content-Encoding", "br")
			body = w.brotli
		case "gzip":
			h.Set("Content-Encoding", "gzip")
			body = w.gzip
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		_, _ = rw.Write(body) // the browser went away
	})
}

// pickEncoding returns "br", "gzip" or "" from an Accept-Encoding header,
// preferring brotli, and honouring q=0 as a refusal.
func pickEncoding(acceptEncoding string) string {
	accepted := map[string]bool{}
	for _, part := range strings.Split(acceptEncoding, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		accepted[name] = q > 0
	}
	for _, enc := range []string{"br", "gzip"} {
		if ok, listed := accepted[enc]; ok || !listed && accepted["*"] {
			return enc
		}
	}
	return ""
}
