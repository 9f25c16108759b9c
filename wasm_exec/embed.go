// Package wasm_exec embeds wasm_exec.js, the Go toolchain's JavaScript glue
// for WebAssembly, which make copies from $(go env GOROOT)/lib/wasm. The
// server serves it at /wasm_exec.js in place of go-app's own copy, so the
// glue always matches the toolchain that built app.wasm.
package wasm_exec

import "embed"

// Files holds wasm_exec.js when make has copied it.
//
//go:embed *
var Files embed.FS
