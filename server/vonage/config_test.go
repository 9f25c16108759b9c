package vonage

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeKey(t *testing.T, pkcs8 bool) (string, *rsa.PrivateKey) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	var block *pem.Block
	if pkcs8 {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		require.NoError(t, err)
		block = &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	} else {
		block = &pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}
	}
	path := filepath.Join(t.TempDir(), "private.key")
	require.NoError(t, os.WriteFile(path, pem.EncodeToMemory(block), 0o600))
	return path, key
}

func TestConfigFromEnv(t *testing.T) {
	pkcs8, key8 := writeKey(t, true)
	pkcs1, key1 := writeKey(t, false)
	notKey := writeFile(t, "notes.txt", []byte("hello"))
	ecKey := writeFile(t, "ec.key", ecPKCS8(t))
	notRSA := writeFile(t, "cert.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not a key")}))

	tests := []struct {
		name    string
		env     map[string]string
		found   bool
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "nothing", env: map[string]string{}, found: false},
		{name: "project", env: map[string]string{"API_KEY": testKey, "API_SECRET": testSecret}, found: true, check: func(t *testing.T, c Config) {
			assert.Equal(t, ProjectAPIURL, c.BaseURL)
			assert.Equal(t, time.Hour, c.TokenTTL)
		}},
		{name: "project with url and ttl", env: map[string]string{"API_KEY": testKey, "API_SECRET": testSecret, "VONAGE_API_URL": "https://api-eu.opentok.com", "VONAGE_TOKEN_TTL": "2h"}, found: true, check: func(t *testing.T, c Config) {
			assert.Equal(t, "https://api-eu.opentok.com", c.BaseURL)
			assert.Equal(t, 2*time.Hour, c.TokenTTL)
		}},
		{name: "application pkcs8", env: map[string]string{"VONAGE_APPLICATION_ID": "app", "VONAGE_PRIVATE_KEY_PATH": pkcs8}, found: true, check: func(t *testing.T, c Config) {
			assert.Equal(t, ApplicationAPIURL, c.BaseURL)
			assert.True(t, key8.Equal(c.PrivateKey))
		}},
		{name: "application pkcs1", env: map[string]string{"VONAGE_APPLICATION_ID": "app", "VONAGE_PRIVATE_KEY_PATH": pkcs1}, found: true, check: func(t *testing.T, c Config) {
			assert.True(t, key1.Equal(c.PrivateKey))
		}},
		{name: "key without secret", env: map[string]string{"API_KEY": testKey}, found: true, wantErr: "API_SECRET"},
		{name: "secret without key", env: map[string]string{"API_SECRET": testSecret}, found: true, wantErr: "API_KEY"},
		{name: "app without key", env: map[string]string{"VONAGE_APPLICATION_ID": "app"}, found: true, wantErr: "VONAGE_PRIVATE_KEY_PATH"},
		{name: "key path without app", env: map[string]string{"VONAGE_PRIVATE_KEY_PATH": pkcs8}, found: true, wantErr: "VONAGE_APPLICATION_ID"},
		{name: "both kinds", env: map[string]string{"API_KEY": testKey, "API_SECRET": testSecret, "VONAGE_APPLICATION_ID": "app", "VONAGE_PRIVATE_KEY_PATH": pkcs8}, found: true, wantErr: "keep one kind"},
		{name: "unreadable key", env: map[string]string{"VONAGE_APPLICATION_ID": "app", "VONAGE_PRIVATE_KEY_PATH": "/nonexistent/private.key"}, found: true, wantErr: "cannot read"},
		{name: "not a key", env: map[string]string{"VONAGE_APPLICATION_ID": "app", "VONAGE_PRIVATE_KEY_PATH": notKey}, found: true, wantErr: "not a PEM file"},
		{name: "an EC key", env: map[string]string{"VONAGE_APPLICATION_ID": "app", "VONAGE_PRIVATE_KEY_PATH": ecKey}, found: true, wantErr: "not RSA"},
		{name: "PEM but no key", env: map[string]string{"VONAGE_APPLICATION_ID": "app", "VONAGE_PRIVATE_KEY_PATH": notRSA}, found: true, wantErr: "no RSA private key"},
		{name: "ttl too short", env: map[string]string{"API_KEY": testKey, "API_SECRET": testSecret, "VONAGE_TOKEN_TTL": "10s"}, found: true, wantErr: "from 1m to 720h"},
		{name: "bad ttl", env: map[string]string{"API_KEY": testKey, "API_SECRET": testSecret, "VONAGE_TOKEN_TTL": "forever"}, found: true, wantErr: "VONAGE_TOKEN_TTL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, found, err := ConfigFromEnv(func(k string) string { return tt.env[k] })
			assert.Equal(t, tt.found, found)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.NotContains(t, err.Error(), testSecret, "errors never echo the secret")
				return
			}
			require.NoError(t, err)
			if tt.check != nil {
				tt.check(t, cfg)
			}
		})
	}
}

func writeFile(t *testing.T, name string, data []byte) string {
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, data, 0o600))
	return path
}

func ecPKCS8(t *testing.T) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}
