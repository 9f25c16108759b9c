package ui

import (
	"net/url"
	"slices"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Lab is the CSP lab page (/csp), served only when the server runs with
// -csp-lab: the policy in force explained, the violations the server
// received (live), and buttons that trigger the usual violations in frames
// under a chosen policy. It renders from its fields; the fetches run in
// ctx.Async and come back through ctx.Dispatch.
type Lab struct {
	app.Compo

	server   labPolicy            // the server's own policy, which this page runs under
	policies map[string]labPolicy // each lab mode's policy, by name
	problem  string               // why the policies could not be read

	reports       []labReport
	reportProblem string // why the reports could not be read (another machine, server gone)

	tryMode string                // the policy studied: shown, and the one the try-it frames run under
	runs    map[string]int        // tryKey → how many times it ran (reloads its frame)
	results map[string]tryOutcome // tryKey → what the frame said the browser did

	onMessage app.Func // the window's message listener, removed on dismount
}

// labPolicy is GET /api/csp-lab/policy's answer.
type labPolicy struct {
	Mode       string `json:"mode"`
	Chosen     bool   `json:"chosen"`
	ReportOnly bool   `json:"reportOnly"`
	Headers    []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"headers"`
	Directives []struct {
		Directive string `json:"directive"`
		Meaning   string `json:"meaning"`
		Sources   []struct {
			Source string `json:"source"`
			Allows string `json:"allows"`
			Why    string `json:"why"`
		} `json:"sources"`
	} `json:"directives"`
	Modes    []string `json:"modes"`
	TryCases []string `json:"tryCases"`
}

// labReport is one report of GET /api/csp-lab/reports.
type labReport struct {
	Received           time.Time `json:"received"`
	Format             string    `json:"format"`
	DocumentURL        string    `json:"documentURL"`
	BlockedURL         string    `json:"blockedURL"`
	EffectiveDirective string    `json:"effectiveDirective"`
	Disposition        string    `json:"disposition"`
	SourceFile         string    `json:"sourceFile"`
	LineNumber         int       `json:"lineNumber"`
	Sample             string    `json:"sample"`
	Fix                string    `json:"fix"`
}

// tryOutcome is what a try-it frame posts to this page.
type tryOutcome struct {
	Blocked bool
	Outcome string
}

// labPollInterval is how often the page asks for new reports.
const labPollInterval = time.Second

// tryLabels name the try-it cases for people.
var tryLabels = map[string]string{
	"inline-script": "Inline script",
	"inline-style":  "Inline style",
	"eval":          "eval",
	"wasm":          "WebAssembly compile",
	"connect":       "Request to another origin",
	"image":         "Image from another origin",
	"blob-worker":   "Worker from blob:",
}

func tryKey(mode, name string) string { return mode + "/" + name }

// tryPath is the path of a try-it page, which is also the document URL of
// its reports.
func tryPath(mode, name string) string { return "/csp/try/" + mode + "/" + name }

// OnMount fetches the policies, starts polling the reports and listens to
// the try-it frames. ?csp= picks the policy studied first.
func (l *Lab) OnMount(ctx app.Context) {
	l.tryMode = "strict"
	if m := app.Window().URL().Query().Get("csp"); m != "" {
		l.tryMode = m
	}
	l.runs, l.results = map[string]int{}, map[string]tryOutcome{}
	ctx.Async(func() {
		server, policies, err := fetchPolicies()
		ctx.Dispatch(func(ctx app.Context) {
			if err != nil {
				l.problem = err.Error()
				return
			}
			l.server, l.policies = server, policies
			if _, ok := policies[l.tryMode]; !ok {
				l.tryMode = "strict"
			}
		})
	})
	ctx.Async(func() { l.poll(ctx) })
	l.onMessage = app.FuncOf(func(this app.Value, args []app.Value) any {
		data := args[0].Get("data")
		if args[0].Get("origin").String() != app.Window().URL().Scheme+"://"+app.Window().URL().Host ||
			data.Type() != app.TypeObject || data.Get("type").String() != "csp-lab-try" {
			return nil
		}
		key := tryKey(data.Get("mode").String(), data.Get("case").String())
		out := tryOutcome{Blocked: data.Get("blocked").Bool(), Outcome: data.Get("outcome").String()}
		ctx.Dispatch(func(ctx app.Context) { l.results[key] = out })
		return nil
	})
	app.Window().Call("addEventListener", "message", l.onMessage)
}

// OnDismount stops listening to the try-it frames (the polling stops with
// the component's context).
func (l *Lab) OnDismount() {
	if l.onMessage != nil {
		app.Window().Call("removeEventListener", "message", l.onMessage)
		l.onMessage.Release()
		l.onMessage = nil
	}
}

// fetchPolicies fetches the server's own policy, then each lab mode's.
func fetchPolicies() (labPolicy, map[string]labPolicy, error) {
	var server labPolicy
	if err := callAPI("GET", "/api/csp-lab/policy", nil, 200, &server); err != nil {
		return labPolicy{}, nil, err
	}
	policies := map[string]labPolicy{}
	for _, m := range server.Modes {
		var p labPolicy
		if err := callAPI("GET", "/api/csp-lab/policy?csp="+url.QueryEscape(m), nil, 200, &p); err != nil {
			return labPolicy{}, nil, err
		}
		policies[m] = p
	}
	return server, policies, nil
}

// poll fetches the reports every labPollInterval until the page goes.
func (l *Lab) poll(ctx app.Context) {
	tick := time.NewTicker(labPollInterval)
	defer tick.Stop()
	for {
		l.refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// refresh fetches the reports once; call it off the UI goroutine.
func (l *Lab) refresh(ctx app.Context) {
	var body struct {
		Reports []labReport `json:"reports"`
	}
	err := callAPI("GET", "/api/csp-lab/reports", nil, 200, &body)
	ctx.Dispatch(func(ctx app.Context) {
		if err != nil {
			l.reportProblem = err.Error()
			return
		}
		l.reportProblem = ""
		l.reports = body.Reports
	})
}

func (l *Lab) onTryMode(mode string) app.EventHandler {
	return func(ctx app.Context, e app.Event) { l.tryMode = mode }
}

func (l *Lab) onTry(name string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		key := tryKey(l.tryMode, name)
		delete(l.results, key)
		l.runs[key]++
	}
}

func (l *Lab) onClear(ctx app.Context, e app.Event) {
	ctx.Async(func() {
		if err := callAPI("DELETE", "/api/csp-lab/reports", nil, 204, nil); err != nil {
			ctx.Dispatch(func(ctx app.Context) { l.reportProblem = "Clearing failed: " + err.Error() })
			return
		}
		l.refresh(ctx)
	})
}

// reportGroup is the reports of one directive.
type reportGroup struct {
	Directive string
	Reports   []labReport
}

// groupReports groups reports by their effective directive, directives in
// alphabetical order, each group newest first.
func groupReports(reports []labReport) []reportGroup {
	var groups []reportGroup
	for i := len(reports) - 1; i >= 0; i-- {
		r := reports[i]
		at := slices.IndexFunc(groups, func(g reportGroup) bool { return g.Directive == r.EffectiveDirective })
		if at < 0 {
			groups = append(groups, reportGroup{Directive: r.EffectiveDirective})
			at = len(groups) - 1
		}
		groups[at].Reports = append(groups[at].Reports, r)
	}
	slices.SortFunc(groups, func(a, b reportGroup) int {
		switch {
		case a.Directive < b.Directive:
			return -1
		case a.Directive > b.Directive:
			return 1
		}
		return 0
	})
	return groups
}

// reportsFrom returns the reports whose document is at path (any host).
func reportsFrom(reports []labReport, path string) []labReport {
	var out []labReport
	for _, r := range reports {
		if u, err := url.Parse(r.DocumentURL); err == nil && u.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// deliveredBy names the reporting path a report came through.
func deliveredBy(format string) string {
	if format == "report-to" {
		return "Reporting API (report-to)"
	}
	return "report-uri"
}

// disposition says whether the browser blocked what it reports.
func disposition(d string) string {
	if d == "report" {
		return "report-only (allowed)"
	}
	return "enforced (blocked)"
}
