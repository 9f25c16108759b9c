package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// envOf is a getenv over a map.
func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestHelpListsTheFlags(t *testing.T) {
	t.Chdir(t.TempDir())
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"e2eecall", "-h"}, envOf(nil), &out))
	for _, flag := range []string{"-addr", "-tls-cert", "-tls-key", "-csp", "-backend", "-udp-port", "-announce-ip", "-max-rooms", "-max-participants", "-token-key", "-vonage-store"} {
		assert.Contains(t, out.String(), flag)
	}
}

func TestRunRefusesBadConfiguration(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		dotenv  string
		wantErr string
	}{
		{name: "unknown backend", args: []string{"-backend", "p2p"}, wantErr: `-backend "p2p"`},
		{name: "vonage without credentials", args: []string{"-backend", "vonage"}, wantErr: "API_KEY and API_SECRET"},
		{name: "half a project pair", env: map[string]string{"API_KEY": "12345678"}, wantErr: "API_SECRET"},
		{name: "half a key pair", args: []string{"-tls-cert", "cert.pem"}, wantErr: "-tls-cert and -tls-key"},
		{name: "bad csp", args: []string{"-csp", "nonsense!"}, wantErr: "-csp"},
		{name: "bad port", args: []string{"-udp-port", "70000"}, wantErr: "-udp-port 70000"},
		{name: "announced address not an IP", args: []string{"-announce-ip", "example.com"}, wantErr: `-announce-ip "example.com": want an IP address`},
		{name: "announced port out of range", args: []string{"-announce-ip", "203.0.113.5:70000"}, wantErr: "a port from 1 to 65535"},
		{name: "announced ports differ", args: []string{"-announce-ip", "203.0.113.5:40000,198.51.100.7:40001"}, wantErr: "the same port"},
		{name: "announced port on some only", args: []string{"-announce-ip", "203.0.113.5:40000,198.51.100.7"}, wantErr: "the same port"},
		{name: "short token key", args: []string{"-token-key", "short"}, wantErr: "32 characters"},
		{name: "stray argument", args: []string{"serve"}, wantErr: "unexpected arguments"},
		{name: ".env is read", dotenv: "# comment\nexport BACKEND='p2p'\n", wantErr: `-backend "p2p"`},
		{name: "bad .env line", dotenv: "NOT A LINE\n", wantErr: ".env:1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			if tt.dotenv != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte(tt.dotenv), 0o600))
			}
			err := run(context.Background(), append([]string{"e2eecall", "-addr", "127.0.0.1:0"}, tt.args...), envOf(tt.env), &bytes.Buffer{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestAnnouncedAddressesTakeAnOptionalSharedPort(t *testing.T) {
	tests := []struct {
		list     string
		wantIPs  []string
		wantPort int
	}{
		{"", nil, 0},
		{"203.0.113.5", []string{"203.0.113.5"}, 0},
		{"203.0.113.5:40000", []string{"203.0.113.5"}, 40000},
		{" 203.0.113.5:40000 , [2001:db8::5]:40000 ", []string{"203.0.113.5", "2001:db8::5"}, 40000},
		{"2001:db8::5", []string{"2001:db8::5"}, 0},
	}
	for _, tt := range tests {
		ips, port, err := parseAnnounce(tt.list)
		require.NoError(t, err, tt.list)
		assert.Equal(t, tt.wantIPs, ips, tt.list)
		assert.Equal(t, tt.wantPort, port, tt.list)
	}
}

func TestRealEnvironmentWinsOverDotEnv(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".env"), []byte("CSP=off\nADDR=\"127.0.0.1:1\"\n"), 0o600))
	getenv, err := withDotEnv(envOf(map[string]string{"CSP": "strict"}), filepath.Join(dir, ".env"))
	require.NoError(t, err)
	assert.Equal(t, "strict", getenv("CSP"))
	assert.Equal(t, "127.0.0.1:1", getenv("ADDR"), "quotes are removed")
	assert.Empty(t, getenv("MISSING"))
}

func TestRunServesUntilCancelledThenStopsCleanly(t *testing.T) {
	t.Chdir(t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	errc := make(chan error, 1)
	go func() { errc <- run(ctx, []string{"e2eecall", "-addr", "127.0.0.1:0"}, envOf(nil), out) }()

	addr := regexp.MustCompile(`listening on (http://\S+)`)
	var url string
	require.Eventually(t, func() bool {
		if m := addr.FindStringSubmatch(out.String()); m != nil {
			url = m[1]
			return true
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, "run should say where it listens; it wrote:\n%s", out.String())
	assert.Contains(t, out.String(), "backend local")

	res, err := http.Get(url + "/")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)

	cancel()
	select {
	case err := <-errc:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	assert.Contains(t, out.String(), "shutting down")
}
