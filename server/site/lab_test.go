package site

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"e2eecall/server/csp"
)

func newLabSite(t *testing.T, lab bool) http.Handler {
	t.Helper()
	h, err := New(Config{
		Backend:     &recordingBackend{},
		BackendName: BackendLocal,
		CSP:         csp.Mode{Name: "strict", Policy: csp.Strict()},
		CSPLab:      lab,
		Assets: Assets{
			Wasm: fstest.MapFS{
				"app.wasm":     {Data: []byte("\x00asm raw")},
				"app.wasm.br":  {Data: []byte("br bytes")},
				"app.wasm.gz":  {Data: []byte("gz bytes")},
				"wasm_exec.js": {Data: []byte("// glue")},
			},
			Static:  fstest.MapFS{"css/app.css": {Data: []byte("body{}")}, "lab/try.html": {Data: []byte("<!doctype html><p>try</p>")}},
			OpenTok: fstest.MapFS{},
		},
	})
	require.NoError(t, err)
	return h
}

// serve sends a request from this machine; header holds name, value pairs.
func serve(h http.Handler, method, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	req.RemoteAddr = "127.0.0.1:5000"
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

var strictEnforced = csp.Strict().With("report-uri", csp.ReportPath).String()

func TestWithoutLabModeThereIsNoLabAndNoChoice(t *testing.T) {
	h := newLabSite(t, false)
	for _, path := range []string{"/csp", "/csp?csp=strict", "/csp/try/strict/eval", "/api/csp-lab/policy", "/api/csp-lab/reports"} {
		assert.Equal(t, http.StatusNotFound, serve(h, http.MethodGet, path).Code, path)
	}
	rec := serve(h, http.MethodGet, "/?csp=no-wasm")
	assert.Equal(t, strictEnforced, rec.Header().Get("Content-Security-Policy"), "?csp is ignored")
	assert.Equal(t, "no-referrer", rec.Header().Get("Referrer-Policy"))
	assert.NotContains(t, rec.Body.String(), "/web/lab/", "no lab banner")
}

func TestLabModeChoosesThePolicyPerPageAndForItsFiles(t *testing.T) {
	h := newLabSite(t, true)
	noWasm := csp.Strict().Without("script-src", "'wasm-unsafe-eval'").With("report-uri", csp.ReportPath).String()
	tests := []struct {
		name, target, referer string
		enforced              string
		reportOnly            int
	}{
		{"no choice", "/", "", strictEnforced, 1},
		{"the page", "/?csp=no-wasm&room=x", "", noWasm, 1},
		{"the lab page, which only studies the choice", "/csp?csp=no-wasm", "", strictEnforced, 1},
		{"off", "/?csp=off", "", "", 0},
		{"report-only", "/?csp=report-only", "", "", 2},
		{"an unknown mode", "/?csp=default-src%20*", "", strictEnforced, 1},
		{"a file the page loads", "/web/css/app.css", "http://example.com/?csp=no-wasm", noWasm, 1},
		{"a file another site's page loads", "/web/css/app.css", "http://elsewhere.example/?csp=off", strictEnforced, 1},
		{"the session API", "/api/health?csp=off", "http://example.com/?csp=off", strictEnforced, 1},
		{"go-app's service worker, shared by every tab", "/app-worker.js", "http://example.com/?csp=off",
			strings.Replace(strictEnforced, "connect-src 'self'", "connect-src *", 1), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header []string
			if tt.referer != "" {
				header = []string{"Referer", tt.referer}
			}
			rec := serve(h, http.MethodGet, tt.target, header...)
			assert.Equal(t, tt.enforced, rec.Header().Get("Content-Security-Policy"))
			assert.Len(t, rec.Header().Values("Content-Security-Policy-Report-Only"), tt.reportOnly)
			assert.Equal(t, "same-origin", rec.Header().Get("Referrer-Policy"), "the Referer carries the choice to this origin only")
		})
	}
	assert.Contains(t, serve(h, http.MethodGet, "/").Body.String(), `src="/web/lab/banner.js"`, "every page has the lab banner")
}

func TestTryPagesAreFramableBySelfOnly(t *testing.T) {
	h := newLabSite(t, true)
	rec := serve(h, http.MethodGet, "/csp/try/strict/eval?run=2")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), "<p>try</p>")
	assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'self'")
	assert.NotContains(t, serve(h, http.MethodGet, "/csp").Header().Get("Content-Security-Policy"), "frame-ancestors 'self'", "only the try-it pages")
	rec = serve(h, http.MethodGet, "/csp/try/no-wasm/wasm")
	assert.NotContains(t, rec.Header().Get("Content-Security-Policy"), "wasm-unsafe-eval", "the mode comes from the path")
	for _, path := range []string{"/csp/try/custom/eval", "/csp/try/strict/nope", "/csp/try/strict", "/csp/other"} {
		assert.Equal(t, http.StatusNotFound, serve(h, http.MethodGet, path).Code, path)
	}
}

func TestLabPolicyExplainsTheChosenMode(t *testing.T) {
	h := newLabSite(t, true)
	var p labPolicy
	rec := serve(h, http.MethodGet, "/api/csp-lab/policy?csp=report-only")
	require.Equal(t, http.StatusOK, rec.Code)
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	assert.Equal(t, "report-only", p.Mode)
	assert.True(t, p.Chosen)
	assert.True(t, p.ReportOnly)
	assert.Equal(t, "Content-Security-Policy-Report-Only", p.Headers[0].Name)
	assert.Equal(t, "script-src", p.Directives[1].Directive)
	assert.Equal(t, csp.LabModeNames, p.Modes)
	assert.Equal(t, tryCases, p.TryCases)

	require.NoError(t, json.Unmarshal(serve(h, http.MethodGet, "/api/csp-lab/policy").Body.Bytes(), &p))
	assert.Equal(t, "strict", p.Mode)
	assert.False(t, p.Chosen, "no choice: the server's own")
}

func TestLabReportsCarryTheFixAndAreClearedFromThisMachineOnly(t *testing.T) {
	h := newLabSite(t, true)
	req := httptest.NewRequest(http.MethodPost, "/api/csp-reports", strings.NewReader(
		`{"csp-report":{"document-uri":"http://127.0.0.1/csp/try/strict/eval","blocked-uri":"eval","effective-directive":"script-src","disposition":"enforce","original-policy":"`+strictEnforced+`"}}`))
	req.Header.Set("Content-Type", csp.ReportURIType)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	require.Equal(t, http.StatusNoContent, rec.Code)

	list := func() []labReport {
		var body struct{ Reports []labReport }
		rec := serve(h, http.MethodGet, "/api/csp-lab/reports")
		require.Equal(t, http.StatusOK, rec.Code)
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
		return body.Reports
	}
	got := list()
	require.Len(t, got, 1)
	assert.Equal(t, "add 'unsafe-eval' to script-src (it allows eval everywhere; better, do without eval)", got[0].Fix)
	assert.Contains(t, serve(h, http.MethodGet, "/api/csp-lab/reports?download").Header().Get("Content-Disposition"), "attachment")

	for _, method := range []string{http.MethodGet, http.MethodDelete} {
		req := httptest.NewRequest(method, "/api/csp-lab/reports", nil) // from 192.0.2.1
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		assert.Equal(t, http.StatusForbidden, rec.Code, method)
	}
	require.Len(t, list(), 1, "another machine cannot clear")
	assert.Equal(t, http.StatusNoContent, serve(h, http.MethodDelete, "/api/csp-lab/reports").Code)
	assert.Empty(t, list())
}
