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

// HeaderName is the response header the mode is sent in, or "" for off.
func (m Mode) HeaderName() string {
	switch {
	case m.Policy.IsZero():
		return ""
	case m.ReportOnly:
		return "Content-Security-Policy-Report-Only"
	}
	return "Content-Security-Policy"
}
