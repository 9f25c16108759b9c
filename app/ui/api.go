package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"

	"e2eecall"
)

// requestSession asks our server for what OpenTok needs to join room. Only
// the room and the name go to the server: never the secret.
func requestSession(origin, room, name string) (e2eecall.Session, error) {
	body, err := json.Marshal(e2eecall.JoinRequest{Room: room, Name: name})
	if err != nil {
		return e2eecall.Session{}, err
	}
	res, err := http.Post(origin+"/api/session", "application/json", bytes.NewReader(body))
	if err != nil {
		return e2eecall.Session{}, fmt.Errorf("the server could not be reached (%v)", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		var e e2eecall.ErrorBody
		if json.NewDecoder(res.Body).Decode(&e) != nil || e.Error == "" {
			return e2eecall.Session{}, fmt.Errorf("the server answered %s", res.Status)
		}
		return e2eecall.Session{}, fmt.Errorf("%s", e.Error)
	}
	var s e2eecall.Session
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
		return e2eecall.Session{}, fmt.Errorf("the server's answer could not be read: %v", err)
	}
	return s, nil
}
