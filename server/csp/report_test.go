package csp

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReportsKeepNoQueryNorFragment(t *testing.T) {
	body := `{"csp-report":{"document-uri":"https://call.example/?room=secret-room#x","blocked-uri":"https://cdn.example/a.js?token=abc",` +
		`"effective-directive":"script-src","source-file":"https://user:pw@call.example/app.js?v=1","disposition":"enforce"}}`
	reports, err := ParseReports(ReportURIType, []byte(body))
	require.NoError(t, err)
	require.Len(t, reports, 1)
	r := reports[0]
	assert.Equal(t, "https://call.example/", r.DocumentURL)
	assert.Equal(t, "https://cdn.example/a.js", r.BlockedURL)
	assert.Equal(t, "https://call.example/app.js", r.SourceFile)
	for _, keyword := range []string{"inline", "eval", "wasm-eval", "data:", "blob:https://call.example/1-2"} {
		reports, err := ParseReports(ReportToType, []byte(`[{"type":"csp-violation","body":{"blockedURL":"`+keyword+`","effectiveDirective":"script-src"}}]`))
		require.NoError(t, err)
		assert.Equal(t, keyword, reports[0].BlockedURL)
	}
}

func TestReportFieldsAreCut(t *testing.T) {
	long := strings.Repeat("é", 5000)
	body, _ := json.Marshal([]map[string]any{{"type": "csp-violation", "body": map[string]any{
		"documentURL": "https://call.example/" + long, "blockedURL": long, "effectiveDirective": long,
		"originalPolicy": long, "sample": long, "sourceFile": long, "disposition": long,
	}}})
	reports, err := ParseReports(ReportToType, body)
	require.NoError(t, err)
	r := reports[0]
	assert.LessOrEqual(t, len(r.DocumentURL), maxURLBytes)
	assert.LessOrEqual(t, len(r.OriginalPolicy), maxPolicyBytes)
	assert.LessOrEqual(t, len(r.Sample), maxSampleBytes)
	assert.LessOrEqual(t, len(r.EffectiveDirective), maxWordBytes)
	assert.True(t, strings.HasSuffix(r.Sample, "é"), "cut between characters")
}

func TestReportLogIsBoundedInCountAndBytes(t *testing.T) {
	var small ReportLog
	for i := range MaxReports + 5 {
		small.Add(Report{EffectiveDirective: fmt.Sprint(i)})
	}
	got := small.List()
	require.Len(t, got, MaxReports)
	assert.Equal(t, "5", got[0].EffectiveDirective, "the oldest are forgotten")

	var big ReportLog
	huge := Report{OriginalPolicy: strings.Repeat("p", maxPolicyBytes), Sample: strings.Repeat("s", maxSampleBytes),
		DocumentURL: strings.Repeat("u", maxURLBytes), BlockedURL: strings.Repeat("b", maxURLBytes)}
	for range MaxReports {
		big.Add(huge)
	}
	listed, err := json.Marshal(big.List())
	require.NoError(t, err)
	assert.LessOrEqual(t, len(listed), MaxReportLogBytes+MaxReportLogBytes/4, "the list stays near its byte budget")
	assert.Less(t, len(big.List()), MaxReports)
}
