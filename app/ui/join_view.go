package ui

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"e2eecall"
)

func (p *Page) renderJoin() app.UI {
	form := &p.model.Form
	return app.Main().Class("join").Body(
		app.Div().Class("join-card").Body(
			p.renderPreview(), // always there, so that the form's elements keep their place when the app runs
			app.Section().Class("join-side").Aria("label", "Join a call").Body(
				app.Header().Class("brand").Body(
					app.Img().Class("brand-logo").Src("/web/icons/icon.svg").Alt("e2eecall logo"),
					app.H1().Text("e2eecall"),
				),
				app.P().Class("tagline").Text("Video calls that only the people in them can see and hear."),
				p.renderSupport(),
				p.renderRejoin(),
				app.Form().Class("join-form").Attr("novalidate", true).OnSubmit(p.onSubmit).Body(
					p.renderField("name", "Your name", "text", form.Name, e2eecall.MaxNameLength, "name"),
					p.renderField("room", "Room", "text", form.Room, e2eecall.MaxRoomLength, "off"),
					p.renderSecretField(),
					app.Button().Type("submit").Class("button primary join-button").
						Disabled(!p.model.CanJoin()).
						Text(p.model.JoinLabel()),
					app.If(p.model.JoinPending, func() app.UI {
						return app.P().Class("hint starting").Role("status").Text("The app is starting: you will join as soon as it runs.")
					}),
				),
				p.renderBanners(),
			),
			// After the form, so that on a phone the name, secret and Join
			// come first; beside it, under the preview, on wide screens.
			app.Section().Class(pick(p.model.Support == NotSupported || p.model.Support == NotSupportedFirefox, "join-devices hidden", "join-devices")).
				Aria("label", "Devices").Body(p.renderDevicePickers()),
		),
	)
}

// renderSupport explains, when the browser cannot encrypt, why Join stays off.
func (p *Page) renderSupport() app.UI {
	if p.model.Support == SupportUnknown || p.model.Support == Supported {
		return nil
	}
	advice := "Join from a recent Chrome, Edge or Safari."
	if p.model.Support == NotSupportedFirefox {
		advice = "Firefox can't encrypt video frames the way this app needs. Join from a recent Chrome, Edge or Safari."
	}
	return app.Div().Class("notice notice-error").Role("alert").Body(
		app.Strong().Text("This browser can't do end-to-end encrypted video."),
		app.Text(" "+advice),
	)
}

func (p *Page) renderField(id, label, typ, value string, max int, autocomplete string) app.UI {
	problem := p.model.Form.Shown(id)
	show := problem != ""
	return app.Div().Class("field").Body(
		app.Label().For(id).Text(label),
		app.Input().ID(id).Type(typ).Value(value).MaxLength(max*4).Attr("autocomplete", autocomplete).
			Aria("invalid", show).Aria("describedby", id+"-error").
			OnInput(p.onInput(id)),
		app.P().ID(id+"-error").Class("field-error").Text(problem),
	)
}

func (p *Page) renderSecretField() app.UI {
	form := &p.model.Form
	problem := form.Shown("secret")
	show := problem != ""
	n := SecretLength(form.Secret)
	return app.Div().Class("field").Body(
		app.Label().For("secret").Text("Encryption secret"),
		app.Div().Class("secret-row").Body(
			app.Input().ID("secret").Type(pick(form.ShowSecret, "text", "password")).Value(form.Secret).Attr("autocomplete", "off").
				Attr("spellcheck", "false").
				Aria("invalid", show).Aria("describedby", "secret-error secret-count secret-hint").
				OnInput(p.onInput("secret")),
			app.Button().Type("button").Class("button ghost").
				Aria("controls", "secret").Aria("pressed", form.ShowSecret).
				Text(pick(form.ShowSecret, "Hide", "Show")).
				OnClick(p.onToggleSecret),
		),
		app.Div().Class("secret-meta").Body(
			app.Span().ID("secret-count").Class(pick(n > MaxSecretLength, "count over", "count")).
				Aria("label", fmt.Sprintf("%d of %d characters", n, MaxSecretLength)).
				Text(fmt.Sprintf("%d / %d", n, MaxSecretLength)),
		),
		app.P().ID("secret-error").Class("field-error").Text(problem),
		app.P().ID("secret-hint").Class("hint").Body(
			app.Img().Class("lock-icon").Src("/web/icons/lock.svg").Alt("Lock"),
			app.Text(" Everyone in the call types the same secret ("+secretRange+"). It never leaves this device: not even our server sees it."),
		),
	)
}
