// Package appwasm embeds the browser app that make builds: app.wasm and its
// brotli and gzip copies (compressed once, at build time).
package appwasm

import "embed"

// Files holds app.wasm, app.wasm.br and app.wasm.gz when make has built them.
// The pattern also matches this file, so the package compiles on a fresh
// checkout; the server refuses to start without app.wasm.
//
//go:embed *
var Files embed.FS
