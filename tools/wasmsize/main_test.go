package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTheAppCarriesNoHTTPClient builds the app as the browser gets it (with
// names) and checks that net/http's client is not linked in: a call through
// net/http (http.Get, a Client) instead of ot.Fetch brings its transport,
// crypto/tls, x509 and HTTP/2, about 5.5 MB of app.wasm, 40 % of it, back
// into every first visit. go-app imports net/http for its server side, so
// the package's initialisation stays; its code does not.
func TestTheAppCarriesNoHTTPClient(t *testing.T) {
	if testing.Short() {
		t.Skip("builds app.wasm")
	}
	out := filepath.Join(t.TempDir(), "app.wasm")
	build := exec.Command("go", "build", "-trimpath", "-o", out, "e2eecall/app")
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	msg, err := build.CombinedOutput()
	require.NoError(t, err, "%s", msg)
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	m, err := parse(b)
	require.NoError(t, err)
	require.True(t, m.hasNames)

	code := m.codeByPackage()
	for _, pkg := range []string{"net_http", "crypto_tls", "crypto_x509", "net"} {
		require.Less(t, code[pkg], 50_000, "%s has %d bytes of code in app.wasm: something calls net/http's client; use ot.Fetch", pkg, code[pkg])
	}
	require.Greater(t, code["e2eecall_app_ui"], 0, "the name section is read")
}
