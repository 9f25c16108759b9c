package site

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"slices"
	"strings"
	"time"
)

// file is one file the page loads: under /web/, and /wasm_exec.js.
type file struct {
	data        []byte
	gzipped     []byte // nil unless gzip saves a tenth or more
	contentType string
	etag        string
}

// fileSet is every file the page loads but the wasm, read once at start.
type fileSet struct {
	files map[string]file // by URL path
}

// loadFiles reads the static files, wasm_exec.js, and OpenTok.js for the
// Vonage backend.
func loadFiles(a Assets, backend string) (*fileSet, error) {
	set := &fileSet{files: map[string]file{}}
	if err := set.add(a.Static, "/web/"); err != nil {
		return nil, err
	}
	if err := set.addFile(a.Wasm, "wasm_exec.js", "/wasm_exec.js"); err != nil {
		return nil, errors.New("site: wasm_exec.js is missing: run make build, which copies it from $(go env GOROOT)/lib/wasm")
	}
	if backend == BackendVonage {
		if err := set.addFile(a.OpenTok, "opentok.min.js", "/web/opentok/opentok.min.js"); err != nil {
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
	ct := mime.TypeByExtension(path.Ext(name))
	if ct == "" {
		ct = "application/octet-stream"
	}
	f := file{data: b, contentType: ct, etag: etagOf(b)}
	if compressible(ct) {
		if gz := gzipped(b); len(gz) <= len(b)*9/10 {
			f.gzipped = gz
		}
	}
	s.files[urlPath] = f
	return nil
}

// compressible says whether a type is text, which gzip makes about four
// times smaller: our library's modules, the CSS, the icons, and OpenTok.js
// (2.8 MB, 0.75 MB gzipped) download beside app.wasm on a first visit.
func compressible(contentType string) bool {
	mediaType, _, _ := strings.Cut(contentType, ";")
	return strings.HasPrefix(mediaType, "text/") || slices.Contains([]string{"application/javascript", "application/json", "image/svg+xml"}, mediaType)
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // the level is valid
	_, _ = w.Write(b)                                       // a bytes.Buffer does not fail
	_ = w.Close()
	return buf.Bytes()
}

func handleFiles(s *fileSet) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := s.files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if f.gzipped == nil {
			serveBytes(w, r, f.data, f.contentType, f.etag)
			return
		}
		w.Header().Set("Vary", "Accept-Encoding")
		if pickEncoding(r.Header.Get("Accept-Encoding"), "gzip") == "" {
			serveBytes(w, r, f.data, f.contentType, f.etag)
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		serveBytes(w, r, f.gzipped, f.contentType, strings.TrimSuffix(f.etag, `"`)+`-gzip"`) // each encoding its own ETag
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
func version(w *wasmFiles, files *fileSet) string {
	h := sha256.New()
	h.Write(w.sum)
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

// etagOf names a file's content: it changes when the file does.
func etagOf(b []byte) string {
	sum := sha256.Sum256(b)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}

// robotsTxt keeps crawlers to the front page: a room is only a link that
// people share.
const robotsTxt = "User-agent: *\nAllow: /$\nDisallow: /\n"

// handleRobots answers /robots.txt itself. go-app's handler would proxy it
// (and /sitemap.xml, /ads.txt) by fetching /web/robots.txt from a URL
// without a host, and answer 500 with an error line in the log on every
// crawler's visit.
func handleRobots() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "max-age=86400")
		_, _ = w.Write([]byte(robotsTxt))
	})
}
