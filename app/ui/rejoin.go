package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// RejoinOffer is a call that was lost (the network, a server restart): the
// join screen offers to join it again in one step, with the same room, name
// and secret. The secret is not here: the Page keeps it in memory only.
type RejoinOffer struct {
	Room, Name string
}

// onRejoin joins the lost call again, without retyping anything.
func (p *Page) onRejoin(ctx app.Context, e app.Event) {
	offer := p.model.Rejoin
	if offer == nil || p.model.Screen != ScreenJoin || p.secret == "" {
		return
	}
	p.join(p.ctx, offer.Room, offer.Name, p.secret)
}

func (p *Page) renderRejoin() app.UI {
	offer := p.model.Rejoin
	if offer == nil {
		return nil
	}
	return app.Div().Class("rejoin").Body(
		app.P().Class("rejoin-text").Body(
			app.Text("Join "), app.Strong().Text(offer.Room), app.Text(" again as "), app.Strong().Text(offer.Name),
			app.Text(", with the same secret."),
		),
		app.Button().Type("button").Class("button primary").Disabled(p.model.Screen != ScreenJoin).
			Text(pick(p.model.Screen == ScreenJoining, "Rejoining…", "Rejoin")).OnClick(p.onRejoin),
	)
}
