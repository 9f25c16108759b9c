package site

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"e2eecall"
	"e2eecall/server/strictjson"
)

// encode writes v as the JSON body of a response with the given status.
func encode(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v) // the client went away; nothing to do
}

// encodeError writes the API's error body.
func encodeError(w http.ResponseWriter, status int, message string, fields map[string]string) {
	encode(w, status, e2eecall.ErrorBody{Error: message, Fields: fields})
}

// decode reads a JSON request body into v. Its error is a message for the
// caller and the status to answer with.
func decode(r *http.Request, v any) (int, error) {
	if ct := r.Header.Get("Content-Type"); !isJSON(ct) {
		return http.StatusUnsupportedMediaType, fmt.Errorf("send the body as JSON with Content-Type: application/json (got %q)", ct)
	}
	body, err := io.ReadAll(r.Body)
	switch {
	case isTooLarge(err):
		return http.StatusRequestEntityTooLarge, errors.New("the body is too large")
	case err != nil:
		return http.StatusBadRequest, errors.New("the body could not be read")
	}
	if err := strictjson.Decode(body, v); err != nil {
		return http.StatusBadRequest, fmt.Errorf("the body is not the JSON this endpoint takes: %v", err)
	}
	return http.StatusOK, nil
}
