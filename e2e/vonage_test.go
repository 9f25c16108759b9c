package e2e

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	fakeAPIKey    = "47000001"
	fakeAPISecret = "s3cr3t-0f-the-vonage-project-never-to-reach-a-browser"
)

// fakeVonageAPI answers session creation as Vonage does; the REST details
// are checked in server/vonage's tests, this one only counts the calls.
func fakeVonageAPI(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/session/create" || r.Header.Get("X-OPENTOK-AUTH") == "" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"session_id":"1_MX40NzAwMDAwMX5-fake-e2ee-session","project_id":"47000001"}]`)
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func startVonageServer(t *testing.T) (*server, *atomic.Int32) {
	fake, calls := fakeVonageAPI(t)
	srv := startServerWithEnv(t, []string{"API_KEY=" + fakeAPIKey, "API_SECRET=" + fakeAPISecret, "VONAGE_API_URL=" + fake.URL})
	require.True(t, srv.out.Contains("backend vonage"), "credentials select the Vonage backend")
	return srv, calls
}

func TestVonageBackendLoadsTheRealOpenTokUnderOurCSP(t *testing.T) {
	srv, _ := startVonageServer(t)
	p := newBrowser(t).newPage(t)
	p.open(srv.URL)
	p.waitFor(appReady, joinTimeout, "the app starts")
	p.waitFor(`window.OT && OT.version && !String(OT.version).startsWith('e2eecall')`, 10*time.Second, "the page loads OpenTok.js itself, not our library")
	assert.True(t, mustEvaluate[bool](p, `OT.hasEndToEndEncryptionSupport()`))
	assert.False(t, mustEvaluate[bool](p, `!!document.querySelector('script[src="/web/ot/ot.js"]')`), "our library is not loaded with Vonage")

	p.waitFor(`document.querySelectorAll('head style').length > 0`, 10*time.Second, "OpenTok.js has injected its widget styles, which the CSP must allow")
	assert.Equal(t, 0, mustEvaluate[int](p, `__e2e.violations.length`), "violations: %v", mustEvaluate[any](p, `__e2e.violations`))
	assert.Empty(t, srv.CSPReports(t))
}

func TestVonageInvalidSecretFromOpenTokIsShownClearly(t *testing.T) {
	srv, calls := startVonageServer(t)
	p := newBrowser(t).newPage(t)
	// Our form refuses a secret of the wrong length before OpenTok sees it, so
	// to see the real library's own error the test hands initSession a secret
	// that is too short, as a page with a weaker form would.
	p.addScriptBeforeLoad(`(() => {
		let ot;
		Object.defineProperty(window, 'OT', { configurable: true, set(v) { ot = v; }, get() {
			if (ot && typeof ot.initSession === 'function' && !ot.initSession.wrapped) {
				const init = ot.initSession.bind(ot);
				ot.initSession = (key, id, options) => init(key, id, { ...options, encryptionSecret: 'short' });
				ot.initSession.wrapped = true;
			}
			return ot;
		} });
	})();`)
	p.open(srv.URL + "/?room=vonage")
	p.waitFor(appReady, joinTimeout)
	p.fill("Your name", "Ada")
	p.fill("Encryption secret", "a long enough secret")
	p.click("Join call")
	p.waitFor(`__e2e.banner('encryption secret was refused')`, 20*time.Second, "OpenTok's OT_INVALID_ENCRYPTION_SECRET becomes a clear message")
	banner := mustEvaluate[string](p, `__e2e.banner('encryption secret was refused')`)
	assert.Contains(t, banner, "at least 8 characters", "it keeps OpenTok's reason")
	assert.Contains(t, banner, "8 to 256", "and says what to do")
	assert.EqualValues(t, 1, calls.Load(), "the server created the room's session on Vonage")
}

func TestVonageSecretsNeverReachTheBrowser(t *testing.T) {
	srv, _ := startVonageServer(t)
	for _, path := range []string{"/", "/app.js", "/app-worker.js", "/manifest.webmanifest", "/wasm_exec.js", "/web/opentok/opentok.min.js", "/web/app.wasm", "/api/csp-reports"} {
		_, body := srv.get(t, path)
		assert.NotContains(t, string(body), fakeAPISecret, path)
	}
	res, err := http.Post(srv.URL+"/api/session", "application/json", strings.NewReader(`{"room":"r1","name":"Ada"}`))
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	assert.NotContains(t, string(body), fakeAPISecret)
	assert.Contains(t, string(body), `"backend":"vonage"`)
	assert.NotContains(t, srv.Logs(), fakeAPISecret, "nor the server's logs")
}
