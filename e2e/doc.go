// Package e2e tests the whole app as people use it: the real server binary
// (bin/e2eecall, built by make) and headless Chromium with a fake camera and
// microphone, driven by labels, roles and visible text.
//
// Run them with make test-browser (make test runs them too). They need
// Debian's chromium package.
package e2e
