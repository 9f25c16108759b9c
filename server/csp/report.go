package csp

import (
	"encoding/json"
	"errors"
	"net/url"
	"sync"
	"time"
)

// Limits of what the server keeps of violation reports: a report body is at
// most MaxReportBody bytes; the log keeps the latest MaxReports within
// MaxReportLogBytes, each field cut to a bounded length, so that listing
// them costs a bounded amount whatever browsers (or anyone) send.
const (
	MaxReportBody     = 64 << 10
	MaxReports        = 200
	MaxReportLogBytes = 256 << 10
	maxURLBytes       = 512
	maxSampleBytes    = 256
	maxPolicyBytes    = 2048
	maxWordBytes      = 64
)

// Report is one Content-Security-Policy violation, in one shape whichever
// format the browser sent it in. URLs are kept without their query and
// fragment: an invite link's room name stays out of the log.
type Report struct {
	Received           time.Time `json:"received"`
	Format             string    `json:"format"` // "report-uri" or "report-to"
	DocumentURL        string    `json:"documentURL"`
	BlockedURL         string    `json:"blockedURL"`
	EffectiveDirective string    `json:"effectiveDirective"`
	OriginalPolicy     string    `json:"originalPolicy,omitempty"`
	Disposition        string    `json:"disposition"` // "enforce" or "report"
	SourceFile         string    `json:"sourceFile,omitempty"`
	LineNumber         int       `json:"lineNumber,omitempty"`
	Sample             string    `json:"sample,omitempty"`
}

// Report body media types: report-uri's and the Reporting API's.
const (
	ReportURIType = "application/csp-report"
	ReportToType  = "application/reports+json"
)

var (
	ErrReportType = errors.New("send reports as application/csp-report or application/reports+json")
	ErrBadReport  = errors.New("the body is not a CSP violation report (report-uri or Reporting API format)")
)

// ParseReports reads a report body in the format its media type names:
// report-uri's {"csp-report": {...}} or the Reporting API's
// [{"type": "csp-violation", "body": {...}}].
func ParseReports(mediaType string, body []byte) ([]Report, error) {
	var reports []Report
	var err error
	switch mediaType {
	case ReportURIType, "application/json":
		reports, err = parseReportURI(body)
	case ReportToType:
		reports, err = parseReportTo(body)
	default:
		return nil, ErrReportType
	}
	for i := range reports {
		reports[i] = reports[i].cleaned()
	}
	return reports, err
}

type reportURIBody struct {
	CSPReport *struct {
		DocumentURI        string `json:"document-uri"`
		BlockedURI         string `json:"blocked-uri"`
		EffectiveDirective string `json:"effective-directive"`
		ViolatedDirective  string `json:"violated-directive"`
		OriginalPolicy     string `json:"original-policy"`
		Disposition        string `json:"disposition"`
		SourceFile         string `json:"source-file"`
		LineNumber         int    `json:"line-number"`
		ScriptSample       string `json:"script-sample"`
	} `json:"csp-report"`
}

func parseReportURI(body []byte) ([]Report, error) {
	var b reportURIBody
	if err := json.Unmarshal(body, &b); err != nil || b.CSPReport == nil {
		return nil, ErrBadReport
	}
	c := b.CSPReport
	directive := c.EffectiveDirective
	if directive == "" {
		directive = c.ViolatedDirective
	}
	if directive == "" {
		return nil, ErrBadReport
	}
	return []Report{{
		Format: "report-uri", DocumentURL: c.DocumentURI, BlockedURL: c.BlockedURI, EffectiveDirective: directive,
		OriginalPolicy: c.OriginalPolicy, Disposition: c.Disposition, SourceFile: c.SourceFile, LineNumber: c.LineNumber,
		Sample: c.ScriptSample,
	}}, nil
}

type reportToEntry struct {
	Type string `json:"type"`
	Body *struct {
		DocumentURL        string `json:"documentURL"`
		BlockedURL         string `json:"blockedURL"`
		EffectiveDirective string `json:"effectiveDirective"`
		OriginalPolicy     string `json:"originalPolicy"`
		Disposition        string `json:"disposition"`
		SourceFile         string `json:"sourceFile"`
		LineNumber         int    `json:"lineNumber"`
		Sample             string `json:"sample"`
	} `json:"body"`
}

func parseReportTo(body []byte) ([]Report, error) {
	var entries []reportToEntry
	if err := json.Unmarshal(body, &entries); err != nil || len(entries) == 0 {
		return nil, ErrBadReport
	}
	var out []Report
	for _, e := range entries {
		if e.Type != "csp-violation" {
			continue // the Reporting API batches other report types to the same endpoint
		}
		if e.Body == nil || e.Body.EffectiveDirective == "" {
			return nil, ErrBadReport
		}
		b := e.Body
		out = append(out, Report{
			Format: "report-to", DocumentURL: b.DocumentURL, BlockedURL: b.BlockedURL, EffectiveDirective: b.EffectiveDirective,
			OriginalPolicy: b.OriginalPolicy, Disposition: b.Disposition, SourceFile: b.SourceFile, LineNumber: b.LineNumber,
			Sample: b.Sample,
		})
	}
	return out, nil
}

// cleaned strips URLs to scheme, host and path and cuts every field to its
// bound.
func (r Report) cleaned() Report {
	r.DocumentURL = cut(withoutQuery(r.DocumentURL), maxURLBytes)
	r.BlockedURL = cut(withoutQuery(r.BlockedURL), maxURLBytes)
	r.SourceFile = cut(withoutQuery(r.SourceFile), maxURLBytes)
	r.EffectiveDirective = cut(r.EffectiveDirective, maxWordBytes)
	r.Disposition = cut(r.Disposition, maxWordBytes)
	r.OriginalPolicy = cut(r.OriginalPolicy, maxPolicyBytes)
	r.Sample = cut(r.Sample, maxSampleBytes)
	return r
}

// withoutQuery drops a URL's query, fragment and credentials; keywords such
// as "inline" or "wasm-eval" pass unchanged.
func withoutQuery(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if u.Scheme == "" || u.Opaque != "" && u.RawQuery == "" {
		return s
	}
	u.RawQuery, u.Fragment, u.RawFragment, u.User = "", "", "", nil
	u.ForceQuery = false
	return u.String()
}

// cut shortens s to at most n bytes without splitting a UTF-8 sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

func (r Report) size() int {
	return 200 + len(r.DocumentURL) + len(r.BlockedURL) + len(r.SourceFile) + len(r.EffectiveDirective) +
		len(r.Disposition) + len(r.OriginalPolicy) + len(r.Sample)
}

// ReportLog keeps the latest reports, oldest first, within MaxReports and
// MaxReportLogBytes.
type ReportLog struct {
	mu      sync.Mutex
	reports []Report
	bytes   int
}

// Add keeps r, forgetting the oldest reports as needed.
func (l *ReportLog) Add(r Report) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reports = append(l.reports, r)
	l.bytes += r.size()
	drop := 0
	for len(l.reports)-drop > MaxReports || l.bytes > MaxReportLogBytes {
		l.bytes -= l.reports[drop].size()
		drop++
	}
	if drop > 0 {
		l.reports = append(l.reports[:0:0], l.reports[drop:]...)
	}
}

// List returns the reports kept, oldest first.
func (l *ReportLog) List() []Report {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Report{}, l.reports...)
}

// Clear forgets every report.
func (l *ReportLog) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reports, l.bytes = nil, 0
}
