package csp

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestExplainCoversEveryDirectiveAndSourceOfStrict(t *testing.T) {
	explained := Explain(Strict().With("report-uri", ReportPath))
	require.Len(t, explained, 12)
	for _, e := range explained {
		assert.NotContains(t, e.Meaning, "does not explain", e.Directive)
		require.Equal(t, Strict().With("report-uri", ReportPath).Sources(e.Directive), sourcesOf(e), e.Directive)
		for _, s := range e.Sources {
			assert.NotEmpty(t, s.Allows, "%s %s", e.Directive, s.Source)
			assert.NotEmpty(t, s.Why, "every source of the app's own policy says why: %s %s", e.Directive, s.Source)
		}
	}
	wasm := explained[1].Sources[1]
	assert.Equal(t, "'wasm-unsafe-eval'", wasm.Source)
	assert.Contains(t, wasm.Allows, "not JavaScript eval")
	assert.Contains(t, wasm.Why, "WebAssembly")
	assert.Contains(t, explained[2].Sources[1].Why, "blob:", "worker-src blob: is for OpenTok.js's worker")
}

func TestExplainNamesOpenTokStyleHashes(t *testing.T) {
	p := Strict().With("style-src", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='")
	for _, e := range Explain(p) {
		if e.Directive == "style-src" {
			assert.Contains(t, e.Sources[1].Allows, "hash")
			assert.Contains(t, e.Sources[1].Why, "OpenTok.js")
			return
		}
	}
	t.Fatal("no style-src")
}

func sourcesOf(e Explained) []string {
	var out []string
	for _, s := range e.Sources {
		out = append(out, s.Source)
	}
	return out
}

func TestFixNamesTheChangeThatWouldAllowIt(t *testing.T) {
	strict := Strict().With("report-uri", ReportPath).String()
	tests := []struct {
		directive, blocked, policy, want string
	}{
		{"script-src", "wasm-eval", strict, "add 'wasm-unsafe-eval' to script-src"},
		{"script-src", "eval", strict, "add 'unsafe-eval' to script-src"},
		{"script-src-elem", "inline", strict, "add its hash ('sha256-…' of its text) to script-src"},
		{"style-src-elem", "inline", strict, "to style-src"},
		{"style-src-attr", "inline", strict, "'unsafe-hashes'"},
		{"connect-src", "http://localhost:3010/web/icons/icon.svg", strict, "add http://localhost:3010 to connect-src"},
		{"img-src", "https://cdn.example/a.png", strict, "add https://cdn.example to img-src"},
		{"worker-src", "blob", "default-src 'self'", "add blob: to default-src"},
		{"frame-src", "https://x.example/", "default-src 'self'; child-src 'self'", "add https://x.example to child-src"},
		{"script-src-elem", "inline", "", "to script-src-elem"},
	}
	for _, tt := range tests {
		t.Run(tt.directive+" "+tt.blocked, func(t *testing.T) {
			got := Fix(Report{EffectiveDirective: tt.directive, BlockedURL: tt.blocked, OriginalPolicy: tt.policy})
			assert.Contains(t, got, tt.want)
		})
	}
	assert.Empty(t, Fix(Report{EffectiveDirective: "require-trusted-types-for", BlockedURL: "trusted-types-sink"}))
}

func TestLabModesAreTheNamedOnesOnly(t *testing.T) {
	for _, name := range LabModeNames {
		m, ok := LabMode(name, Strict())
		require.True(t, ok, name)
		assert.Equal(t, name, m.Name)
	}
	_, ok := LabMode("default-src *", Strict())
	assert.False(t, ok, "a whole policy from a URL is refused")
	_, ok = LabMode("", Strict())
	assert.False(t, ok)

	m, _ := LabMode("no-wasm", Strict())
	framable := m.Framable()
	assert.Equal(t, []string{"'self'"}, framable.Policy.Sources("frame-ancestors"))
	assert.Equal(t, []string{"'none'"}, m.Policy.Sources("frame-ancestors"), "Framable leaves the mode it was called on alone")
	assert.Equal(t, []string{"'self'"}, framable.Policy.Sources("script-src"))
	off, _ := LabMode("off", Strict())
	assert.True(t, off.Framable().Policy.IsZero())
}
