package ui

import (
	"fmt"
	"strconv"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// Render shows the policy, the try-it buttons and the violations.
func (l *Lab) Render() app.UI {
	return app.Main().Class("lab").Body(
		app.H1().Text("CSP lab"),
		app.P().Class("lab-intro").Text("A Content-Security-Policy this server can send, what each part allows and why the app needs it, "+
			"what it does to the usual violations, and every violation browsers reported. Open the app with ?csp=strict, report-only, no-wasm or off to run it under another policy in one tab."),
		l.renderPolicy(),
		l.renderTry(),
		l.renderReports(),
	)
}

func (l *Lab) renderPolicy() app.UI {
	p := l.policies[l.tryMode]
	return app.Section().Aria("labelledby", "lab-policy").Body(
		app.H2().ID("lab-policy").Text("Policy under study: "+l.tryMode),
		app.P().Class("lab-intro").Text("Choose it here or with ?csp= on this page's address. "+
			"This page itself runs under the server's own policy ("+l.server.Mode+"); the app opened with ?csp="+l.tryMode+" and the try-it frames below run under this one."),
		l.renderModes(),
		app.If(l.problem != "", func() app.UI {
			return app.P().Class("lab-error").Role("alert").Text("The policy could not be read: " + l.problem)
		}),
		app.If(p.Mode != "" && len(p.Headers) == 0, func() app.UI { return app.P().Text("No policy: the page may do anything.") }),
		app.Range(p.Headers).Slice(func(i int) app.UI {
			return app.P().Class("lab-header").Body(app.Strong().Text(p.Headers[i].Name+": "), app.Text(p.Headers[i].Value))
		}),
		app.If(len(p.Directives) > 0, func() app.UI {
			return app.Table().Class("lab-table").Body(
				app.THead().Body(app.Tr().Body(
					app.Th().Scope("col").Text("Directive"), app.Th().Scope("col").Text("Source"),
					app.Th().Scope("col").Text("Allows"), app.Th().Scope("col").Text("Why the app needs it"),
				)),
				app.TBody().Body(app.Range(p.Directives).Slice(func(i int) app.UI {
					d := p.Directives[i]
					return app.Range(d.Sources).Slice(func(j int) app.UI {
						s := d.Sources[j]
						return app.Tr().Body(
							app.If(j == 0, func() app.UI {
								return app.Th().Scope("row").Rowspan(len(d.Sources)).Body(
									app.Code().Text(d.Directive), app.Br(), app.Span().Class("lab-directive-meaning").Text(d.Meaning))
							}),
							app.Td().Body(app.Code().Text(s.Source)),
							app.Td().Text(s.Allows),
							app.Td().Text(s.Why),
						)
					})
				})),
			)
		}),
	)
}

// renderModes are the buttons that choose the policy studied.
func (l *Lab) renderModes() app.UI {
	modes := l.server.Modes
	return app.Div().Class("lab-controls").Role("group").Aria("label", "Policy under study").Body(
		app.Range(modes).Slice(func(i int) app.UI {
			m := modes[i]
			return app.Button().Type("button").Class("button").Aria("pressed", m == l.tryMode).
				Text("Under " + m).OnClick(l.onTryMode(m))
		}),
		app.A().Href("/?csp="+l.tryMode).Target("_blank").Rel("noopener").Text("Open the app under "+l.tryMode+" in a new tab"),
	)
}

func (l *Lab) renderTry() app.UI {
	cases := l.server.TryCases
	return app.Section().Aria("labelledby", "lab-try").Body(
		app.H2().ID("lab-try").Text("Try it under "+l.tryMode),
		app.P().Class("lab-intro").Text("Each button opens a small page in a frame, under the policy studied, that does one thing the policy may forbid."),
		app.Div().Class("lab-try").Body(app.Range(cases).Slice(func(i int) app.UI {
			return l.renderTryCase(cases[i])
		})),
	)
}

func (l *Lab) renderTryCase(name string) app.UI {
	key := tryKey(l.tryMode, name)
	runs := l.runs[key]
	result, done := l.results[key]
	path := tryPath(l.tryMode, name)
	reports := reportsFrom(l.reports, path)
	outcome := "not tried"
	class := ""
	switch {
	case done && result.Blocked:
		outcome, class = "blocked", "lab-outcome-blocked"
	case done:
		outcome, class = "allowed", "lab-outcome-allowed"
	case runs > 0:
		outcome = "running…"
	}
	return app.Div().Class("lab-try-row").Aria("label", "Try "+tryLabels[name]).Role("group").Body(
		app.Button().Type("button").Class("button").Text("Try: "+tryLabels[name]).OnClick(l.onTry(name)),
		app.Span().Class(class).Role("status").Aria("label", tryLabels[name]+" outcome").Text(outcome),
		app.Div().Body(
			app.If(runs > 0, func() app.UI {
				return app.IFrame().Class("lab-frame").Title(tryLabels[name] + " under " + l.tryMode).
					Src(path + "?run=" + strconv.Itoa(runs))
			}),
			app.If(len(reports) > 0, func() app.UI {
				return app.Ul().Class("lab-try-reports").Body(app.Range(reports).Slice(func(i int) app.UI {
					r := reports[i]
					return app.Li().Text(fmt.Sprintf("%s: %s, %s, by %s", r.EffectiveDirective, r.BlockedURL, disposition(r.Disposition), deliveredBy(r.Format)))
				}))
			}),
		),
	)
}

func (l *Lab) renderReports() app.UI {
	groups := groupReports(l.reports)
	return app.Section().Aria("labelledby", "lab-reports").Body(
		app.H2().ID("lab-reports").Text(fmt.Sprintf("Violations received (%d)", len(l.reports))),
		app.Div().Class("lab-controls").Body(
			app.Button().Type("button").Class("button").Text("Clear").OnClick(l.onClear),
			app.A().Href("/api/csp-lab/reports?download").Attr("download", "csp-reports.json").Text("Download as JSON"),
		),
		app.If(l.reportProblem != "", func() app.UI { return app.P().Class("lab-error").Role("alert").Text(l.reportProblem) }),
		app.If(len(l.reports) == 0 && l.reportProblem == "", func() app.UI { return app.P().Class("muted").Text("None yet: the list updates by itself.") }),
		app.Range(groups).Slice(func(i int) app.UI {
			g := groups[i]
			return app.Section().Class("lab-group").Role("region").Aria("label", "Violations of "+g.Directive).Body(
				app.H3().Body(app.Code().Text(g.Directive), app.Text(fmt.Sprintf(" (%d)", len(g.Reports)))),
				app.Table().Class("lab-table").Body(
					app.THead().Body(app.Tr().Body(
						app.Th().Scope("col").Text("Blocked"), app.Th().Scope("col").Text("Document"),
						app.Th().Scope("col").Text("Source"), app.Th().Scope("col").Text("Disposition"),
						app.Th().Scope("col").Text("Delivered by"), app.Th().Scope("col").Text("To allow it"),
					)),
					app.TBody().Body(app.Range(g.Reports).Slice(func(j int) app.UI {
						r := g.Reports[j]
						return app.Tr().Body(
							app.Td().Body(app.Code().Text(r.BlockedURL)),
							app.Td().Body(app.Code().Text(r.DocumentURL)),
							app.Td().Body(app.Code().Text(sourceLocation(r))),
							app.Td().Text(disposition(r.Disposition)),
							app.Td().Text(deliveredBy(r.Format)),
							app.Td().Text(r.Fix),
						)
					})),
				),
			)
		}),
	)
}

func sourceLocation(r labReport) string {
	if r.SourceFile == "" {
		return "—"
	}
	if r.LineNumber > 0 {
		return r.SourceFile + ":" + strconv.Itoa(r.LineNumber)
	}
	return r.SourceFile
}
