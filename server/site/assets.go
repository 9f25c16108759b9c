package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
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
	sum := sha256.Sum256(w.raw)
	w.etag = `"` + hex.EncodeToString(sum[:8]) + `"`
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

// file is one file served under /web/.
type file struct {
	data        []byte
	contentType string
	etag        string
}

// fileSet is every file served under /web/, read once at start.
type fileSet struct {
	files map[string]file // by URL path
}

// loadFiles reads the static files, and OpenTok.js for the Vonage backend.
func loadFiles(static, opentok fs.FS, backend string) (*fileSet, error) {
	set := &fileSet{files: map[string]file{}}
	if err := set.add(static, "/web/"); err != nil {
		return nil, err
	}
	if backend == BackendVonage {
		if err := set.addFile(opentok, "opentok.min.js", "/web/opentok/opentok.min.js"); err != nil {
			return nil, errors.New("site: OpenTok.js is missing from the binary: run make build, which installs @opentok/client with npm ci")
		}
	}
	return set, nil
}

func (s *fileSet) add(fsys fs.FS, prefix string) error {
	return fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(name, ".go") {
			return err
		}
		return s.addFile(fsys, name, prefix+name)
	})
}

func (s *fileSet) addFile(fsys fs.FS, name, urlPath string) error {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(b)
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	s.files[urlPath] = file{data: b, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	return nil
}

func handleFiles(s *fileSet) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := s.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		serveBytes(w, r, f.data, f.contentType, f.etag)
	})
}

func handleWasmExec(b []byte) http.Handler {
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serveBytes(w, r, b, "text/javascript; charset=utf-8", etag)
	})
}

// serveBytes serves an in-memory file that the browser revalidates with its
// ETag on every use, so a new build is picked up at once.
func serveBytes(w http.ResponseWriter, r *http.Request, b []byte, contentType, etag string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

// version names this build of everything the browser runs, so that go-app's
// service worker replaces its cache when any of it changes.
func version(w *wasmFiles, wasmExec []byte, files *fileSet) string {
	h := sha256.New()
	h.Write(w.raw)
	h.Write(wasmExec)
	paths := make([]string, 0, len(files.files))
	for p := range files.files {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		h.Write([]byte(p))
		h.Write(files.files[p].data)
	}
	return hex.EncodeToString(h.Sum(nil)[:10])
}
