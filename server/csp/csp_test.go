package csp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStrictIsTheDocumentedPolicy(t *testing.T) {
	assert.Equal(t, "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; connect-src 'self'; "+
		"style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; object-src 'none'; base-uri 'none'; "+
		"form-action 'self'; frame-ancestors 'none'", Strict().String())
}

func TestWithAddsOnceAndLeavesTheOriginalAlone(t *testing.T) {
	base := Strict()
	extended := base.With("connect-src", "wss://*.opentok.com", "'self'").With("style-src", "'unsafe-inline'")
	assert.Equal(t, []string{"'self'", "wss://*.opentok.com"}, extended.Sources("connect-src"))
	assert.Equal(t, []string{"'self'"}, base.Sources("connect-src"), "With must not change the policy it was called on")
	assert.Equal(t, []string{"'self'", "'unsafe-inline'"}, extended.Sources("style-src"))
}

func TestWithoutRemovesOneSource(t *testing.T) {
	p := Strict().Without("script-src", "'wasm-unsafe-eval'")
	assert.Equal(t, []string{"'self'"}, p.Sources("script-src"))
	assert.Equal(t, []string{"'self'", "'wasm-unsafe-eval'"}, Strict().Sources("script-src"))
}

func TestParseMode(t *testing.T) {
	tests := []struct {
		value      string
		name       string
		headers    []string
		scriptSrc  []string
		wantErrMsg string
	}{
		{value: "", name: "strict", headers: []string{"Content-Security-Policy", "Content-Security-Policy-Report-Only"}, scriptSrc: []string{"'self'", "'wasm-unsafe-eval'"}},
		{value: "strict", name: "strict", headers: []string{"Content-Security-Policy", "Content-Security-Policy-Report-Only"}, scriptSrc: []string{"'self'", "'wasm-unsafe-eval'"}},
		{value: "report-only", name: "report-only", headers: []string{"Content-Security-Policy-Report-Only", "Content-Security-Policy-Report-Only"}, scriptSrc: []string{"'self'", "'wasm-unsafe-eval'"}},
		{value: "no-wasm", name: "no-wasm", headers: []string{"Content-Security-Policy", "Content-Security-Policy-Report-Only"}, scriptSrc: []string{"'self'"}},
		{value: "off", name: "off"},
		{value: "default-src 'self'; script-src 'self' 'unsafe-eval'", name: "custom", headers: []string{"Content-Security-Policy"}, scriptSrc: []string{"'self'", "'unsafe-eval'"}},
		{value: "nonsense!", wantErrMsg: "not a directive name"},
		{value: " ; ", wantErrMsg: "no directives"},
		{value: "script-src a; script-src b", wantErrMsg: "given twice"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			m, err := ParseMode(tt.value, Strict())
			if tt.wantErrMsg != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErrMsg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.name, m.Name)
			var names []string
			for _, h := range m.Headers() {
				names = append(names, h.Name)
			}
			assert.Equal(t, tt.headers, names)
			assert.Equal(t, tt.scriptSrc, m.Policy.Sources("script-src"))
		})
	}
}

func TestNamedModesReportBothWays(t *testing.T) {
	m, err := ParseMode("strict", Strict())
	require.NoError(t, err)
	h := m.Headers()
	require.Len(t, h, 2)
	assert.Equal(t, Strict().String()+"; report-uri /api/csp-reports", h[0].Value)
	assert.Equal(t, Strict().String()+"; report-to csp", h[1].Value)
}
