package wasm_exec

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestEmbeddedCopyIsTheToolchains(t *testing.T) {
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	require.NoError(t, err, "go env GOROOT")
	path := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", "wasm_exec.js")
	want, err := os.ReadFile(path)
	require.NoError(t, err, "the toolchain's wasm_exec.js")
	got, err := fs.ReadFile(Files, "wasm_exec.js")
	require.NoError(t, err, "wasm_exec/wasm_exec.js is missing: run make build, which copies it from $(go env GOROOT)/lib/wasm")
	require.True(t, bytes.Equal(want, got),
		"wasm_exec/wasm_exec.js differs from the toolchain's %s: run make build (it copies the file again), then rebuild", path)
}
