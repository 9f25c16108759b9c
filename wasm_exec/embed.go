// Package wasm_exec embeds the WebAssembly that make builds: app.wasm with
// its brotli and gzip copies (compressed once, at build time), and
// wasm_exec.js, the Go toolchain's JavaScript glue, which make copies from
// $(go env GOROOT)/lib/wasm. The server serves this wasm_exec.js in place of
// go-app's own copy, so the glue always matches the toolchain that built
// app.wasm.
package wasm_exec

import "embed"

// Files holds app.wasm, app.wasm.br, app.wasm.gz and wasm_exec.js when make
// has built them. The pattern also matches this file, so the package
// compiles on a fresh checkout; the server refuses to start without them.
//
//go:embed *
var Files embed.FS
