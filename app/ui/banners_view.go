package ui

import "github.com/maxence-charriere/go-app/v10/pkg/app"

// renderBanners shows the banners in a live region, so screen readers read
// them as they come.
func (p *Page) renderBanners() app.UI {
	return app.Div().Class("banners").Aria("live", "polite").Aria("label", "Notifications").Body(
		app.Range(p.model.Banners).Slice(func(i int) app.UI {
			b := p.model.Banners[i]
			role := "status"
			if b.Tone == ToneError || b.Tone == ToneWarning {
				role = "alert"
			}
			return app.Div().Class("banner banner-"+string(b.Tone)).Role(role).Body(
				app.Div().Class("banner-body").Body(
					app.Strong().Class("banner-title").Text(b.Title),
					app.P().Class("banner-text").Text(b.Text),
				),
				app.Button().Type("button").Class("banner-dismiss").Aria("label", "Dismiss: "+b.Title).Text("×").
					OnClick(p.onDismiss(b.ID)),
			)
		}),
	)
}
