package ui

import (
	"encoding/json"
	"fmt"
	"net/http"

	"e2eecall"
	"e2eecall/app/ot"
)

// requestSession asks our server for what OpenTok needs to join room. Only
// the room and the name go to the server: never the secret.
func requestSession(origin, room, name string) (e2eecall.Session, error) {
	body, err := json.Marshal(e2eecall.JoinRequest{Room: room, Name: name})
	if err != nil {
		return e2eecall.Session{}, err
	}
	status, answer, err := ot.PostJSON(origin+"/api/session", body)
	if err != nil {
		return e2eecall.Session{}, fmt.Errorf("the server could not be reached (%v)", err)
	}
	if status != http.StatusOK {
		var e e2eecall.ErrorBody
		if json.Unmarshal(answer, &e) != nil || e.Error == "" {
			return e2eecall.Session{}, fmt.Errorf("the server answered %d %s", status, http.StatusText(status))
		}
		return e2eecall.Session{}, fmt.Errorf("%s", e.Error)
	}
	var s e2eecall.Session
	if err := json.Unmarshal(answer, &s); err != nil {
		return e2eecall.Session{}, fmt.Errorf("the server's answer could not be read: %v", err)
	}
	return s, nil
}
