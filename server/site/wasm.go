package site

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
)

// wasmFiles is app.wasm with the copies make compressed at build time. They
// are served straight from the binary: a copy on the heap would cost the
// server twice its size in memory, for as long as it runs.
type wasmFiles struct {
	fsys fs.FS
	size map[string]int64 // by name: app.wasm, app.wasm.br, app.wasm.gz
	sum  []byte           // app.wasm's SHA-256
	etag string
}

func loadWasm(fsys fs.FS) (*wasmFiles, error) {
	w := &wasmFiles{fsys: fsys, size: map[string]int64{}}
	for _, name := range []string{"app.wasm", "app.wasm.br", "app.wasm.gz"} {
		info, err := fs.Stat(fsys, name)
		if err != nil || info.Size() == 0 {
			return nil, fmt.Errorf("site: %s is missing from the binary: run make build, which builds and compresses the app", name)
		}
		w.size[name] = info.Size()
	}
	f, err := fsys.Open("app.wasm")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, err
	}
	w.sum = h.Sum(nil)
	w.etag = `"` + hex.EncodeToString(w.sum[:8]) + `"`
	return w, nil
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
		h.Set("X-Wasm-Content-Length", strconv.FormatInt(w.size["app.wasm"], 10))
		if r.Header.Get("If-None-Match") == w.etag {
			rw.WriteHeader(http.StatusNotModified)
			return
		}
		name := "app.wasm"
		switch pickEncoding(r.Header.Get("Accept-Encoding"), "br", "gzip") {
		case "br":
			h.Set("Content-Encoding", "br")
			name = "app.wasm.br"
		case "gzip":
			h.Set("Content-Encoding", "gzip")
			name = "app.wasm.gz"
		}
		h.Set("Content-Length", strconv.FormatInt(w.size[name], 10))
		if r.Method == http.MethodHead {
			return
		}
		f, err := w.fsys.Open(name)
		if err != nil {
			return // it was there at start, and an embedded file system does not change
		}
		defer f.Close()
		_, _ = io.Copy(rw, f) // the browser went away
	})
}

// pickEncoding returns "br", "gzip" or "" from an Accept-Encoding header,
// preferring brotli, and honouring q=0 as a refusal.
func pickEncoding(acceptEncoding string, offered ...string) string {
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
	for _, enc := range offered {
		if ok, listed := accepted[enc]; ok || !listed && accepted["*"] {
			return enc
		}
	}
	return ""
}
