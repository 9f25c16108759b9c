// Package csp builds Content-Security-Policy values from typed parts, so that
// the site and each backend add what they need in one way instead of gluing
// strings together in several places.
package csp

import (
	"fmt"
	"slices"
	"strings"
)

// Policy is a Content-Security-Policy: directives with their sources, kept in
// the order they were first added. The zero Policy allows everything (it
// writes no header). Policies are values: methods return changed copies.
type Policy struct {
	directives []Directive
}

// Directive is one directive and its sources, e.g. script-src 'self'.
type Directive struct {
	Name    string
	Sources []string
}

// Reporting names the endpoint violations are sent to, both as report-uri
// (older format) and report-to (the Reporting API's group name).
const (
	ReportPath  = "/api/csp-reports"
	ReportGroup = "csp"
)

// Strict is the default policy: nothing but what the app needs.
// 'wasm-unsafe-eval' lets Go's WebAssembly (and OpenTok's encryption engine)
// compile without allowing JavaScript eval; worker-src blob: is for
// OpenTok.js's encryption worker, 'self' for go-app's service worker and our
// own library's worker; mediastream: and blob: play camera and remote video.
func Strict() Policy {
	return Policy{}.
		With("default-src", "'self'").
		With("script-src", "'self'", "'wasm-unsafe-eval'").
		With("worker-src", "'self'", "blob:").
		With("connect-src", "'self'").
		With("style-src", "'self'").
		With("img-src", "'self'", "data:", "blob:").
		With("media-src", "'self'", "blob:", "mediastream:").
		With("object-src", "'none'").
		With("base-uri", "'none'").
		With("form-action", "'self'").
		With("frame-ancestors", "'none'")
}

// Parse reads a policy as written in a header, for custom policies given on
// the command line. It refuses what would make the page unsafe to run or
// that is not a policy at all.
func Parse(s string) (Policy, error) {
	var p Policy
	for _, part := range strings.Split(s, ";") {
		fields := strings.Fields(part)
		if len(fields) == 0 {
			continue
		}
		name := strings.ToLower(fields[0])
		if !isDirectiveName(name) {
			return Policy{}, fmt.Errorf("csp: %q is not a directive name", fields[0])
		}
		if p.Has(name) {
			return Policy{}, fmt.Errorf("csp: directive %s is given twice", name)
		}
		p = p.With(name, fields[1:]...)
	}
	if len(p.directives) == 0 {
		return Policy{}, fmt.Errorf("csp: the policy %q has no directives", s)
	}
	return p, nil
}

func isDirectiveName(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !(r >= 'a' && r <= 'z' || r == '-') }) < 0
}

// With returns the policy with sources added to the directive, creating it
// after the existing ones if it is new. A source already there is not added twice.
func (p Policy) With(name string, sources ...string) Policy {
	out := p.clone()
	i := out.index(name)
	if i < 0 {
		out.directives = append(out.directives, Directive{Name: name})
		i = len(out.directives) - 1
	}
	for _, s := range sources {
		if !slices.Contains(out.directives[i].Sources, s) {
			out.directives[i].Sources = append(out.directives[i].Sources, s)
		}
	}
	return out
}

// Without returns the policy with a source removed from a directive.
func (p Policy) Without(name, source string) Policy {
	out := p.clone()
	if i := out.index(name); i >= 0 {
		out.directives[i].Sources = slices.DeleteFunc(out.directives[i].Sources, func(s string) bool { return s == source })
	}
	return out
}

// Has reports whether the policy has the directive.
func (p Policy) Has(name string) bool { return p.index(name) >= 0 }

// Sources returns a copy of the directive's sources.
func (p Policy) Sources(name string) []string {
	if i := p.index(name); i >= 0 {
		return slices.Clone(p.directives[i].Sources)
	}
	return nil
}

// IsZero reports whether the policy has no directives (allows everything).
func (p Policy) IsZero() bool { return len(p.directives) == 0 }

// String writes the policy as a header value.
func (p Policy) String() string {
	parts := make([]string, 0, len(p.directives))
	for _, d := range p.directives {
		parts = append(parts, strings.Join(append([]string{d.Name}, d.Sources...), " "))
	}
	return strings.Join(parts, "; ")
}

func (p Policy) index(name string) int {
	return slices.IndexFunc(p.directives, func(d Directive) bool { return d.Name == name })
}

func (p Policy) clone() Policy {
	out := Policy{directives: make([]Directive, len(p.directives))}
	for i, d := range p.directives {
		out.directives[i] = Directive{Name: d.Name, Sources: slices.Clone(d.Sources)}
	}
	return out
}
