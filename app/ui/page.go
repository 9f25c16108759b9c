package ui

import (
	"strings"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
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
}

// OnMount runs in the browser: it reads the invite link and checks that the
// browser can encrypt.
func (p *Page) OnMount(ctx app.Context) {
	p.ctx = ctx
	p.model.Form.Room = app.Window().URL().Query().Get("room")
	if p.model.Form.Room == "" {
		p.model.Form.Room = newRoomName()
	}
	ua := app.Window().Get("navigator").Get("userAgent").String()
	firefox := strings.Contains(strings.ToLower(ua), "firefox")
	ctx.Async(func() {
		supported, err := checkSupport()
		ctx.Dispatch(func(ctx app.Context) { p.model.SupportChecked(supported && err == nil, firefox) })
	})
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
	if req, ok := p.model.Submit(); ok {
		p.join(p.ctx, req.Room, req.Name, p.model.Form.Secret)
	}
}

func (p *Page) onDismiss(id int) app.EventHandler {
	return func(ctx app.Context, e app.Event) { p.model.Dismiss(id) }
}
