// Package vonage is the Vonage Video backend: it creates end-to-end
// encrypted routed sessions with the Vonage Video REST API, keeps one per
// room, and signs the client tokens OpenTok.js connects with.
package vonage

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"
)

// DefaultStorePath is where the room → session store lives unless told otherwise.
const DefaultStorePath = "data/vonage-sessions.db"

// Base URLs of the two kinds of credentials.
const (
	ProjectAPIURL     = "https://api.opentok.com"
	ApplicationAPIURL = "https://video.api.vonage.com"
)

// Config is the Vonage part of the server's configuration.
type Config struct {
	APIKey, APISecret string          // a project key and secret, or
	ApplicationID     string          // a Vonage application with
	PrivateKey        *rsa.PrivateKey // its private key
	BaseURL           string          // the REST API; set from the credentials' kind unless VONAGE_API_URL says otherwise
	TokenTTL          time.Duration   // client tokens' lifetime
	StorePath         string
	HTTPClient        *http.Client
	Logger            *slog.Logger
}

// ConfigFromEnv reads the credentials: API_KEY and API_SECRET, or
// VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY_PATH; then VONAGE_API_URL
// and VONAGE_TOKEN_TTL. found is false when no credential is set at all.
func ConfigFromEnv(getenv func(string) string) (cfg Config, found bool, err error) {
	key, secret := getenv("API_KEY"), getenv("API_SECRET")
	appID, keyPath := getenv("VONAGE_APPLICATION_ID"), getenv("VONAGE_PRIVATE_KEY_PATH")
	project, application := key != "" || secret != "", appID != "" || keyPath != ""
	switch {
	case !project && !application:
		return Config{}, false, nil
	case project && application:
		return Config{}, true, errors.New("both API_KEY/API_SECRET and VONAGE_APPLICATION_ID/VONAGE_PRIVATE_KEY_PATH are set: keep one kind of Vonage credentials")
	case project && (key == "" || secret == ""):
		return Config{}, true, errors.New("API_KEY and API_SECRET go together: set both (your Vonage Video project's key and secret), or neither")
	case application && (appID == "" || keyPath == ""):
		return Config{}, true, errors.New("VONAGE_APPLICATION_ID and VONAGE_PRIVATE_KEY_PATH go together: set both, or neither")
	}
	cfg = Config{APIKey: key, APISecret: secret, ApplicationID: appID, BaseURL: ProjectAPIURL, TokenTTL: time.Hour}
	if application {
		cfg.BaseURL = ApplicationAPIURL
		if cfg.PrivateKey, err = readPrivateKey(keyPath); err != nil {
			return Config{}, true, err
		}
	}
	if u := getenv("VONAGE_API_URL"); u != "" {
		cfg.BaseURL = u
	}
	if ttl := getenv("VONAGE_TOKEN_TTL"); ttl != "" {
		d, err := time.ParseDuration(ttl)
		if err != nil || d < time.Minute || d > 30*24*time.Hour {
			return Config{}, true, fmt.Errorf("VONAGE_TOKEN_TTL %q: want a duration from 1m to 720h, like 2h", ttl)
		}
		cfg.TokenTTL = d
	}
	return cfg, true, nil
}

// readPrivateKey reads an RSA private key in PKCS#8 or PKCS#1 PEM.
func readPrivateKey(path string) (*rsa.PrivateKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("VONAGE_PRIVATE_KEY_PATH: cannot read the private key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("VONAGE_PRIVATE_KEY_PATH %s is not a PEM file: use the private.key your Vonage application gave you", path)
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if rsaKey, ok := k.(*rsa.PrivateKey); ok {
			return rsaKey, nil
		}
		return nil, fmt.Errorf("VONAGE_PRIVATE_KEY_PATH %s holds a key that is not RSA", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	return nil, fmt.Errorf("VONAGE_PRIVATE_KEY_PATH %s holds no RSA private key (PKCS#8 or PKCS#1)", path)
}
