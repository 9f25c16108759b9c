package ui

import "e2eecall"

// Form is what the person types on the join screen. A field's problem shows
// once the field has been touched (typed into, or Join pressed).
type Form struct {
	Name, Room, Secret string
	ShowSecret         bool
	touched            map[string]bool
}

// Type records what was typed into field: "name", "room" or "secret".
func (f *Form) Type(field, value string) {
	switch field {
	case "name":
		f.Name = value
	case "room":
		f.Room = value
	case "secret":
		f.Secret = value
	default:
		return
	}
	f.touch(field)
}

// ToggleShowSecret shows or hides the secret as it is typed.
func (f *Form) ToggleShowSecret() { f.ShowSecret = !f.ShowSecret }

// TouchAll makes every field's problem show, as pressing Join call does.
func (f *Form) TouchAll() {
	for _, field := range []string{"name", "room", "secret"} {
		f.touch(field)
	}
}

func (f *Form) touch(field string) {
	if f.touched == nil {
		f.touched = map[string]bool{}
	}
	f.touched[field] = true
}

// Problems says what is wrong with each field.
func (f *Form) Problems() map[string]string {
	_, problems := e2eecall.JoinRequest{Room: f.Room, Name: f.Name}.Normalize()
	if problems == nil {
		problems = map[string]string{}
	}
	if msg := SecretProblem(f.Secret); msg != "" {
		problems["secret"] = msg
	}
	return problems
}

// Shown is the problem to show under field: "" until it was touched.
func (f *Form) Shown(field string) string {
	if !f.touched[field] {
		return ""
	}
	return f.Problems()[field]
}

// Request is the join request, trimmed.
func (f *Form) Request() e2eecall.JoinRequest {
	req, _ := e2eecall.JoinRequest{Room: f.Room, Name: f.Name}.Normalize()
	return req
}
