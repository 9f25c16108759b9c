package site

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"e2eecall"
	"e2eecall/server/csp"
)

// recordingBackend is a Backend that records what the site asked of it.
type recordingBackend struct {
	rooms, names []string
	err          error
}

func (b *recordingBackend) Join(_ context.Context, room, name string) (e2eecall.Session, error) {
	b.rooms = append(b.rooms, room)
	b.names = append(b.names, name)
	if b.err != nil {
		return e2eecall.Session{}, b.err
	}
	return e2eecall.Session{Backend: "local", APIKey: "local", SessionID: "2_" + room, Token: "token-for-" + name}, nil
}

func newTestSite(t testing.TB, backend Backend) http.Handler {
	t.Helper()
	h, err := New(Config{
		Backend:     backend,
		BackendName: BackendLocal,
		CSP:         csp.Mode{Name: "strict", Policy: csp.Strict()},
		Assets: Assets{
			Wasm: fstest.MapFS{
				"app.wasm":     {Data: []byte("\x00asm raw")},
				"app.wasm.br":  {Data: []byte("br bytes")},
				"app.wasm.gz":  {Data: []byte("gz bytes")},
				"wasm_exec.js": {Data: []byte("// glue")},
			},
			Static:  fstest.MapFS{"css/app.css": {Data: []byte("body{}")}},
			OpenTok: fstest.MapFS{},
		},
	})
	require.NoError(t, err)
	return h
}

func postJSON(h http.Handler, path, body string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestSessionAnswersTheBackendsSession(t *testing.T) {
	backend := &recordingBackend{}
	rec := postJSON(newTestSite(t, backend), "/api/session", `{"room":"  blue-lake ","name":" Ada  "}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var got e2eecall.Session
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	assert.Equal(t, e2eecall.Session{Backend: "local", APIKey: "local", SessionID: "2_blue-lake", Token: "token-for-Ada"}, got)
	assert.Equal(t, []string{"blue-lake"}, backend.rooms, "the room is trimmed")
	assert.Equal(t, []string{"Ada"}, backend.names, "the name is trimmed")
	assert.Equal(t, "no-store", rec.Header().Get("Cache-Control"), "tokens are not cached")
}

func TestSessionRefusesBadInputWithAFieldError(t *testing.T) {
	tests := []struct {
		name, body, contentType string
		status                  int
		field, errorContains    string
	}{
		{name: "empty name", body: `{"room":"r1","name":"   "}`, status: 400, field: "name"},
		{name: "long name", body: `{"room":"r1","name":"` + strings.Repeat("é", e2eecall.MaxNameLength+1) + `"}`, status: 400, field: "name"},
		{name: "control character", body: `{"room":"r1","name":"A\u0007"}`, status: 400, field: "name"},
		{name: "empty room", body: `{"room":"","name":"Ada"}`, status: 400, field: "room"},
		{name: "room with a slash", body: `{"room":"a/b","name":"Ada"}`, status: 400, field: "room"},
		{name: "long room", body: `{"room":"` + strings.Repeat("a", e2eecall.MaxRoomLength+1) + `","name":"Ada"}`, status: 400, field: "room"},
		{name: "not JSON", body: `room=r1`, status: 400, errorContains: "not the JSON"},
		{name: "unknown field", body: `{"room":"r1","name":"Ada","secret":"x"}`, status: 400, errorContains: "unknown field"},
		{name: "two values", body: `{"room":"r1","name":"Ada"}{}`, status: 400, errorContains: "more than one"},
		{name: "form content type", body: `{"room":"r1","name":"Ada"}`, contentType: "application/x-www-form-urlencoded", status: 415, errorContains: "application/json"},
		{name: "too large", body: `{"room":"r1","name":"` + strings.Repeat("a", maxSessionBody) + `"}`, status: 413, errorContains: "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			backend := &recordingBackend{}
			h := newTestSite(t, backend)
			req := httptest.NewRequest(http.MethodPost, "/api/session", strings.NewReader(tt.body))
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			assert.Equal(t, tt.status, rec.Code)
			var body e2eecall.ErrorBody
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body), rec.Body.String())
			assert.NotEmpty(t, body.Error)
			if tt.field != "" {
				assert.NotEmpty(t, body.Fields[tt.field], "a problem for %s: %+v", tt.field, body)
			}
			if tt.errorContains != "" {
				assert.Contains(t, body.Error, tt.errorContains)
			}
			assert.Empty(t, backend.rooms, "bad input never reaches the backend")
		})
	}
}

func TestSessionPassesOnTheBackendsErrors(t *testing.T) {
	full := &recordingBackend{err: &Error{Status: http.StatusServiceUnavailable, Message: "The server hosts too many rooms; try again later."}}
	rec := postJSON(newTestSite(t, full), "/api/session", `{"room":"r1","name":"Ada"}`)
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.JSONEq(t, `{"error":"The server hosts too many rooms; try again later."}`, rec.Body.String())

	broken := &recordingBackend{err: assert.AnError}
	rec = postJSON(newTestSite(t, broken), "/api/session", `{"room":"r1","name":"Ada"}`)
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.NotContains(t, rec.Body.String(), assert.AnError.Error(), "internal errors are logged, not shown")
}

func TestSessionRefusesCrossSiteRequests(t *testing.T) {
	backend := &recordingBackend{}
	h := newTestSite(t, backend)
	rec := postJSON(h, "/api/session", `{"room":"r1","name":"Ada"}`, "Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, rec.Code)
	assert.Contains(t, rec.Body.String(), "this site's own pages only")
	rec = postJSON(h, "/api/session", `{"room":"r1","name":"Ada"}`, "Origin", "https://evil.example")
	assert.Equal(t, http.StatusForbidden, rec.Code, "an older browser without Sec-Fetch-Site, by its Origin")
	assert.Empty(t, backend.rooms)
	rec = postJSON(h, "/api/session", `{"room":"r1","name":"Ada"}`, "Sec-Fetch-Site", "same-origin")
	assert.Equal(t, http.StatusOK, rec.Code)
}

func TestUnknownAPIPathsAnswerJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	newTestSite(t, &recordingBackend{}).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/nope", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Contains(t, rec.Body.String(), `"error"`)
}

func TestRobotsTxtIsServedAndTheOtherWellKnownFilesAreNotFound(t *testing.T) {
	h := newTestSite(t, &recordingBackend{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/robots.txt", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Equal(t, robotsTxt, rec.Body.String())
	for _, path := range []string{"/sitemap.xml", "/ads.txt"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		assert.Equal(t, http.StatusNotFound, rec.Code, path)
	}
}

func TestReportsAreTakenInBothFormatsAndListed(t *testing.T) {
	h := newTestSite(t, &recordingBackend{})
	post := func(contentType, body string) int {
		req := httptest.NewRequest(http.MethodPost, "/api/csp-reports", strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	assert.Equal(t, 204, post("application/csp-report",
		`{"csp-report":{"document-uri":"http://127.0.0.1/","blocked-uri":"wasm-eval","effective-directive":"script-src","disposition":"enforce","source-file":"http://127.0.0.1/app.js","line-number":240}}`))
	assert.Equal(t, 204, post("application/reports+json",
		`[{"type":"csp-violation","age":1,"url":"http://127.0.0.1/","body":{"documentURL":"http://127.0.0.1/","blockedURL":"inline","effectiveDirective":"style-src-attr","disposition":"report"}},{"type":"deprecation","body":{}}]`))

	assert.Equal(t, 400, post("application/csp-report", `{"nope":1}`))
	assert.Equal(t, 400, post("application/csp-report", `not json`))
	assert.Equal(t, 400, post("application/reports+json", `[]`))
	assert.Equal(t, 400, post("application/reports+json", `[{"type":"csp-violation","body":{}}]`))
	assert.Equal(t, 415, post("text/plain", `{}`))
	assert.Equal(t, 413, post("application/csp-report", `{"csp-report":{"blocked-uri":"`+strings.Repeat("a", csp.MaxReportBody)+`"}}`))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/csp-reports", nil)) // from 192.0.2.1
	assert.Equal(t, http.StatusForbidden, rec.Code, "the list is private to the server's machine")
	assert.Contains(t, rec.Body.String(), "-public-csp-reports")

	rec = httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodGet, "/api/csp-reports", nil)
	req.RemoteAddr = "127.0.0.1:5000"
	h.ServeHTTP(rec, req)
	var list struct{ Reports []csp.Report }
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
	require.Len(t, list.Reports, 2, "only the two good reports, the deprecation report skipped")
	assert.Equal(t, "report-uri", list.Reports[0].Format)
	assert.Equal(t, "wasm-eval", list.Reports[0].BlockedURL)
	assert.Equal(t, "script-src", list.Reports[0].EffectiveDirective)
	assert.Equal(t, 240, list.Reports[0].LineNumber)
	assert.Equal(t, "report-to", list.Reports[1].Format)
	assert.Equal(t, "style-src-attr", list.Reports[1].EffectiveDirective)
	assert.Equal(t, "report", list.Reports[1].Disposition)
}

func TestPickEncoding(t *testing.T) {
	tests := map[string]string{
		"":                        "",
		"gzip, deflate, br, zstd": "br",
		"gzip":                    "gzip",
		"br;q=0, gzip":            "gzip",
		"br;q=0, gzip;q=0":        "",
		"*":                       "br",
		"identity":                "",
		"GZIP;q=0.5":              "gzip",
		"br;q=0, *":               "gzip",
	}
	for header, want := range tests {
		assert.Equal(t, want, pickEncoding(header, "br", "gzip"), "Accept-Encoding: %q", header)
	}
	assert.Equal(t, "gzip", pickEncoding("gzip, deflate, br, zstd", "gzip"), "only what is offered")
	assert.Equal(t, "", pickEncoding("br", "gzip"))
}

func TestTextFilesAreGzippedForBrowsersThatTakeIt(t *testing.T) {
	css := []byte(strings.Repeat(".tile { border: 2px solid #38bdf8; }\n", 100))
	icon := []byte{0x89, 'P', 'N', 'G', 0, 0, 0, 0}
	h, err := New(Config{
		Backend: &recordingBackend{}, BackendName: BackendLocal, CSP: csp.Mode{Name: "strict", Policy: csp.Strict()},
		Assets: Assets{
			Wasm:   fstest.MapFS{"app.wasm": {Data: []byte("a")}, "app.wasm.br": {Data: []byte("b")}, "app.wasm.gz": {Data: []byte("g")}, "wasm_exec.js": {Data: []byte("x")}},
			Static: fstest.MapFS{"css/app.css": {Data: css}, "icons/icon.png": {Data: icon}},
		},
	})
	require.NoError(t, err)
	get := func(path, acceptEncoding, ifNoneMatch string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Accept-Encoding", acceptEncoding)
		req.Header.Set("If-None-Match", ifNoneMatch)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}

	gz := get("/web/css/app.css", "gzip, deflate, br", "")
	require.Equal(t, http.StatusOK, gz.Code)
	assert.Equal(t, "gzip", gz.Header().Get("Content-Encoding"))
	assert.Equal(t, "Accept-Encoding", gz.Header().Get("Vary"))
	assert.Less(t, gz.Body.Len(), len(css)/10)
	r, err := gzip.NewReader(gz.Body)
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.Equal(t, css, got)

	plain := get("/web/css/app.css", "identity", "")
	assert.Empty(t, plain.Header().Get("Content-Encoding"))
	assert.Equal(t, "Accept-Encoding", plain.Header().Get("Vary"))
	assert.Equal(t, css, plain.Body.Bytes())
	assert.NotEqual(t, gz.Header().Get("ETag"), plain.Header().Get("ETag"), "each encoding is its own representation")
	assert.Equal(t, http.StatusNotModified, get("/web/css/app.css", "gzip", gz.Header().Get("ETag")).Code)
	assert.Equal(t, http.StatusNotModified, get("/web/css/app.css", "", plain.Header().Get("ETag")).Code)

	png := get("/web/icons/icon.png", "gzip", "")
	assert.Empty(t, png.Header().Get("Content-Encoding"), "images are compressed already")
	assert.Equal(t, icon, png.Body.Bytes())
}

func TestWasmAndStaticFilesRevalidate(t *testing.T) {
	h := newTestSite(t, &recordingBackend{})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/web/css/app.css", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	etag := rec.Header().Get("ETag")
	require.NotEmpty(t, etag)

	req := httptest.NewRequest(http.MethodGet, "/web/css/app.css", nil)
	req.Header.Set("If-None-Match", etag)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusNotModified, rec.Code)
}

func TestNewRefusesAMissingBuild(t *testing.T) {
	_, err := New(Config{Backend: &recordingBackend{}, Assets: Assets{Wasm: fstest.MapFS{}, Static: fstest.MapFS{}}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "make build")

	_, err = New(Config{Backend: &recordingBackend{}, BackendName: BackendVonage, Assets: Assets{
		Wasm:   fstest.MapFS{"app.wasm": {Data: []byte("a")}, "app.wasm.br": {Data: []byte("b")}, "app.wasm.gz": {Data: []byte("g")}, "wasm_exec.js": {Data: []byte("x")}},
		Static: fstest.MapFS{}, OpenTok: fstest.MapFS{},
	}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "OpenTok.js is missing")
}
