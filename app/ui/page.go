package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"e2eecall/app/ot"
)

// Page is the whole app: the join form, then the call. It renders from its
// Model; handlers forward events to the Model, and work that waits (OpenTok
// calls) runs in ctx.Async and comes back through ctx.Dispatch.
type Page struct {
	app.Compo

	// ctx is the page's own context. OpenTok's events and the results of
	// waiting calls dispatch through it: go-app drops a dispatch whose source
	// element is gone, and the element that started a call (the join form)
	// is gone once the call shows.
	ctx app.Context

	model Model
	call  *call // the call in progress, or the last one (its Session is kept for joining again)

	// secret is the encryption secret of the last call joined, as changed
	// since, for Rejoin: in memory only, never in storage or the URL.
	secret string
	// publisher is your camera and microphone: the join screen's preview,
	// then, moved into your tile, what the call sends.
	publisher          *ot.Publisher
	previewRun         int    // counts preview starts: a slow one that a newer one replaced is dropped
	releaseDeviceWatch func() // stops following devicechange
}

// OnPreRender runs on the server: the page shows the invite link's room, or
// a new room name, before the app runs.
func (p *Page) OnPreRender(ctx app.Context) {
	p.model.Form.Room = ctx.Page().URL().Query().Get("room")
	if p.model.Form.Room == "" {
		p.model.Form.Room = newRoomName()
	}
}

// OnInit runs before the first render. In the browser, the prerendered form
// is still on the page then: the app takes over what was typed into it.
func (p *Page) OnInit() {
	if app.IsClient {
		p.adopt(app.Window().Get("document"))
	}
}

// adopt reads the prerendered join form (kept alive by static/boot/form.js)
// before go-app replaces it: the fields, whether the secret shows, and
// whether Join call was pressed. A field that differs from what the server
// rendered was typed into, so its problems show.
func (p *Page) adopt(doc app.Value) {
	form := &p.model.Form
	form.Room = app.Window().URL().Query().Get("room") // in case the page was not prerendered
	if form.Room == "" {
		form.Room = newRoomName()
	}
	for _, id := range []string{"name", "room", "secret"} {
		el := doc.Call("getElementById", id)
		if !el.Truthy() {
			continue
		}
		value := el.Get("value").String()
		form.Adopt(id, value, value != el.Get("defaultValue").String())
		if id == "secret" {
			form.ShowSecret = el.Get("type").String() == "text"
		}
	}
	el := doc.Call("querySelector", "form.join-form")
	p.model.JoinPending = el.Truthy() && el.Get("dataset").Get("joinRequested").String() == "true"
}

// OnMount runs in the browser: it checks that the browser can encrypt, and
// joins if Join call was pressed before the app ran.
func (p *Page) OnMount(ctx app.Context) {
	p.ctx = ctx
	ua := app.Window().Get("navigator").Get("userAgent").String()
	firefox := strings.Contains(strings.ToLower(ua), "firefox")
	ctx.Async(func() {
		supported, err := checkSupport()
		ctx.Dispatch(func(ctx app.Context) {
			submit := p.model.SupportChecked(supported && err == nil, firefox)
			if p.model.Support == Supported {
				p.startPreview()
				p.watchDevices()
			}
			if submit {
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

func (p *Page) onInput(field string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		v := ctx.JSSrc().Get("value").String()
		if field == "newSecret" {
			p.model.TypeNewSecret(v)
			return
		}
		p.model.Form.Type(field, v)
	}
}

func (p *Page) onToggleSecret(ctx app.Context, e app.Event) {
	p.model.Form.ToggleShowSecret()
}

func (p *Page) onSubmit(ctx app.Context, e app.Event) {
	e.PreventDefault()
	p.submit()
}

// submit shows every field's problem, and joins if there are none.
func (p *Page) submit() {
	if req, ok := p.model.Submit(); ok {
		p.join(p.ctx, req.Room, req.Name, p.model.Form.Secret)
	}
}

func (p *Page) onDismiss(id int) app.EventHandler {
	return func(ctx app.Context, e app.Event) { p.model.Dismiss(id) }
}
