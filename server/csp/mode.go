package csp

import "fmt"

// Mode is how the site applies its policy, chosen with the -csp flag so that
// front-end developers can watch what a policy does to the app.
type Mode struct {
	Name       string // strict, report-only, no-wasm, off or custom
	Policy     Policy // what is sent; zero for off
	ReportOnly bool   // send it as Content-Security-Policy-Report-Only
}

// ParseMode reads a -csp value: one of the named modes, or a whole policy.
// base is the policy the named modes start from (Strict, extended by the
// backend).
func ParseMode(value string, base Policy) (Mode, error) {
	switch value {
	case "", "strict":
		return Mode{Name: "strict", Policy: base}, nil
	case "report-only":
		return Mode{Name: "report-only", Policy: base, ReportOnly: true}, nil
	case "no-wasm":
		return Mode{Name: "no-wasm", Policy: base.Without("script-src", "'wasm-unsafe-eval'")}, nil
	case "off":
		return Mode{Name: "off"}, nil
	}
	p, err := Parse(value)
	if err != nil {
		return Mode{}, fmt.Errorf("-csp: want strict, report-only, no-wasm, off or a whole policy: %w", err)
	}
	return Mode{Name: "custom", Policy: p}, nil
}

// Header is one response header.
type Header struct {
	Name, Value string
}

// Headers are the response headers that carry the mode's policy.
//
// The policy goes out twice, once per way of reporting a violation: as is,
// with report-uri (every browser delivers these at once), and as
// Report-Only with report-to (the Reporting API). Browsers ignore
// report-uri in a policy that also has report-to, and Chromium batches
// Reporting API reports (headless Chromium here queues them without
// delivering), so one policy with both would lose the reports developers
// come to see. A custom policy goes out as it was given.
func (m Mode) Headers() []Header {
	if m.Policy.IsZero() {
		return nil
	}
	enforce, reportOnly := "Content-Security-Policy", "Content-Security-Policy-Report-Only"
	if m.ReportOnly {
		enforce = reportOnly
	}
	if m.Name == "custom" {
		return []Header{{enforce, m.Policy.String()}}
	}
	return []Header{
		{enforce, m.Policy.With("report-uri", ReportPath).String()},
		{reportOnly, m.Policy.With("report-to", ReportGroup).String()},
	}
}
