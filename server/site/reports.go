package site

import (
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"e2eecall/server/clientaddr"
	"e2eecall/server/csp"
)

// handleReportPost takes violation reports in both formats browsers send
// (server/csp parses them) and logs one line for each.
func handleReportPost(reports *csp.ReportLog, log *slog.Logger) http.Handler {
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
		parsed, err := csp.ParseReports(mt, body)
		switch {
		case errors.Is(err, csp.ErrReportType):
			encodeError(w, http.StatusUnsupportedMediaType, err.Error(), nil)
			return
		case err != nil:
			encodeError(w, http.StatusBadRequest, err.Error(), nil)
			return
		}
		for _, rep := range parsed {
			rep.Received = time.Now().UTC()
			reports.Add(rep)
			log.Warn("csp violation", "format", rep.Format, "directive", rep.EffectiveDirective,
				"blocked", rep.BlockedURL, "disposition", rep.Disposition, "source", rep.SourceFile, "line", rep.LineNumber)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// handleReportList lists the reports kept. Reports tell which pages people
// opened, so the list is for this machine only unless the server was started
// to share it.
func handleReportList(reports *csp.ReportLog, public bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !public && !clientaddr.IsLoopback(r.RemoteAddr) {
			encodeError(w, http.StatusForbidden, "the report list is readable from the server's own machine only; start the server with -public-csp-reports to share it", nil)
			return
		}
		encode(w, http.StatusOK, struct {
			Reports []csp.Report `json:"reports"`
		}{reports.List()})
	})
}
