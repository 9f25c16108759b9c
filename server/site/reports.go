package site

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"sync"
	"time"
)

const (
	maxReportBody = 64 << 10
	maxReports    = 200
)

// Report is one Content-Security-Policy violation, in one shape whichever
// format the browser sent it in.
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

// reportLog keeps the latest reports, oldest first.
type reportLog struct {
	mu      sync.Mutex
	max     int
	reports []Report
}

func newReportLog(max int) *reportLog { return &reportLog{max: max} }

func (l *reportLog) add(r Report) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reports = append(l.reports, r)
	if over := len(l.reports) - l.max; over > 0 {
		l.reports = append(l.reports[:0:0], l.reports[over:]...)
	}
}

func (l *reportLog) list() []Report {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Report{}, l.reports...)
}

// handleReportPost takes violation reports in both formats browsers send:
// report-uri's {"csp-report": {...}} as application/csp-report, and the
// Reporting API's [{"type": "csp-violation", "body": {...}}] as
// application/reports+json.
func handleReportPost(reports *reportLog, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			if isTooLarge(err) {
				encodeError(w, http.StatusRequestEntityTooLarge, "the report is too large", nil)
				return
			}
			encodeError(w, http.StatusBadRequest, "the report could not be read", nil)
			return
		}
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		var parsed []Report
		switch mt {
		case "application/csp-report", "application/json":
			parsed, err = parseReportURI(body)
		case "application/reports+json":
			parsed, err = parseReportTo(body)
		default:
			encodeError(w, http.StatusUnsupportedMediaType, "send reports as application/csp-report or application/reports+json", nil)
			return
		}
		if err != nil {
			encodeError(w, http.StatusBadRequest, err.Error(), nil)
			return
		}
		for _, rep := range parsed {
			rep.Received = time.Now().UTC()
			reports.add(rep)
			log.Warn("csp violation", "format", rep.Format, "directive", rep.EffectiveDirective,
				"blocked", rep.BlockedURL, "disposition", rep.Disposition, "source", rep.SourceFile, "line", rep.LineNumber)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func handleReportList(reports *reportLog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encode(w, http.StatusOK, struct {
			Reports []Report `json:"reports"`
		}{reports.list()})
	})
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
		return nil, errBadReport
	}
	c := b.CSPReport
	directive := c.EffectiveDirective
	if directive == "" {
		directive = c.ViolatedDirective
	}
	if directive == "" {
		return nil, errBadReport
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
		return nil, errBadReport
	}
	var out []Report
	for _, e := range entries {
		if e.Type != "csp-violation" {
			continue // the Reporting API batches other report types to the same endpoint
		}
		if e.Body == nil || e.Body.EffectiveDirective == "" {
			return nil, errBadReport
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

var errBadReport = errors.New("the body is not a CSP violation report (report-uri or Reporting API format)")
