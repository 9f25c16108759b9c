package local

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	apiKey        = "local" // the embedded backend's stand-in for an OpenTok API key
	rolePublisher = "publisher"
)

// tokenClaims are the claims of an OpenTok JWT client token.
type tokenClaims struct {
	jwt.RegisteredClaims
	IST            string `json:"ist"`
	SessionID      string `json:"session_id"`
	Role           string `json:"role"`
	ConnectionData string `json:"connection_data"`
	Scope          string `json:"scope"`
}

// tokens mints and checks client tokens with one HS256 key.
type tokens struct {
	key []byte
	ttl time.Duration
	now func() time.Time
}

// sessionID names a room's session. It is derived from the room so that
// everyone in the room gets the same one (the browser salts the key
// derivation with it) without the server keeping any state.
func (t *tokens) sessionID(room string) string {
	mac := hmac.New(sha256.New, t.key)
	mac.Write([]byte("session:" + room))
	return "2_" + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)[:18])
}

func (t *tokens) mint(sessionID, name string) (string, error) {
	now := t.now()
	claims := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    apiKey,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
			ID:        rand.Text(),
		},
		IST:            "project",
		SessionID:      sessionID,
		Role:           rolePublisher,
		ConnectionData: name,
		Scope:          "session.connect",
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.key)
}

// verify checks a token for the session the client says it joins.
func (t *tokens) verify(token, sessionID string) (tokenClaims, error) {
	var c tokenClaims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return t.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(apiKey),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(t.now),
	)
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return c, errors.New("the token has expired: join again to get a new one")
	case err != nil:
		return c, fmt.Errorf("the token is not valid: %w", err)
	case c.Scope != "session.connect" || c.Role != rolePublisher:
		return c, errors.New("the token does not allow connecting")
	case c.SessionID != sessionID:
		return c, errors.New("the token is for another session")
	}
	return c, nil
}
