package ui

import (
	"fmt"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
)

// selfVideoID is where OpenTok puts your own camera; remote streams go in
// videoID(stream id). go-app renders these containers empty and never
// touches their children, which OpenTok inserts.
const selfVideoID = "self-video"

func videoID(streamID string) string { return "video-" + streamID }

func (p *Page) renderCall() app.UI {
	n := len(p.model.Participants) + 1
	return app.Main().Class("call").Body(
		app.Header().Class("call-bar").Body(
			app.Div().Class("e2ee-badge").Role("status").Body(
				app.Img().Class("lock-icon").Src("/web/icons/lock.svg").Alt("Lock"),
				app.Text("End-to-end encrypted"),
			),
			app.Div().Class("room-name").Body(app.Span().Class("muted").Text("Room "), app.Strong().Text(p.model.Room)),
		),
		p.renderBanners(),
		app.Section().Class(fmt.Sprintf("tiles tiles-%d", min(n, 9))).Aria("label", "Participants").Body(
			app.Figure().Class("tile tile-self"+pick(p.model.SelfSpeaking(), " speaking", "")).Body(
				app.Div().ID(selfVideoID).Class("tile-video"),
				app.FigCaption().Class("tile-caption").Body(
					app.Span().Class("tile-name").Text(p.model.Name+" (you)"),
					p.renderFlags(p.model.MicOff, p.model.CameraOff),
				),
			),
			app.Range(p.model.Participants).Slice(func(i int) app.UI {
				pt := p.model.Participants[i]
				return app.Figure().Class("tile"+pick(pt.Screen, " screen", "")+pick(pt.Speaking, " speaking", "")).Body(
					app.Div().ID(videoID(pt.StreamID)).Class("tile-video"),
					app.FigCaption().Class("tile-caption").Body(
						app.Span().Class("tile-name").Text(pt.Name+pick(pt.Screen, " (screen)", "")),
						app.Span().Class("tile-status status-"+statusClass(pt.Status)).Text(pt.Status.String()),
						app.If(pt.Interrupted, func() app.UI { return app.Span().Class("flag flag-reconnecting").Text("Reconnecting…") }),
						app.If(!pt.Screen, func() app.UI { return p.renderFlags(pt.MicOff, pt.CameraOff) }),
					),
				)
			}),
			p.renderScreenPreview(),
		),
		p.renderControls(),
	)
}

func statusClass(s Status) string {
	switch s {
	case StatusMismatch:
		return "mismatch"
	case StatusDecryptingAgain:
		return "again"
	}
	return "ok"
}

func (p *Page) renderFlags(micOff, cameraOff bool) app.UI {
	return app.Span().Class("tile-flags").Body(
		app.If(micOff, func() app.UI { return app.Span().Class("flag").Text("Mic off") }),
		app.If(cameraOff, func() app.UI { return app.Span().Class("flag").Text("Camera off") }),
	)
}

func (p *Page) renderControls() app.UI {
	problem := p.model.NewSecretProblem()
	return app.Footer().Class("controls").Body(
		app.Div().Class("control-buttons").Body(
			app.Button().Type("button").Class("button").Aria("pressed", p.model.MicOff).
				Text(pick(p.model.MicOff, "Unmute microphone", "Mute microphone")).
				OnClick(p.onToggleMic),
			app.Button().Type("button").Class("button").Aria("pressed", p.model.CameraOff).
				Text(pick(p.model.CameraOff, "Turn camera on", "Turn camera off")).
				OnClick(p.onToggleCamera),
			p.renderScreenButton(),
			app.Button().Type("button").Class("button").Text("Copy invite link").OnClick(p.onCopyInvite),
			app.Button().Type("button").Class("button danger").Text("Leave").OnClick(p.onLeave),
		),
		p.renderMutedWarning(),
		app.If(p.model.Invite != "", func() app.UI { return app.P().Class("hint").Role("status").Text(p.model.Invite) }),
		app.Form().Class("secret-change").Attr("novalidate", true).OnSubmit(p.onChangeSecret).Body(
			app.Div().Class("field inline").Body(
				app.Label().For("new-secret").Text("New encryption secret"),
				app.Input().ID("new-secret").Type("password").Value(p.model.NewSecret).Attr("autocomplete", "off").
					Aria("invalid", problem != "").Aria("describedby", "new-secret-error new-secret-notice").
					OnInput(p.onInput("newSecret")),
				app.Button().Type("submit").Class("button").Disabled(p.model.NewSecret == "" || problem != "").Text("Change secret"),
			),
			app.P().ID("new-secret-error").Class("field-error").Text(problem),
			app.P().ID("new-secret-notice").Class("hint").Role("status").Text(p.model.SecretNotice),
		),
	)
}
