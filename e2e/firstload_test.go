package e2e

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// throttle emulates a slow link for the tab's requests whose URL matches
// pattern (a URLPattern; "" for every request); bytesPerSecond -1 lifts
// the limit. Chromium applies new conditions to downloads in flight.
func (p *page) throttle(pattern string, latency time.Duration, bytesPerSecond float64) {
	p.t.Helper()
	_, err := chromedp.Call(p.ctx, network.Enable, network.EnableParams{})
	require.NoError(p.t, err)
	_, err = chromedp.Call(p.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{
			URLPattern: pattern, Latency: float64(latency.Milliseconds()),
			DownloadThroughput: bytesPerSecond, UploadThroughput: -1,
		}},
	})
	require.NoError(p.t, err)
}

// startOpening navigates without waiting for the load event, which waits
// for the preloaded wasm.
func (p *page) startOpening(url string) {
	p.t.Helper()
	_, err := chromedp.Call(p.ctx, cdppage.Navigate, cdppage.NavigateParams{URL: url})
	require.NoError(p.t, err)
}

// beforeTheApp opens url with app.wasm held back on a 20 kB/s link, and
// waits for the prerendered form with its boot script (form.js) running.
func beforeTheApp(t *testing.T, srv *server, url string) *page {
	t.Helper()
	p := newBrowser(t).newPage(t)
	p.throttle(srv.URL+"/web/app.wasm", 40*time.Millisecond, 20_000)
	p.startOpening(url)
	p.waitFor(`__e2e.field('Your name') && document.readyState === 'complete' || __e2e.button('Join call') && !__e2e.button('Join call').disabled`, 20*time.Second, "the prerendered form and form.js")
	return p
}

// appHasNotStarted fails the test if the wasm already runs: what it typed
// would not have gone into the prerendered form.
func appHasNotStarted(t *testing.T, p *page) {
	t.Helper()
	require.True(t, mustEvaluate[bool](p, `!document.documentElement.dataset.app && !!document.getElementById('app-wasm-loader')`),
		"the app should not run yet: the test types into the prerendered form")
}

func TestWhatIsTypedBeforeTheAppRunsIsKept(t *testing.T) {
	srv := startServer(t)
	for _, tc := range []struct {
		name, typedName, room, secret string
		show                          bool
		joinUsable                    bool
		errors                        []string // field errors shown once the app runs
	}{
		{name: "valid, secret shown", typedName: "Ada", room: "my-room", secret: "correct horse battery", show: true, joinUsable: true},
		{name: "secret too short, hidden", typedName: "Ada", room: "other-room", secret: "short", errors: []string{"Use at least 8 characters (this one has 5)."}},
		{name: "room cleared", typedName: "Ada", room: "", secret: "correct horse battery", errors: []string{"Enter a room name, or keep the one suggested."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := beforeTheApp(t, srv, srv.URL+"/?room=invited")
			p.fill("Room", tc.room)
			p.fill("Encryption secret", tc.secret)
			if tc.show {
				p.click("Show")
			}
			p.fill("Your name", tc.typedName)
			mustEvaluate[bool](p, `(() => { const f = __e2e.field('Your name'); f.focus(); f.setSelectionRange(1, 2, 'forward'); return true; })()`)
			appHasNotStarted(t, p)
			before := mustEvaluate[bool](p, `(window.__sameDocument = true)`)
			require.True(t, before)

			p.throttle("", 0, -1)
			p.waitFor(appReady, 60*time.Second, "the app should start once the wasm arrives")
			assert.True(t, mustEvaluate[bool](p, `window.__sameDocument === true`), "the page did not reload")
			assert.False(t, mustEvaluate[bool](p, `!!document.getElementById('app-wasm-loader')`), "go-app replaced the prerendered page")
			assert.Equal(t, tc.typedName, mustEvaluate[string](p, `__e2e.field('Your name').value`))
			assert.Equal(t, tc.room, mustEvaluate[string](p, `__e2e.field('Room').value`))
			assert.Equal(t, tc.secret, mustEvaluate[string](p, `__e2e.field('Encryption secret').value`))
			assert.Equal(t, map[bool]string{true: "text", false: "password"}[tc.show], mustEvaluate[string](p, `__e2e.field('Encryption secret').type`))
			assert.NotNil(t, mustEvaluate[any](p, `__e2e.button(`+jsString(map[bool]string{true: "Hide", false: "Show"}[tc.show])+`)`), "the show/hide button says what it does")
			assert.Equal(t, "name 1 2 forward", mustEvaluate[string](p, `[document.activeElement.id, document.activeElement.selectionStart, document.activeElement.selectionEnd, document.activeElement.selectionDirection].join(' ')`),
				"the focus and the selection are where they were")
			for _, e := range tc.errors {
				p.waitForText(e, 5*time.Second)
			}
			p.waitFor(`__e2e.button('Join call') && __e2e.button('Join call').disabled === `+map[bool]string{true: "false", false: "true"}[tc.joinUsable], 5*time.Second)

			// The app has the typed text: typing on edits it, and validation follows.
			require.NoError(t, chromedp.Do(p.ctx, chromedp.KeyEvent("x")), "type over the selection")
			assert.Equal(t, tc.typedName[:1]+"x"+tc.typedName[2:], mustEvaluate[string](p, `__e2e.field('Your name').value`))
			p.fill("Your name", "")
			p.waitForText("Enter your name", 5*time.Second)
		})
	}
}

func TestJoinPressedBeforeTheAppRunsJoinsOnceItRuns(t *testing.T) {
	srv := startServer(t)
	for _, tc := range []struct {
		name, typedName, secret string
		joins                   bool
		errors                  []string
	}{
		{name: "valid form joins", typedName: "Ada", secret: "correct horse battery", joins: true},
		{name: "invalid form shows the errors", typedName: "", secret: "short", errors: []string{"Enter your name", "Use at least 8 characters (this one has 5)."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := beforeTheApp(t, srv, srv.URL+"/?room=early-"+strings.ReplaceAll(tc.name, " ", "-"))
			if tc.typedName != "" {
				p.fill("Your name", tc.typedName)
			}
			p.fill("Encryption secret", tc.secret)
			require.True(t, mustEvaluate[bool](p, `(window.__sameDocument = true)`))
			require.NoError(t, chromedp.Do(p.ctx, chromedp.KeyEvent("\r")), "press Enter in the secret field")
			p.waitForText("The app is starting", 5*time.Second)
			assert.NotNil(t, mustEvaluate[any](p, `__e2e.button('Starting…')`), "the button says the app is starting")
			appHasNotStarted(t, p)

			p.throttle("", 0, -1)
			p.waitFor(appReady, 60*time.Second, "the app should start once the wasm arrives")
			if tc.joins {
				p.waitForText("End-to-end encrypted", 20*time.Second)
				p.waitFor(`__e2e.button('Leave')`, 20*time.Second)
			}
			for _, e := range tc.errors {
				p.waitForText(e, 5*time.Second)
			}
			if !tc.joins {
				assert.NotNil(t, mustEvaluate[any](p, `__e2e.button('Join call')`), "still on the join form")
				assert.False(t, mustEvaluate[bool](p, `__e2e.sees('The app is starting')`))
			}
			assert.True(t, mustEvaluate[bool](p, `window.__sameDocument === true`), "the page did not reload")
		})
	}
}

func TestTheFirstHTMLHasTheInviteRoomAndCompleteMetadata(t *testing.T) {
	srv := startServer(t)
	roomOf := func(html string) string {
		input := regexp.MustCompile(`<input[^>]* id="room"[^>]*>`).FindString(html) // go-app writes attributes in any order
		m := regexp.MustCompile(` value="([^"]*)"`).FindStringSubmatch(input)
		require.NotNil(t, m, "the room field has a value in the first HTML: %s", input)
		return m[1]
	}
	tag := func(html, name, attr string) string {
		return regexp.MustCompile(`<` + name + `[^>]* ` + regexp.QuoteMeta(attr) + `[^>]*>`).FindString(html)
	}
	for _, tc := range []struct {
		path string
		room string // "" for a new room name
	}{
		{"/?room=blue-lake", "blue-lake"},
		{"/?room=" + "caf%C3%A9-42", "café-42"},
		{"/", ""},
	} {
		t.Run(tc.path, func(t *testing.T) {
			res, body := srv.get(t, tc.path)
			require.Equal(t, http.StatusOK, res.StatusCode)
			html := string(body)
			if tc.room != "" {
				assert.Equal(t, tc.room, roomOf(html))
			} else {
				assert.Regexp(t, `^[a-z]+-[a-z]+-\d{4}$`, roomOf(html), "a new room name")
			}
			assert.Empty(t, res.Header.Get("ETag"), "the page is rendered on every visit, with a new room each time")
			assert.Contains(t, html, `<meta property="og:url" content="`+srv.URL+`/">`)
			assert.Contains(t, html, `<meta property="og:image" content="`+srv.URL+`/web/icons/icon-512.png">`)
			preload := tag(html, "link", `rel="preload"`)
			for _, attr := range []string{`href="/web/app.wasm"`, `as="fetch"`, `crossorigin="anonymous"`} {
				assert.Contains(t, preload, attr, "the wasm downloads with the page, in a request app.js's fetch can take")
			}
			assert.Contains(t, tag(html, "script", `src="/web/boot/form.js"`), "defer")
			assert.Regexp(t, ` alt="[^"]+"`, tag(html, "img", `class="brand-logo"`), "the logo has an alt text")
			assert.Regexp(t, ` alt="[^"]+"`, tag(html, "img", `class="lock-icon"`), "the lock icon has an alt text")
		})
	}
	_, first := srv.get(t, "/")
	_, second := srv.get(t, "/")
	assert.NotEqual(t, roomOf(string(first)), roomOf(string(second)), "each visit gets its own room")
}

// When the wasm comes from a cache before form.js arrives, the form is the
// app's own by the time form.js runs: form.js must leave it alone.
// holdRequests holds back the tab's requests whose URL matches pattern and
// hands them over: the test continues or fails each one.
func (p *page) holdRequests(pattern string) <-chan fetch.RequestID {
	p.t.Helper()
	paused := chromedp.Events(p.ctx, fetch.RequestPaused)
	_, err := chromedp.Call(p.ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern}}})
	require.NoError(p.t, err)
	held := make(chan fetch.RequestID, 8)
	go func() {
		defer close(held)
		for ev, err := range paused {
			if err != nil {
				return
			}
			held <- ev.RequestID
		}
	}()
	return held
}

func TestABootScriptArrivingAfterTheAppLeavesTheFormAlone(t *testing.T) {
	srv := startServer(t)
	p := newBrowser(t).newPage(t)
	held := p.holdRequests("*/web/boot/form.js")
	p.startOpening(srv.URL + "/?room=late-boot")
	var id fetch.RequestID
	select {
	case id = <-held:
	case <-time.After(20 * time.Second):
		t.Fatal("form.js was never requested")
	}
	p.waitFor(`!document.getElementById('app-wasm-loader')`, 60*time.Second, "the app runs while form.js is held back")
	_, err := chromedp.Call(p.ctx, fetch.ContinueRequest, fetch.ContinueRequestParams{RequestID: id})
	require.NoError(t, err)
	// Ready needs OpenTok (ot.js), a module script after form.js: scripts
	// after the parse run in document order, so form.js has run by then.
	p.waitFor(appReady, 30*time.Second)
	assert.True(t, mustEvaluate[bool](p, `__e2e.button('Join call').disabled`), "Join call stays off while the form is empty: form.js did not enable the app's button")

	p.fill("Your name", "Ada")
	p.fill("Encryption secret", "correct horse battery")
	p.click("Join call")
	p.waitForText("End-to-end encrypted", 20*time.Second)
	assert.False(t, mustEvaluate[bool](p, `__e2e.sees('The app is starting')`), "form.js did not take the app's Join call")
}

func TestAnAppThatCannotLoadSaysSoAndKeepsTheForm(t *testing.T) {
	srv := startServer(t)
	p := newBrowser(t).newPage(t)
	held := p.holdRequests("*/web/app.wasm")
	p.startOpening(srv.URL + "/?room=no-wasm-today")
	p.waitFor(`__e2e.field('Your name') && __e2e.button('Join call') && !__e2e.button('Join call').disabled`, 20*time.Second, "the prerendered form and form.js")
	p.fill("Your name", "Ada")
	p.fill("Encryption secret", "correct horse battery")
	// Enter in the focused field: a click needs a DevTools node id, which
	// the still-loading document can take away between lookup and click.
	require.NoError(t, chromedp.Do(p.ctx, chromedp.KeyEvent("\r")), "press Enter in the secret field")
	p.waitForText("The app is starting", 5*time.Second)

	// The download fails (each request for it, the preload's and app.js's).
	go func() {
		for id := range held {
			_, _ = chromedp.Call(p.ctx, fetch.FailRequest, fetch.FailRequestParams{RequestID: id, ErrorReason: network.ErrorReasonConnectionReset})
		}
	}()
	p.waitForText("The app could not be loaded", 20*time.Second)
	assert.True(t, mustEvaluate[bool](p, `__e2e.sees('Check your connection, then reload the page.')`), "it says what to do: %s", mustEvaluate[string](p, `__e2e.text()`))
	assert.NotNil(t, mustEvaluate[any](p, `__e2e.role('alert', '') || __e2e.all('alert')[0]`), "the message is an alert")
	assert.NotNil(t, mustEvaluate[any](p, `__e2e.button('Reload')`))
	assert.False(t, mustEvaluate[bool](p, `__e2e.sees('The app is starting')`), "no promise that it will join")
	assert.True(t, mustEvaluate[bool](p, `__e2e.button('Join call').disabled`), "Join call cannot be pressed")
	assert.Equal(t, "Ada", mustEvaluate[string](p, `__e2e.field('Your name').value`), "what was typed is still there")
	assert.Equal(t, "correct horse battery", mustEvaluate[string](p, `__e2e.field('Encryption secret').value`))
}
