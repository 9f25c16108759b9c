// Package opentok embeds OpenTok.js (opentok.min.js from the npm package
// @opentok/client, pinned in package.json), which make copies here from
// node_modules. It is served only when the server runs the Vonage backend.
package opentok

import "embed"

// Files holds opentok.min.js when make has copied it. The pattern also
// matches this file, so the package compiles on a fresh checkout.
//
//go:embed *
var Files embed.FS
