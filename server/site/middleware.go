package site

import (
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"time"

	"e2eecall/server/csp"
)

// securityHeaders sets the Content-Security-Policy (the headers policy
// gives for the request) and the other security headers on every response.
// In CSP lab mode the Referer goes to this origin only, because it carries a
// page's chosen policy to the files it loads (lab.go).
func securityHeaders(policy func(*http.Request) []csp.Header, lab bool) func(http.Handler) http.Handler {
	referrer := "no-referrer"
	if lab {
		referrer = "same-origin"
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			headers := policy(r)
			for _, p := range headers {
				h.Add(p.Name, p.Value)
			}
			if len(headers) > 0 {
				h.Set("Reporting-Endpoints", csp.ReportGroup+`="`+csp.ReportPath+`"`) // relative: the Host header is the client's to choose
			}
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", referrer)
			h.Set("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(self)")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if r.TLS != nil {
				h.Set("Strict-Transport-Security", "max-age=31536000")
			}
			next.ServeHTTP(w, r)
		})
	}
}

// logRequests writes one log line per request. It logs the path without the
// query, so nothing a client puts in a URL ends up in the log.
func logRequests(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			log.Info("http", "method", r.Method, "path", r.URL.Path, "status", rec.status,
				"bytes", rec.bytes, "duration", time.Since(start).Round(time.Microsecond))
		})
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (r *statusRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	n, err := r.ResponseWriter.Write(b)
	r.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController and the WebSocket library reach the
// connection underneath (flush, hijack).
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// limitBody refuses request bodies larger than n bytes.
func limitBody(n int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			r.Body = http.MaxBytesReader(w, r.Body, n)
			next.ServeHTTP(w, r)
		})
	}
}

func isTooLarge(err error) bool {
	var tooLarge *http.MaxBytesError
	return errors.As(err, &tooLarge)
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

func handleAPINotFound() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encodeError(w, http.StatusNotFound, "no such API endpoint: "+r.Method+" "+r.URL.Path, nil)
	})
}
