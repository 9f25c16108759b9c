package ui

// pick is yes when cond holds, no otherwise: for labels that follow state.
func pick(cond bool, yes, no string) string {
	if cond {
		return yes
	}
	return no
}
