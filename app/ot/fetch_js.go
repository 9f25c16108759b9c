//go:build js && wasm

package ot

import (
	"errors"

	"github.com/hack-pad/safejs"
)

// PostJSON posts body, JSON, to url with the browser's fetch and returns the
// answer's status and body. The app uses it instead of net/http's client,
// which would add about 5 MB to app.wasm (crypto/tls, x509, HTTP/2) for a
// transport the browser already has.
func PostJSON(url string, body []byte) (status int, answer []byte, err error) {
	fetch, err := safejs.Global().Get("fetch")
	if err != nil {
		return 0, nil, err
	}
	p, err := fetch.Invoke(url, map[string]any{
		"method":  "POST",
		"headers": map[string]any{"Content-Type": "application/json"},
		"body":    string(body),
	})
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
