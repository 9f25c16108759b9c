package vonage

import (
	"crypto/rand"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// restJWTLifetime is how long the JWT of one REST request is valid; the API
// refuses more than five minutes.
const restJWTLifetime = 3 * time.Minute

// restAuth is the header that authenticates a REST request: X-OPENTOK-AUTH
// with an HS256 JWT for a project key, Authorization: Bearer with an RS256
// JWT for a Vonage application.
func (b *Backend) restAuth(now time.Time) (header, value string, err error) {
	claims := jwt.MapClaims{"iat": now.Unix(), "exp": now.Add(restJWTLifetime).Unix(), "jti": rand.Text()}
	if b.cfg.ApplicationID != "" {
		claims["application_id"] = b.cfg.ApplicationID
		signed, err := jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(b.cfg.PrivateKey)
		return "Authorization", "Bearer " + signed, err
	}
	claims["iss"] = b.cfg.APIKey
	claims["ist"] = "project"
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(b.cfg.APISecret))
	return "X-OPENTOK-AUTH", signed, err
}

// clientToken is the token OpenTok.js connects with, with the claims the
// current Vonage server SDKs put in it.
func (b *Backend) clientToken(sessionID, name string, now time.Time) (string, error) {
	claims := jwt.MapClaims{
		"scope":                     "session.connect",
		"session_id":                sessionID,
		"role":                      "publisher",
		"connection_data":           name,
		"initial_layout_class_list": "",
		"iat":                       now.Unix(),
		"exp":                       now.Add(b.cfg.TokenTTL).Unix(),
		"jti":                       rand.Text(),
	}
	if b.cfg.ApplicationID != "" {
		claims["application_id"] = b.cfg.ApplicationID
		claims["sub"] = "video"
		claims["acl"] = map[string]any{"paths": map[string]any{"/session/**": map[string]any{}}}
		return jwt.NewWithClaims(jwt.SigningMethodRS256, claims).SignedString(b.cfg.PrivateKey)
	}
	claims["iss"] = b.cfg.APIKey
	claims["ist"] = "project"
	claims["create_time"] = now.Unix()
	claims["expire_time"] = now.Add(b.cfg.TokenTTL).Unix()
	claims["nonce"] = rand.Text()
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(b.cfg.APISecret))
}
