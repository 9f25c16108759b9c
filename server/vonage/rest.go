package vonage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"e2eecall/server/site"
)

// Retries of session creation: only server errors and timeouts are worth it.
const (
	maxAttempts  = 3
	firstBackoff = 200 * time.Millisecond
)

// errTooSlow is a timeout of ours or the caller's: the session may yet be
// created on Vonage's side, but nobody is waiting for it any more.
var errTooSlow = &site.Error{Status: http.StatusGatewayTimeout, Message: "Vonage Video did not answer in time; try again in a moment."}

// createSession asks Vonage for an end-to-end encrypted routed session.
func (b *Backend) createSession(ctx context.Context) (string, error) {
	backoff := firstBackoff
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		var id string
		var retry bool
		id, retry, err = b.createSessionOnce(ctx)
		if err == nil {
			return id, nil
		}
		if !retry || attempt == maxAttempts {
			break
		}
		b.log.Warn("creating a Vonage session failed; retrying", "attempt", attempt, "error", err)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return "", errTooSlow
		}
		backoff *= 2
	}
	return "", err
}

func (b *Backend) createSessionOnce(ctx context.Context) (id string, retry bool, err error) {
	form := url.Values{"e2ee": {"true"}, "p2p.preference": {"disabled"}, "archiveMode": {"manual"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(b.cfg.BaseURL, "/")+"/session/create", strings.NewReader(form.Encode()))
	if err != nil {
		return "", false, err
	}
	header, value, err := b.restAuth(time.Now())
	if err != nil {
		return "", false, err
	}
	req.Header.Set(header, value)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "e2eecall/1.0")

	res, err := b.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", false, errTooSlow
		}
		var urlErr *url.Error
		if errors.As(err, &urlErr) && urlErr.Timeout() {
			return "", true, errTooSlow
		}
		return "", true, &site.Error{Status: http.StatusBadGateway, Message: "Vonage Video could not be reached; try again in a moment."}
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	switch {
	case res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized:
		return "", false, &site.Error{Status: http.StatusBadGateway, Message: fmt.Sprintf("Vonage Video refused the server's credentials (%d): check API_KEY and API_SECRET (or the application id and key), and that end-to-end encryption is enabled on the account.", res.StatusCode)}
	case res.StatusCode >= 500:
		return "", true, &site.Error{Status: http.StatusBadGateway, Message: fmt.Sprintf("Vonage Video had a problem (%d); try again in a moment.", res.StatusCode)}
	case res.StatusCode != http.StatusOK:
		return "", false, &site.Error{Status: http.StatusBadGateway, Message: fmt.Sprintf("Vonage Video refused to create the session (%d): %s", res.StatusCode, vonageMessage(body))}
	}
	var sessions []struct {
		SessionID string `json:"session_id"`
	}
	if err := json.Unmarshal(body, &sessions); err != nil || len(sessions) == 0 || sessions[0].SessionID == "" {
		return "", false, &site.Error{Status: http.StatusBadGateway, Message: "Vonage Video answered without a session id."}
	}
	return sessions[0].SessionID, false, nil
}

// vonageMessage is the message of a Vonage error body, kept short.
func vonageMessage(body []byte) string {
	var e struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return e.Message
	}
	return "no details"
}
