package e2e

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithoutCSPLabThereIsNoLab(t *testing.T) {
	srv := startServer(t)
	for _, path := range []string{"/csp", "/csp?csp=strict", "/csp/try/strict/eval", "/api/csp-lab/policy"} {
		res, _ := srv.get(t, path)
		assert.Equal(t, http.StatusNotFound, res.StatusCode, path)
	}
	res, _ := srv.get(t, "/?csp=no-wasm")
	assert.Equal(t, strictPolicy+"; report-uri /api/csp-reports", res.Header.Get("Content-Security-Policy"), "?csp= changes nothing")

	p := newBrowser(t).newPage(t)
	p.open(srv.URL + "/?csp=no-wasm")
	appRuns(t, p)
	assert.Zero(t, mustEvaluate[int](p, `__e2e.violations.length`), "violations: %v", mustEvaluate[any](p, `__e2e.violations`))
	assert.False(t, mustEvaluate[bool](p, `!!document.querySelector('.lab-banner')`), "no lab banner")
	assert.Empty(t, srv.CSPReports(t))
}

// openLab opens the lab page and waits until the wasm runs it and its first
// poll of the reports has answered.
func openLab(t *testing.T, srv *server, b *browser, query string) *page {
	t.Helper()
	lab := b.newPage(t)
	lab.open(srv.URL + "/csp" + query)
	lab.waitFor(`!document.getElementById('app-wasm-loader')`, 30*time.Second, "the lab page's wasm should run")
	lab.waitFor(`__e2e.sees('Violations received (') && __e2e.sees('Why the app needs it')`, 10*time.Second)
	return lab
}

// labShows waits until the lab page lists a violation of directive whose
// blocked resource contains blocked, in the group of that directive.
func labShows(lab *page, directive, blocked string, timeout time.Duration) {
	lab.t.Helper()
	lab.waitFor(`(() => {
		const group = __e2e.role('region', 'Violations of `+directive+`');
		return group && [...group.querySelectorAll('tbody tr')].some((tr) => tr.cells[0].innerText.includes(`+jsString(blocked)+`));
	})()`, timeout, "the lab page should show the %s violation of %s", blocked, directive)
}

func TestCSPLabTwoTabsSideBySide(t *testing.T) {
	srv := startServer(t, "-csp-lab")
	b := newBrowser(t)
	lab := openLab(t, srv, b, "?csp=no-wasm") // the lab page runs under the server's policy, and studies no-wasm
	lab.waitForText("None yet", 10*time.Second)
	lab.waitForText("Policy under study: no-wasm", 5*time.Second)
	lab.waitForText("CSP lab: this tab runs under the server’s own policy (strict).", 5*time.Second)
	studied := mustEvaluate[string](lab, `document.querySelector('.lab-header').innerText`)
	assert.True(t, strings.HasPrefix(studied, "Content-Security-Policy: default-src 'self'; script-src 'self'; worker-src"), "the policy studied is no-wasm's: %s", studied)

	noWasm, strict := b.newPage(t), b.newPage(t)
	noWasm.open(srv.URL + "/?csp=no-wasm")
	strict.open(srv.URL + "/?csp=strict")

	noWasm.waitForText("blocks WebAssembly", 30*time.Second)
	noWasm.waitForText("this tab runs under the “no-wasm” policy (?csp=no-wasm)", 10*time.Second)
	start := time.Now()
	labShows(lab, "script-src", "wasm-eval", 5*time.Second)
	t.Logf("the wasm-eval report reached the lab page %v after the no-wasm tab explained the block", time.Since(start).Round(time.Millisecond))
	assert.True(t, mustEvaluate[bool](lab, `__e2e.sees("add 'wasm-unsafe-eval' to script-src (WebAssembly only, not eval)")`), "the lab names the fix")
	assert.True(t, mustEvaluate[bool](lab, `__e2e.sees('enforced (blocked)') && __e2e.sees('report-uri')`))

	appRuns(t, strict)
	strict.waitForText("this tab runs under the “strict” policy (?csp=strict)", 10*time.Second)
	assert.Zero(t, mustEvaluate[int](strict, `__e2e.violations.length`), "the strict tab: %v", mustEvaluate[any](strict, `__e2e.violations`))
	for _, r := range srv.CSPReports(t) {
		assert.Equal(t, "wasm-eval", r.BlockedURL, "the only violations are the no-wasm tab's: %+v", r)
	}
	assert.Zero(t, mustEvaluate[int](lab, `__e2e.violations.length`), "the lab page itself: %v", mustEvaluate[any](lab, `__e2e.violations`))
}

// tryCase is a try-it button and the violation it must cause under strict
// (none for what the strict policy allows on purpose).
type tryCase struct {
	name, label, directive, blocked string
}

func TestCSPLabTryItUnderEachPolicy(t *testing.T) {
	srv := startServer(t, "-csp-lab")
	other := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	cases := []tryCase{
		{"inline-script", "Inline script", "script-src-elem", "inline"},
		{"inline-style", "Inline style", "style-src-elem", "inline"},
		{"eval", "eval", "script-src", "eval"},
		{"wasm", "WebAssembly compile", "", ""}, // strict has 'wasm-unsafe-eval'
		{"connect", "Request to another origin", "connect-src", other + "/web/icons/icon.svg"},
		{"image", "Image from another origin", "img-src", other + "/web/icons/icon-192.png"},
		{"blob-worker", "Worker from blob:", "", ""}, // strict has worker-src blob: for OpenTok.js
	}
	b := newBrowser(t)
	lab := openLab(t, srv, b, "")

	for _, mode := range []string{"strict", "report-only"} {
		press(lab, "Under "+mode)
		for _, c := range cases {
			press(lab, "Try: "+c.label)
			want := "allowed"
			if mode == "strict" && c.directive != "" {
				want = "blocked"
			}
			lab.waitFor(`__e2e.role('status', `+jsString(c.label+" outcome")+`)?.innerText === `+jsString(want), 10*time.Second,
				"%s under %s should be %s", c.name, mode, want)
		}
		for _, c := range cases {
			if c.directive == "" {
				continue
			}
			disposition := "enforce"
			if mode == "report-only" {
				disposition = "report"
			}
			require.Eventually(t, func() bool { return hasReport(reportsFrom(t, srv, mode, c.name), c, disposition) }, 5*time.Second, 50*time.Millisecond,
				"%s under %s: the report-uri report with disposition %s; got %+v", c.name, mode, disposition, reportsFrom(t, srv, mode, c.name))
			lab.waitFor(`__e2e.role('group', 'Try `+c.label+`')?.innerText.includes(`+jsString(c.directive+": "+c.blocked)+`)`, 5*time.Second,
				"the report shows beside its button")
		}
		for _, c := range cases { // after the expected reports arrived: nothing else came
			for _, r := range reportsFrom(t, srv, mode, c.name) {
				assert.Equal(t, c.directive, r.EffectiveDirective, "%s under %s: exactly the expected violation: %+v", c.name, mode, r)
				assert.Equal(t, c.blocked, r.BlockedURL, "%s under %s: %+v", c.name, mode, r)
			}
		}
		if mode == "strict" {
			labShows(lab, "script-src-elem", "inline", 5*time.Second)
			mustEvaluate[bool](lab, `(window.scrollTo(0, 0), true)`)
			fullScreenshot(t, lab, "csp-lab-full")
			mustEvaluate[bool](lab, `(document.getElementById('lab-try').scrollIntoView(), true)`)
			lab.screenshot("csp-lab")
		}
	}
	// The two other modes, where they differ from strict: no-wasm blocks the
	// compile, off allows an inline script without a report.
	press(lab, "Under no-wasm")
	press(lab, "Try: WebAssembly compile")
	lab.waitFor(`__e2e.role('status', 'WebAssembly compile outcome')?.innerText === 'blocked'`, 10*time.Second)
	noWasm := tryCase{"wasm", "WebAssembly compile", "script-src", "wasm-eval"}
	require.Eventually(t, func() bool { return hasReport(reportsFrom(t, srv, "no-wasm", "wasm"), noWasm, "enforce") }, 5*time.Second, 50*time.Millisecond)
	press(lab, "Under off")
	press(lab, "Try: Inline script")
	lab.waitFor(`__e2e.role('status', 'Inline script outcome')?.innerText === 'allowed'`, 10*time.Second)
	lab.waitForText("No policy: the page may do anything.", 5*time.Second)

	for _, r := range srv.CSPReports(t) {
		assert.True(t, strings.Contains(r.DocumentURL, "/csp/try/"), "the lab page itself causes no violation: %+v", r)
		assert.False(t, strings.Contains(r.DocumentURL, "/csp/try/off/"), "off reports nothing: %+v", r)
	}
	assert.Zero(t, mustEvaluate[int](lab, `__e2e.violations.length`), "the lab page itself: %v", mustEvaluate[any](lab, `__e2e.violations`))

	lab.click("Clear")
	lab.waitForText("Violations received (0)", 5*time.Second)
	assert.Empty(t, srv.CSPReports(t))
}

// press activates a button with the keyboard: the rows of the lab page grow
// as reports arrive, so a mouse click aimed at a button a moment earlier may
// land on another.
func press(p *page, name string) {
	p.t.Helper()
	p.waitFor("__e2e.button("+jsString(name)+") && !__e2e.button("+jsString(name)+").disabled", 10*time.Second, "the %q button should be usable", name)
	require.NoError(p.t, chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.JSPath("__e2e.button("+jsString(name)+")"), kb.Enter)), "press %q", name)
}

// reportsFrom lists the reports whose document is the try-it page of mode and name.
func reportsFrom(t *testing.T, srv *server, mode, name string) []report {
	var out []report
	for _, r := range srv.CSPReports(t) {
		if u, err := url.Parse(r.DocumentURL); err == nil && u.Path == "/csp/try/"+mode+"/"+name {
			out = append(out, r)
		}
	}
	return out
}

func hasReport(reports []report, c tryCase, disposition string) bool {
	for _, r := range reports {
		if r.Format == "report-uri" && r.EffectiveDirective == c.directive && r.BlockedURL == c.blocked && r.Disposition == disposition {
			return true
		}
	}
	return false
}

// fullScreenshot saves a PNG of the whole page under e2e/screenshots.
func fullScreenshot(t *testing.T, p *page, name string) {
	t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll("screenshots", 0o755))
	require.NoError(t, os.WriteFile(filepath.Join("screenshots", name+".png"), png, 0o644))
}

func TestCSPLabTabsUnderDifferentPoliciesShareACall(t *testing.T) {
	srv := startServer(t, "-csp-lab")
	b := newBrowser(t)
	ada, grace := newPerson(t, b, "Ada"), newPerson(t, b, "Grace")
	joinUnder := func(p *person, mode string) {
		p.open(srv.URL + "/?csp=" + mode + "&room=lab-call")
		p.waitFor(`!document.getElementById('app-wasm-loader')`, 30*time.Second, "the app should start")
		p.waitForText("this tab runs under the “"+mode+"” policy", 10*time.Second)
		p.fill("Your name", p.name)
		p.fill("Encryption secret", "correct horse battery")
		p.click("Join call")
		p.waitForText("End-to-end encrypted", 20*time.Second)
	}
	joinUnder(ada, "strict")
	joinUnder(grace, "report-only")
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
	for _, p := range []*person{ada, grace} {
		assert.Zero(t, mustEvaluate[int](p.page, `__e2e.violations.length`), "%s: %v", p.name, mustEvaluate[any](p.page, `__e2e.violations`))
	}
	assert.Empty(t, srv.CSPReports(t), "a whole call under strict and report-only reports nothing")
}
