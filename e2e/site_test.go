package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const strictPolicy = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; connect-src 'self'; " +
	"style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// appRuns waits until the wasm has started: go-app removes its loader, and
// the Join button becomes usable once the form is valid.
func appRuns(t *testing.T, p *page) {
	t.Helper()
	p.waitFor(appReady, 30*time.Second, "the app should run: data-app=ready on <html>")
	p.fill("Your name", "Ada")
	p.fill("Encryption secret", "correct horse battery")
	p.waitFor(`__e2e.button('Join call') && !__e2e.button('Join call').disabled`, 10*time.Second, "Join call should become usable")
}

func TestStrictCSPRunsTheAppWithNoViolations(t *testing.T) {
	srv := startServer(t)
	p := newBrowser(t).newPage(t)
	p.open(srv.URL)
	appRuns(t, p)

	assert.Equal(t, 0, mustEvaluate[int](p, `__e2e.violations.length`), "violations seen by the page: %v", mustEvaluate[any](p, `__e2e.violations`))
	assert.Empty(t, srv.CSPReports(t), "the server received violation reports")
	assert.Equal(t, "e2eecall-local", mustEvaluate[string](p, `OT.version`), "the embedded backend's page loads our library")
	assert.False(t, mustEvaluate[bool](p, `!!document.querySelector('script[src*="opentok.min.js"]')`), "and not OpenTok.js")
}

func TestThePageIsPrerenderedWithLocalIconsOnly(t *testing.T) {
	srv := startServer(t)
	res, body := srv.get(t, "/")
	require.Equal(t, http.StatusOK, res.StatusCode)
	html := string(body)
	for _, want := range []string{`<label for="name">Your name</label>`, `<label for="room">Room</label>`, `<label for="secret">Encryption secret</label>`, `Join call`} {
		assert.Contains(t, html, want, "the join form shows before the wasm runs")
	}
	assert.NotContains(t, html, "style=", "no inline styles")
	assert.NotContains(t, html, "raw.githubusercontent.com", "no remote icons")
	assert.NotContains(t, html, "<script>", "no inline scripts")
}

// TestABlockedWasmIsExplainedWhenTheBootScriptArrivesLate holds boot.js
// back until the blocked compile has failed: app.js runs before it, and the
// compile fails as soon as app.wasm's headers arrive, so the violation can
// come before boot.js listens for it (a clean-clone CI run once showed no
// explanation at all).
func TestABlockedWasmIsExplainedWhenTheBootScriptArrivesLate(t *testing.T) {
	srv := startServer(t, "-csp", "no-wasm")
	p := newBrowser(t).newPage(t)
	held := p.holdRequests("*/web/boot/boot.js")
	p.startOpening(srv.URL)
	var id fetch.RequestID
	select {
	case id = <-held:
	case <-time.After(20 * time.Second):
		t.Fatal("boot.js was never requested")
	}
	p.waitFor(`!document.getElementById('app-wasm-loader-icon')?.classList.contains('goapp-spin')`, 30*time.Second,
		"the compile fails while boot.js is held back")
	_, err := chromedp.Call(p.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
	require.NoError(t, err)

	p.waitForText("blocks WebAssembly", 10*time.Second)
	assert.True(t, mustEvaluate[bool](p, `__e2e.sees("add ‘wasm-unsafe-eval’ to script-src")`), "the message names the directive and the fix: %s", mustEvaluate[string](p, `__e2e.text()`))
	assert.False(t, mustEvaluate[bool](p, `__e2e.sees('could not be loaded')`), "a blocked compile is not a failed download")
}

func TestNoWasmModeExplainsTheBlockAndReportsIt(t *testing.T) {
	srv := startServer(t, "-csp", "no-wasm")
	p := newBrowser(t).newPage(t)
	p.open(srv.URL)

	p.waitForText("blocks WebAssembly", 30*time.Second)
	assert.True(t, mustEvaluate[bool](p, `__e2e.sees("add ‘wasm-unsafe-eval’ to script-src")`), "the message names the directive and the fix: %s", mustEvaluate[string](p, `__e2e.text()`))
	assert.NotNil(t, mustEvaluate[any](p, `__e2e.role('alert', '') || __e2e.all('alert')[0]`), "the message is an alert")

	formats := map[string]bool{}
	require.Eventually(t, func() bool {
		for _, r := range srv.CSPReports(t) {
			if r.EffectiveDirective == "script-src" && r.BlockedURL == "wasm-eval" {
				formats[r.Format] = true
			}
		}
		// Headless Chromium queues Reporting API reports and does not deliver
		// them here (with either an absolute or a relative endpoint), so only
		// report-uri's arrival is checked.
		return formats["report-uri"]
	}, 15*time.Second, 100*time.Millisecond, "the wasm-eval violation should reach /api/csp-reports: %v", formats)
	assert.True(t, srv.out.Contains("csp violation"), "each report is logged")
}

func TestReportOnlySendsTheReportOnlyHeaderAndTheAppRuns(t *testing.T) {
	srv := startServer(t, "-csp", "report-only")
	res, _ := srv.get(t, "/")
	assert.Equal(t, []string{strictPolicy + "; report-uri /api/csp-reports", strictPolicy + "; report-to csp"},
		res.Header.Values("Content-Security-Policy-Report-Only"))
	assert.Empty(t, res.Header.Get("Content-Security-Policy"), "nothing is enforced")

	p := newBrowser(t).newPage(t)
	p.open(srv.URL)
	appRuns(t, p)
}

func TestEveryResponseHasTheSecurityHeaders(t *testing.T) {
	srv := startServer(t)
	for _, path := range []string{"/", "/app.js", "/wasm_exec.js", "/web/app.wasm", "/web/css/app.css", "/api/csp-reports", "/web/no-such-file"} {
		t.Run(path, func(t *testing.T) {
			res, _ := srv.get(t, path)
			h := res.Header
			assert.Equal(t, strictPolicy+"; report-uri /api/csp-reports", h.Get("Content-Security-Policy"))
			assert.Equal(t, strictPolicy+"; report-to csp", h.Get("Content-Security-Policy-Report-Only"), "the same policy, reported through the Reporting API")
			assert.Equal(t, `csp="/api/csp-reports"`, h.Get("Reporting-Endpoints"), "relative: the Host header does not choose where reports go")
			assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
			assert.Equal(t, "no-referrer", h.Get("Referrer-Policy"))
			assert.Equal(t, "camera=(self), microphone=(self), display-capture=(self)", h.Get("Permissions-Policy"))
			assert.Equal(t, "same-origin", h.Get("Cross-Origin-Opener-Policy"))
		})
	}
}

func TestAppWasmIsServedCompressedAsAsked(t *testing.T) {
	srv := startServer(t)
	plainRes, plain := srv.get(t, "/web/app.wasm")
	require.Equal(t, http.StatusOK, plainRes.StatusCode)
	assert.Empty(t, plainRes.Header.Get("Content-Encoding"))
	assert.Equal(t, "application/wasm", plainRes.Header.Get("Content-Type"))
	assert.True(t, bytes.HasPrefix(plain, []byte("\x00asm")), "plain app.wasm starts with the wasm magic")

	brRes, br := srv.get(t, "/web/app.wasm", "Accept-Encoding", "gzip, deflate, br, zstd")
	assert.Equal(t, "br", brRes.Header.Get("Content-Encoding"))
	assert.Equal(t, "application/wasm", brRes.Header.Get("Content-Type"))
	assert.Contains(t, brRes.Header.Values("Vary"), "Accept-Encoding")
	assert.Less(t, len(br), len(plain)/3, "brotli should shrink the wasm to under a third")
	unpacked, err := readAllBrotli(br)
	require.NoError(t, err)
	assert.Equal(t, plain, unpacked, "the brotli body is app.wasm")
	assert.Equal(t, len(plain), atoi(t, brRes.Header.Get("X-Wasm-Content-Length")), "go-app's loader learns the real size")

	gzRes, _ := srv.get(t, "/web/app.wasm", "Accept-Encoding", "gzip")
	assert.Equal(t, "gzip", gzRes.Header.Get("Content-Encoding"))
}

func TestWasmExecIsTheToolchainCopy(t *testing.T) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	require.NoError(t, err)
	want, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js"))
	require.NoError(t, err)

	srv := startServer(t)
	_, served := srv.get(t, "/wasm_exec.js")
	assert.True(t, bytes.Equal(want, served),
		"/wasm_exec.js differs from $(go env GOROOT)/lib/wasm/wasm_exec.js: run make build, which copies the toolchain's file into wasm_exec/ and rebuilds the binary")
}

func readAllBrotli(b []byte) ([]byte, error) {
	var out bytes.Buffer
	_, err := out.ReadFrom(brotli.NewReader(bytes.NewReader(b)))
	return out.Bytes(), err
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}
