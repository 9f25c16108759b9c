package ui

import (
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLabGroupsReportsByDirectiveNewestFirst(t *testing.T) {
	reports := []labReport{
		{EffectiveDirective: "script-src", BlockedURL: "eval"},
		{EffectiveDirective: "img-src", BlockedURL: "https://a.example/x.png"},
		{EffectiveDirective: "script-src", BlockedURL: "wasm-eval"},
	}
	groups := groupReports(reports)
	require.Len(t, groups, 2)
	assert.Equal(t, "img-src", groups[0].Directive)
	assert.Equal(t, "script-src", groups[1].Directive)
	assert.Equal(t, []string{"wasm-eval", "eval"}, []string{groups[1].Reports[0].BlockedURL, groups[1].Reports[1].BlockedURL})
}

func TestLabFindsATryPagesReportsByPath(t *testing.T) {
	reports := []labReport{
		{DocumentURL: "http://127.0.0.1:3010/csp/try/strict/eval", BlockedURL: "eval"},
		{DocumentURL: "http://localhost:3010/csp/try/strict/eval", BlockedURL: "eval"},
		{DocumentURL: "http://127.0.0.1:3010/csp/try/report-only/eval", BlockedURL: "eval"},
		{DocumentURL: "http://127.0.0.1:3010/", BlockedURL: "wasm-eval"},
	}
	assert.Len(t, reportsFrom(reports, tryPath("strict", "eval")), 2)
	assert.Len(t, reportsFrom(reports, tryPath("report-only", "eval")), 1)
	assert.Equal(t, "Reporting API (report-to)", deliveredBy("report-to"))
	assert.Equal(t, "report-only (allowed)", disposition("report"))
	assert.Equal(t, "enforced (blocked)", disposition("enforce"))
}

func TestLabRendersThePolicyStudiedAndEachReport(t *testing.T) {
	l := &Lab{tryMode: "no-wasm", runs: map[string]int{}, results: map[string]tryOutcome{}}
	l.server = labPolicy{Mode: "strict", Modes: []string{"strict", "no-wasm"}, TryCases: []string{"wasm"}}
	var p labPolicy
	p.Mode = "no-wasm"
	p.Headers = append(p.Headers, struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}{"Content-Security-Policy", "script-src 'self'"})
	l.policies = map[string]labPolicy{"no-wasm": p}
	l.reports = []labReport{{DocumentURL: "http://127.0.0.1/csp/try/no-wasm/wasm", EffectiveDirective: "script-src", BlockedURL: "wasm-eval",
		Disposition: "enforce", Format: "report-uri", SourceFile: "http://127.0.0.1/web/lab/try.js", LineNumber: 42, Fix: "add 'wasm-unsafe-eval' to script-src"}}
	l.results[tryKey("no-wasm", "wasm")] = tryOutcome{Blocked: true, Outcome: "WebAssembly.compile threw CompileError"}
	l.runs[tryKey("no-wasm", "wasm")] = 1

	e := app.NewTestEngine()
	require.NoError(t, e.Load(l))
	e.ConsumeAll()
	html := app.HTMLString(l)
	for _, want := range []string{
		"Policy under study: no-wasm", "the server&#39;s own policy (strict)", "Content-Security-Policy: ", "script-src &#39;self&#39;",
		`src="/csp/try/no-wasm/wasm?run=1"`, ">blocked<",
		"script-src: wasm-eval, enforced (blocked), by report-uri", "http://127.0.0.1/web/lab/try.js:42", "add &#39;wasm-unsafe-eval&#39; to script-src",
		"Violations received (1)",
	} {
		assert.Contains(t, html, want)
	}
	assert.NotContains(t, html, "style=", "no inline styles")
	// go-app writes a true ARIA state as a bare attribute on the server; the browser gets "true".
	assert.Regexp(t, `<button [^>]*aria-pressed="false"[^>]*>Under strict<`, html)
	assert.Regexp(t, `<button [^>]*aria-pressed(="true")?( [^>]*)?>Under no-wasm<`, html)
}
