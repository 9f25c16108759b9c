package e2e

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"
)

//go:embed testdata/helpers.js
var helpersJS string

// appReady is the page's readiness signal (README, Tests): the app runs,
// has replaced the prerendered page's elements with its own, and Join call
// works once the form is valid.
const appReady = `document.documentElement.dataset.app === 'ready'`

// chromiumPath finds Debian's real chromium binary (the one on PATH is a
// shell wrapper).
func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/lib/chromium/chromium"} {
		if p != "" {
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("Chromium is not installed: install Debian's chromium package (apt-get install chromium; .ci/run does it)")
	return ""
}

// browser is one headless Chromium with a fresh profile.
type browser struct {
	ctx context.Context
}

// newBrowser starts Chromium with a fake camera and microphone and a new
// profile (so go-app's service worker starts empty); it stops when the test
// ends. Extra flags are added to or replace the defaults.
func newBrowser(t testing.TB, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("no-sandbox", true), // the tests run as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("short-reporting-delay", true), // Reporting API reports in 100 ms, not a minute
		chromedp.WindowSize(1280, 800),
	)
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`true`))
	require.NoError(t, err, "Chromium did not start")
	return &browser{ctx: ctx}
}

// page is one tab.
type page struct {
	t       testing.TB
	ctx     context.Context
	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// newPage opens a tab with the test helpers installed.
func (b *browser) newPage(t testing.TB) *page {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	p := &page{t: t, ctx: ctx}
	_, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: helpersJS})
	require.NoError(t, err)
	go func() {
		for msg, err := range chromedp.Console(ctx) {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.console = append(p.console, msg)
			p.mu.Unlock()
		}
	}()
	return p
}

// addScriptBeforeLoad runs src in every document the tab opens, before the
// page's own scripts.
func (p *page) addScriptBeforeLoad(src string) {
	p.t.Helper()
	_, err := chromedp.Call(p.ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: src})
	require.NoError(p.t, err)
}

// setViewport sizes the tab like a device of that width and height.
func (p *page) setViewport(width, height int64) {
	p.t.Helper()
	_, err := chromedp.Call(p.ctx, emulation.SetDeviceMetricsOverride, emulation.SetDeviceMetricsOverrideParams{
		Width: width, Height: height, DeviceScaleFactor: 1, Mobile: width < 600,
	})
	require.NoError(p.t, err)
}

// open navigates and waits for the load event.
func (p *page) open(url string) {
	p.t.Helper()
	require.NoError(p.t, chromedp.Do(p.ctx, chromedp.Navigate(url)), "open %s", url)
}

// waitFor waits until the JavaScript expression is truthy; msgAndArgs say
// what for, as testify's do (a message, or a format and its arguments).
func (p *page) waitFor(expr string, timeout time.Duration, msgAndArgs ...any) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, timeout)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+expr+")", chromedp.WithPollingTimeout(timeout), chromedp.WithPollingInterval(50*time.Millisecond)))
	if err != nil {
		text, _ := evaluate[string](p, `__e2e.text()`)
		require.NoError(p.t, err, "waiting for %s%s; the page reads: %q; console: %s", expr, what(msgAndArgs), text, p.consoleText())
	}
}

// what formats a waitFor's msgAndArgs as " (message)", or "" without any.
func what(msgAndArgs []any) string {
	if len(msgAndArgs) == 0 {
		return ""
	}
	if format, ok := msgAndArgs[0].(string); ok && len(msgAndArgs) > 1 {
		return " (" + fmt.Sprintf(format, msgAndArgs[1:]...) + ")"
	}
	return " (" + fmt.Sprint(msgAndArgs...) + ")"
}

// waitForText waits until a person can read s on the page.
func (p *page) waitForText(s string, timeout time.Duration) {
	p.t.Helper()
	p.waitFor("__e2e.sees("+jsString(s)+")", timeout)
}

// fill replaces what the field labelled label holds with text, as a person
// does: select all, then type (or delete) into the focused field. The keys
// go to whatever has the focus, not to a DevTools node id, which goes stale
// when Chromium or chromedp renumbers the DOM (on the load event, say).
func (p *page) fill(label, text string) {
	p.t.Helper()
	field := "__e2e.field(" + jsString(label) + ")"
	if text == "" {
		text = kb.Backspace
	}
	focused, err := evaluate[bool](p, "(() => { const f = "+field+"; f.focus(); f.select(); return document.activeElement === f; })()")
	require.NoError(p.t, err, "select %q", label)
	require.True(p.t, focused, "the field %q has the focus", label)
	require.NoError(p.t, chromedp.Do(p.ctx, chromedp.KeyEvent(text)), "fill %q", label)
}

// click clicks the button named name once it is usable, as a person would.
func (p *page) click(name string) {
	p.t.Helper()
	p.waitFor("__e2e.button("+jsString(name)+") && !__e2e.button("+jsString(name)+").disabled", 10*time.Second, "the %q button should be usable", name)
	// A click goes through the button's DevTools node id, which a document
	// still loading (app.wasm held back) or go-app's first render can take
	// away between the lookup and the click: then look the button up again.
	var err error
	for range 3 {
		err = chromedp.Do(p.ctx, chromedp.Click(chromedp.JSPath("__e2e.button("+jsString(name)+")")))
		if err == nil || !strings.Contains(err.Error(), "Could not find node with given id") {
			break
		}
	}
	require.NoError(p.t, err, "click %q", name)
}

// screenshot saves a PNG of the viewport under e2e/screenshots.
func (p *page) screenshot(name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
	require.NoError(p.t, err)
	dir := filepath.Join("screenshots")
	require.NoError(p.t, os.MkdirAll(dir, 0o755))
	require.NoError(p.t, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644))
}

func (p *page) consoleText() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b strings.Builder
	for _, m := range p.console {
		b.WriteString("\n  " + m.String())
	}
	return b.String()
}

// evaluate runs a JavaScript expression in the page and returns its value.
func evaluate[T any](p *page, expr string) (T, error) {
	return chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// mustEvaluate is evaluate for values the test cannot go on without.
func mustEvaluate[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := evaluate[T](p, expr)
	require.NoError(p.t, err, "evaluate %s", expr)
	return v
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`)
	return "'" + r.Replace(s) + "'"
}
