// Package static embeds the files the browser loads besides the app: CSS,
// icons, and our OpenTok-compatible library for the embedded backend.
package static

import "embed"

// Files holds boot/, css/, icons/, lab/ (the CSP lab's banner and try-it
// pages) and ot/, served under /web/.
//
//go:embed boot css icons lab ot
var Files embed.FS
