// Package e2eecall is what the browser app and the server agree on: the
// session API's request, answer and error body, and the rules for display
// names and room names, each written once for both.
package e2eecall

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits of what people type on the join screen.
const (
	MaxNameLength = 50 // characters
	MaxRoomLength = 64 // characters
)

// JoinRequest is the body of POST /api/session.
type JoinRequest struct {
	Room string `json:"room"`
	Name string `json:"name"`
}

// Session is everything a browser needs to join a room's call with
// OpenTok.js or our compatible library: OT.initSession(APIKey, SessionID, …)
// then session.connect(Token, …). Both backends answer this shape.
type Session struct {
	Backend   string `json:"backend"`
	APIKey    string `json:"apiKey"`
	SessionID string `json:"sessionId"`
	Token     string `json:"token"`
}

// ErrorBody is the JSON body of every API error. Fields names each request
// field that was wrong and what is wrong with it.
type ErrorBody struct {
	Error  string            `json:"error"`
	Fields map[string]string `json:"fields,omitempty"`
}

// Normalize trims the request and checks it. It returns the trimmed request
// and, when something is wrong, a problem per field ("name", "room").
func (r JoinRequest) Normalize() (JoinRequest, map[string]string) {
	r.Name = strings.TrimSpace(r.Name)
	r.Room = strings.TrimSpace(r.Room)
	problems := map[string]string{}
	if p := NameProblem(r.Name); p != "" {
		problems["name"] = p
	}
	if p := RoomProblem(r.Room); p != "" {
		problems["room"] = p
	}
	if len(problems) == 0 {
		return r, nil
	}
	return r, problems
}

// NameProblem says what is wrong with a trimmed display name, or "".
func NameProblem(name string) string {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return "Enter your name so others know who you are."
	case n > MaxNameLength:
		return fmt.Sprintf("Use at most %d characters (this one has %d).", MaxNameLength, n)
	case !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "Use letters, digits, spaces and punctuation only."
	}
	return ""
}

// RoomProblem says what is wrong with a trimmed room name, or "".
// Room names travel in invite links, so they are kept to URL-safe letters.
func RoomProblem(room string) string {
	n := len(room)
	switch {
	case n == 0:
		return "Enter a room name, or keep the one suggested."
	case n > MaxRoomLength:
		return fmt.Sprintf("Use at most %d characters (this one has %d).", MaxRoomLength, utf8.RuneCountInString(room))
	case strings.IndexFunc(room, func(r rune) bool { return !isRoomRune(r) }) >= 0:
		return "Use only letters a–z, digits, '-' and '_'."
	}
	return ""
}

func isRoomRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_'
}
