package ui

import (
	"encoding/json"
	"fmt"

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
	var s e2eecall.Session
	err = callAPI("POST", origin+"/api/session", body, 200, &s)
	return s, err
}

// callAPI makes a request to our server's API and decodes its JSON answer
// into v (unless v is nil). An answer other than want becomes an error: the
// API's own error message when it sent one.
func callAPI(method, url string, body []byte, want int, v any) error {
	status, answer, err := ot.Fetch(method, url, body)
	if err != nil {
		return fmt.Errorf("the server could not be reached (%v)", err)
	}
	if status != want {
		var e e2eecall.ErrorBody
		if json.Unmarshal(answer, &e) != nil || e.Error == "" {
			return fmt.Errorf("the server answered %d", status)
		}
		return fmt.Errorf("%s", e.Error)
	}
	if v == nil {
		return nil
	}
	if err := json.Unmarshal(answer, v); err != nil {
		return fmt.Errorf("the server's answer could not be read: %v", err)
	}
	return nil
}
