package e2e

import (
	"net/url"
	"strconv"
	"testing"
	"time"
)

// person is one participant: a tab with a name.
type person struct {
	*page
	name string
}

// newPerson opens a tab for name in the browser.
func newPerson(t testing.TB, b *browser, name string) *person {
	t.Helper()
	return &person{page: b.newPage(t), name: name}
}

// join opens the invite link for room, types the name and secret as a
// person would, and clicks Join call.
func (p *person) join(srvURL, room, secret string) {
	p.t.Helper()
	p.open(srvURL + "/?room=" + url.QueryEscape(room))
	p.waitFor(appReady, 30*time.Second, "the app should start")
	p.joinFromHere(secret)
}

// joinFromHere types the name and secret into the join screen on the page
// now, and clicks Join call: what the preview set up stays.
func (p *person) joinFromHere(secret string) {
	p.t.Helper()
	p.fill("Your name", p.name)
	p.fill("Encryption secret", secret)
	p.waitFor(`!__e2e.button('Join call').disabled`, 10*time.Second)
	p.click("Join call")
	p.waitForText("End-to-end encrypted", 20*time.Second)
}

// seesVideoOf waits until the tile of other shows video that decodes: frames keep
// coming, not just a last picture left on screen.
func (p *person) seesVideoOf(other string, timeout time.Duration) {
	p.t.Helper()
	p.waitFor(`__e2e.framesOf(`+jsString(other)+`) > 0`, timeout, "video of %s should decode", other)
	before := mustEvaluate[int](p.page, `__e2e.framesOf(`+jsString(other)+`)`)
	p.waitFor(`__e2e.framesOf(`+jsString(other)+`) > `+strconv.Itoa(before+5), timeout, "video of %s should keep decoding", other)
}

// framesOf reads how many frames of other's video have been decoded.
func (p *person) framesOf(other string) int {
	p.t.Helper()
	return mustEvaluate[int](p.page, `__e2e.framesOf(`+jsString(other)+`)`)
}

// twoInACall brings Ada and Grace into a call with the same secret, video
// flowing both ways, in a browser of their own. Each script runs in both
// tabs before the page's own.
func twoInACall(b testing.TB, srv *server, room string, scripts ...string) (*person, *person) {
	br := newBrowser(b)
	ada, grace := newPerson(b, br, "Ada"), newPerson(b, br, "Grace")
	for _, src := range scripts {
		ada.addScriptBeforeLoad(src)
		grace.addScriptBeforeLoad(src)
	}
	ada.join(srv.URL, room, "correct horse battery")
	grace.join(srv.URL, room, "correct horse battery")
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
	return ada, grace
}

// openSecretPanel opens the call's Encryption secret panel, unless it is open.
func (p *person) openSecretPanel() {
	p.t.Helper()
	if !mustEvaluate[bool](p.page, `!!__e2e.field('New encryption secret')`) {
		p.click("Encryption secret")
	}
	p.waitFor(`__e2e.field('New encryption secret')`, 5*time.Second, "the secret panel opens")
}

// changeSecret changes the secret in the call, as a person does: the
// Encryption secret button, the new secret, Change secret.
func (p *person) changeSecret(secret string) {
	p.t.Helper()
	p.openSecretPanel()
	p.fill("New encryption secret", secret)
	p.click("Change secret")
}
