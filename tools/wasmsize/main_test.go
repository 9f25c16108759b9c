package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestTheAppCarriesNoHTTPOrRegexp builds the app as the browser gets it
// (with names, against make's patched go-app, bin/wasm/go.mod) and checks
// that neither net/http's client nor its initialisation nor regexp is
// linked in.
//   - A call through net/http (http.Get, a Client) instead of ot.Fetch brings
//     its transport, crypto/tls, x509 and HTTP/2, about 5.5 MB of app.wasm.
//   - An import of net/http by go-app's browser half brings crypto/tls's and
//     x509's initialisation, math/big and mime: 22 % of the brotli download.
//     Its router's regexp routes bring regexp and Unicode's tables: 7 %
//     more. Both would come back with a go-app upgrade that the patch in
//     patches/ no longer fits.
func TestTheAppCarriesNoHTTPOrRegexp(t *testing.T) {
	if testing.Short() {
		t.Skip("builds app.wasm")
	}
	modfile, err := filepath.Abs(filepath.Join("..", "..", "bin", "wasm", "go.mod"))
	require.NoError(t, err)
	_, err = os.Stat(modfile)
	require.NoError(t, err, "make build writes bin/wasm/go.mod, go.mod with go-app patched (patches/)")

	out := filepath.Join(t.TempDir(), "app.wasm")
	build := exec.Command("go", "build", "-modfile="+modfile, "-trimpath", "-o", out, "e2eecall/app")
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
	for _, pkg := range []string{"net_http", "crypto_tls", "crypto_x509", "math_big", "mime", "regexp", "regexp_syntax"} {
		require.Zero(t, code[pkg], "%s has %d bytes of code in app.wasm: something in the browser build imports net/http or regexp (does patches/ still fit go-app?)", pkg, code[pkg])
	}
	require.Greater(t, code["e2eecall_app_ui"], 0, "the name section is read")
}
