package site

import (
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"e2eecall/server/clientaddr"
	"e2eecall/server/csp"
)

// The CSP lab (-csp-lab) lets front-end developers choose a policy per tab
// with ?csp=strict|report-only|no-wasm|off, see it explained and watch its
// violations on the lab page (/csp), and trigger the usual violations in
// try-it pages (/csp/try/{mode}/{case}). Without -csp-lab none of it exists.
//
// How a page's files get the page's policy: a policy applies to the document
// whose response carries it, and the browser applies the document's policy to
// everything the document does (its scripts, styles, the wasm compile, fetches,
// blob: workers). The only files whose own policy header counts are documents
// (frames) and workers from a URL. So the choice travels:
//   - for the app's page, in its own URL (?csp=…);
//   - for the try-it pages, in their path (/csp/try/strict/eval), so that it
//     also survives in the document URL of their reports, whose query the
//     server drops;
//   - for the files a page loads (our library's encryption worker among them),
//     in the Referer, which lab mode sends to this origin only
//     (Referrer-Policy: same-origin instead of no-referrer). A cookie would be
//     shared by every tab, so two tabs side by side would overwrite each
//     other's choice; a path prefix would need a second go-app root.
//
// go-app's service worker is shared by every tab, so it is not a lab tab's to
// choose: /app-worker.js keeps the server's own policy, with one change. The
// worker forwards every request of the pages it controls with fetch(), under
// its own connect-src; a try-it page under report-only that loads an image
// from another origin would see it blocked there, by the worker, and a second
// report. In lab mode the worker's connect-src is *: a page's own policy is
// checked before its request reaches the worker, so this takes nothing from
// the page's policy. The worker caches "/"
// and the files with the server's policy too, but a page opened with ?csp=
// never matches the cached "/" (the cache compares queries) and comes from
// the network; the cached files' policy headers have no effect. The session
// API and the call ignore the choice: the app sends only {room, name}, and
// the server reads neither ?csp= nor the Referer for /api/ (the browser does
// send the Referer there, to this origin only).

// tryCases are the violations the lab page can trigger, in its order.
var tryCases = []string{"inline-script", "inline-style", "eval", "wasm", "connect", "image", "blob-worker"}

// lab is the CSP lab's state: the modes a page may choose, built on the
// backend's policy, and the server's own mode for everything else.
type lab struct {
	base    csp.Policy
	server  csp.Mode
	tryHTML []byte // the try-it page
}

// newLab sets the lab up.
func newLab(cfg Config) (*lab, error) {
	tryHTML, err := fs.ReadFile(cfg.Assets.Static, "lab/try.html")
	if err != nil {
		return nil, errors.New("site: the CSP lab's lab/try.html is missing from the static files")
	}
	base := cfg.CSPBase
	if base.IsZero() {
		base = csp.Strict()
	}
	return &lab{base: base, server: cfg.CSP, tryHTML: tryHTML}, nil
}

// choice is the lab mode name a request chose, or "".
func (l *lab) choice(r *http.Request) string {
	if isAPI(r.URL.Path) || r.URL.Path == "/app-worker.js" {
		return ""
	}
	if name := choiceIn(r.URL); name != "" {
		return name
	}
	ref, err := url.Parse(r.Referer())
	if err != nil || ref.Host != r.Host || isAPI(ref.Path) {
		return ""
	}
	return choiceIn(ref)
}

// choiceIn reads a lab mode name from a URL: a try-it page's path, or ?csp=.
// The lab page itself always runs under the server's own policy (it is a
// wasm app too, and would not start under no-wasm): its ?csp= only picks the
// policy it studies.
func choiceIn(u *url.URL) string {
	if mode, _, ok := tryPath(u.Path); ok {
		return mode
	}
	if u.Path == "/csp" {
		return ""
	}
	if name := u.Query().Get("csp"); slices.Contains(csp.LabModeNames, name) {
		return name
	}
	return ""
}

// tryPath splits /csp/try/{mode}/{case}.
func tryPath(p string) (mode, tryCase string, ok bool) {
	rest, found := strings.CutPrefix(p, "/csp/try/")
	if !found {
		return "", "", false
	}
	mode, tryCase, _ = strings.Cut(rest, "/")
	ok = slices.Contains(csp.LabModeNames, mode) && slices.Contains(tryCases, tryCase)
	return mode, tryCase, ok
}

func isAPI(p string) bool { return strings.HasPrefix(p, "/api/") }

// mode is the mode for a request: the chosen lab mode or the server's own.
// Try-it pages may be framed by the lab page.
func (l *lab) mode(r *http.Request) (csp.Mode, bool) {
	if r.URL.Path == "/app-worker.js" && l.server.Policy.Has("connect-src") {
		m := l.server
		m.Policy = m.Policy.Without("connect-src", "'self'").With("connect-src", "*")
		return m, false
	}
	name := l.choice(r)
	if name == "" {
		return l.server, false
	}
	m, _ := csp.LabMode(name, l.base)
	if _, _, ok := tryPath(r.URL.Path); ok {
		m = m.Framable()
	}
	return m, true
}

func (l *lab) headers(r *http.Request) []csp.Header {
	m, _ := l.mode(r)
	return m.Headers()
}

// addLabRoutes adds the lab's pages and API when lab mode is on (newPage
// adds its banner). When it is off it makes sure they do not exist (go-app would
// otherwise render the lab's route, which the app registers in every build).
func addLabRoutes(mux *http.ServeMux, l *lab, page http.Handler, reports *csp.ReportLog, public bool) {
	if l == nil {
		mux.Handle("/csp", http.NotFoundHandler())
		mux.Handle("/csp/", http.NotFoundHandler())
		return
	}
	api := deadlines(bodyTimeout, apiWriteTimeout)
	file := deadlines(bodyTimeout, fileWriteTimeout)
	mux.Handle("GET /csp", file(page))
	mux.Handle("/csp/", file(handleTry(l.tryHTML)))
	mux.Handle("GET /api/csp-lab/policy", api(handleLabPolicy(l)))
	mux.Handle("GET /api/csp-lab/reports", api(onlyHere(public, handleLabReports(reports))))
	mux.Handle("DELETE /api/csp-lab/reports", api(onlyHere(public, handleLabClear(reports))))
}

// handleTry serves the try-it page; its script reads the mode and the case
// from the path.
func handleTry(html []byte) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, ok := tryPath(r.URL.Path); !ok || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(html)
	})
}

// labPolicy is what GET /api/csp-lab/policy answers: the policy a page with
// ?csp=… gets, as headers and explained.
type labPolicy struct {
	Mode       string          `json:"mode"`
	Chosen     bool            `json:"chosen"` // false: no lab mode was chosen, this is the server's own
	ReportOnly bool            `json:"reportOnly"`
	Headers    []csp.Header    `json:"headers"`
	Directives []csp.Explained `json:"directives"`
	Modes      []string        `json:"modes"`
	TryCases   []string        `json:"tryCases"`
}

func handleLabPolicy(l *lab) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, chosen := l.server, false
		if lm, ok := csp.LabMode(r.URL.Query().Get("csp"), l.base); ok {
			m, chosen = lm, true
		}
		headers := m.Headers()
		if headers == nil {
			headers = []csp.Header{}
		}
		encode(w, http.StatusOK, labPolicy{
			Mode: m.Name, Chosen: chosen, ReportOnly: m.ReportOnly, Headers: headers,
			Directives: csp.Explain(m.Policy), Modes: csp.LabModeNames, TryCases: tryCases,
		})
	})
}

// labReport is a kept report with the change to the policy that would allow it.
type labReport struct {
	csp.Report
	Fix string `json:"fix,omitempty"`
}

func handleLabReports(reports *csp.ReportLog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list := reports.List()
		out := make([]labReport, len(list))
		for i, rep := range list {
			out[i] = labReport{Report: rep, Fix: csp.Fix(rep)}
		}
		if r.URL.Query().Has("download") {
			w.Header().Set("Content-Disposition", `attachment; filename="csp-reports.json"`)
		}
		encode(w, http.StatusOK, struct {
			Reports []labReport `json:"reports"`
		}{out})
	})
}

func handleLabClear(reports *csp.ReportLog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reports.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
}

// onlyHere lets only the server's own machine through, unless public: the
// reports tell which pages people opened.
func onlyHere(public bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !public && !clientaddr.IsLoopback(r.RemoteAddr) {
			encodeError(w, http.StatusForbidden, "the report list is readable from the server's own machine only; start the server with -public-csp-reports to share it", nil)
			return
		}
		next.ServeHTTP(w, r)
	})
}
