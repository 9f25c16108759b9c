//go:build js && wasm

package ot

import (
	"errors"

	"github.com/hack-pad/safejs"
)

// Fetch makes a request with the browser's fetch and returns the answer's
// status and body; a body, if any, is JSON. The app uses it instead of
// net/http's client, which would add about 5 MB to app.wasm (crypto/tls,
// x509, HTTP/2) for a transport the browser already has.
func Fetch(method, url string, body []byte) (status int, answer []byte, err error) {
	fetch, err := safejs.Global().Get("fetch")
	if err != nil {
		return 0, nil, err
	}
	init := map[string]any{"method": method}
	if body != nil {
		init["headers"] = map[string]any{"Content-Type": "application/json"}
		init["body"] = string(body)
	}
	p, err := fetch.Invoke(url, init)
	if err != nil {
		return 0, nil, jsError(err)
	}
	res, err := await(p)
	if err != nil {
		return 0, nil, fetchError(err)
	}
	if status, err = get(res, "status").Int(); err != nil {
		return 0, nil, err
	}
	text, err := res.Call("text")
	if err != nil {
		return 0, nil, jsError(err)
	}
	if text, err = await(text); err != nil {
		return 0, nil, fetchError(err)
	}
	s, err := text.String()
	return status, []byte(s), err
}

// fetchError says what a rejected fetch means: fetch rejects with a
// TypeError, without a name OpenTok would use, when the network fails.
func fetchError(err error) error {
	var e *Error
	if errors.As(err, &e) {
		return errors.New(e.Message)
	}
	return err
}
