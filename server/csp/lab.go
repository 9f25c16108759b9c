package csp

import "slices"

// LabModeNames are the policies a page may choose with ?csp= when the server
// runs in CSP lab mode (-csp-lab). Whole policies are not among them: a URL
// anyone can send must not be able to loosen the page to anything at all.
var LabModeNames = []string{"strict", "report-only", "no-wasm", "off"}

// LabMode returns the named lab mode built on base, and whether name is one.
func LabMode(name string, base Policy) (Mode, bool) {
	if !slices.Contains(LabModeNames, name) {
		return Mode{}, false
	}
	m, err := ParseMode(name, base)
	return m, err == nil
}

// Framable returns the mode with frame-ancestors 'self' in place of 'none',
// for the lab's try-it pages, which the lab page shows in frames.
func (m Mode) Framable() Mode {
	if !m.Policy.Has("frame-ancestors") {
		return m
	}
	m.Policy = m.Policy.Without("frame-ancestors", "'none'").With("frame-ancestors", "'self'")
	return m
}
