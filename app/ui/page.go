package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"e2eecall"
)

// Page is the whole app: the join form, then the call. It renders from its
// Model and its form fields; handlers change them, and work that waits
// (OpenTok calls) runs in ctx.Async and comes back through ctx.Dispatch.
type Page struct {
	app.Compo

	// ctx is the page's own context. OpenTok's events and the results of
	// waiting calls dispatch through it: go-app drops a dispatch whose source
	// element is gone, and the element that started a call (the join form)
	// is gone once the call shows.
	ctx app.Context

	model Model
	form  joinForm
	call  *call // the call in progress, or the last one (its Session is kept for joining again)

	supported   bool // OT.hasEndToEndEncryptionSupport(), once known
	checked     bool // the support check has run
	firefox     bool
	newSecret   string
	inviteState string
	joinPending bool // Join call was pressed before the app ran: join once the support check is done
}

// joinForm is what the person typed on the join screen.
type joinForm struct {
	name, room, secret string
	showSecret         bool
	touched            map[string]bool
}

// OnPreRender runs on the server: the page shows the invite link's room, or
// a new room name, before the app runs.
func (p *Page) OnPreRender(ctx app.Context) {
	p.form.room = ctx.Page().URL().Query().Get("room")
	if p.form.room == "" {
		p.form.room = newRoomName()
	}
}

// OnInit runs before the first render. In the browser, the prerendered form
// is still on the page then: the app takes over what was typed into it.
func (p *Page) OnInit() {
	p.form.touched = map[string]bool{}
	if app.IsClient {
		p.adopt(app.Window().Get("document"))
	}
}

// adopt reads the prerendered join form (kept alive by static/boot/form.js)
// before go-app replaces it: the fields, whether the secret shows, and
// whether Join call was pressed. A field that differs from what the server
// rendered was typed into, so its problems show.
func (p *Page) adopt(doc app.Value) {
	p.form.room = app.Window().URL().Query().Get("room") // in case the page was not prerendered
	if p.form.room == "" {
		p.form.room = newRoomName()
	}
	for id, dst := range map[string]*string{"name": &p.form.name, "room": &p.form.room, "secret": &p.form.secret} {
		el := doc.Call("getElementById", id)
		if !el.Truthy() {
			continue
		}
		*dst = el.Get("value").String()
		p.form.touched[id] = *dst != el.Get("defaultValue").String()
		if id == "secret" {
			p.form.showSecret = el.Get("type").String() == "text"
		}
	}
	form := doc.Call("querySelector", "form.join-form")
	p.joinPending = form.Truthy() && form.Get("dataset").Get("joinRequested").String() == "true"
}

// OnMount runs in the browser: it checks that the browser can encrypt, and
// joins if Join call was pressed before the app ran.
func (p *Page) OnMount(ctx app.Context) {
	p.ctx = ctx
	ua := app.Window().Get("navigator").Get("userAgent").String()
	p.firefox = strings.Contains(strings.ToLower(ua), "firefox")
	ctx.Async(func() {
		supported, err := checkSupport()
		ctx.Dispatch(func(ctx app.Context) {
			p.checked = true
			p.supported = supported && err == nil
			if p.joinPending {
				p.joinPending = false
				p.submit()
			}
			ctx.Defer(func(app.Context) { markReady() })
		})
	})
}

// markReady sets data-app="ready" on <html> once the app has replaced the
// prerendered page and Join call works: the signal tests wait for.
func markReady() {
	app.Window().Get("document").Get("documentElement").Call("setAttribute", "data-app", "ready")
}

// Render shows the join screen or the call.
func (p *Page) Render() app.UI {
	return app.Div().Class("app").Body(
		app.If(p.model.Screen == ScreenCall, func() app.UI { return p.renderCall() }).
			Else(func() app.UI { return p.renderJoin() }),
	)
}

// fieldProblems says what is wrong with each join field.
func (p *Page) fieldProblems() map[string]string {
	_, problems := e2eecall.JoinRequest{Room: p.form.room, Name: p.form.name}.Normalize()
	if problems == nil {
		problems = map[string]string{}
	}
	if msg := SecretProblem(p.form.secret); msg != "" {
		problems["secret"] = msg
	}
	return problems
}

// canJoin says whether Join call is usable.
func (p *Page) canJoin() bool {
	return p.checked && p.supported && p.model.Screen == ScreenJoin && len(p.fieldProblems()) == 0
}

func (p *Page) onInput(field string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		v := ctx.JSSrc().Get("value").String()
		switch field {
		case "name":
			p.form.name = v
		case "room":
			p.form.room = v
		case "secret":
			p.form.secret = v
		case "newSecret":
			p.newSecret = v
			return
		}
		p.form.touched[field] = true
	}
}

func (p *Page) onToggleSecret(ctx app.Context, e app.Event) {
	p.form.showSecret = !p.form.showSecret
}

func (p *Page) onSubmit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	p.submit()
}

// submit shows every field's problem, and joins if there are none.
func (p *Page) submit() {
	for _, f := range []string{"name", "room", "secret"} {
		p.form.touched[f] = true
	}
	if !p.canJoin() {
		return
	}
	req, _ := e2eecall.JoinRequest{Room: p.form.room, Name: p.form.name}.Normalize()
	p.join(p.ctx, req.Room, req.Name, p.form.secret)
}

func (p *Page) onDismiss(id int) app.EventHandler {
	return func(ctx app.Context, e app.Event) { p.model.Dismiss(id) }
}
