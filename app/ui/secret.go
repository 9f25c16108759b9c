package ui

import "fmt"

// Secret lengths OpenTok.js accepts, counted as JavaScript counts: in UTF-16
// code units, so a character outside the Basic Multilingual Plane (an emoji,
// say) counts twice.
const (
	MinSecretLength = 8
	MaxSecretLength = 256
)

// secretRange is the rule in words, for every message that states it.
var secretRange = fmt.Sprintf("%d to %d characters", MinSecretLength, MaxSecretLength)

// SecretLength is the secret's length as JavaScript's String.length.
func SecretLength(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x10000 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// SecretProblem says what is wrong with an encryption secret, or "".
func SecretProblem(s string) string {
	switch n := SecretLength(s); {
	case n == 0:
		return "Enter a secret of " + secretRange + " that everyone in the call shares."
	case n < MinSecretLength:
		return fmt.Sprintf("Use at least %d characters (this one has %d).", MinSecretLength, n)
	case n > MaxSecretLength:
		return fmt.Sprintf("Use at most %d characters (this one has %d).", MaxSecretLength, n)
	}
	return ""
}
