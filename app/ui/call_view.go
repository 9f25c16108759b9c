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
		app.Section().Class(fmt.Sprintf("tiles tiles-%d remotes-%d", min(n, 9), min(n-1, 8))).Aria("label", "Participants").Body(
			app.Figure().Class("tile tile-self"+pick(p.model.SelfSpeaking(), " speaking", "")).Body(
				app.Div().ID(selfVideoID).Class("tile-video"),
				p.renderNoVideo(),
				app.FigCaption().Class("tile-caption").Body(
					app.Span().Class("tile-name").Text(p.model.Name+" (you)"),
					p.renderFlags(!p.model.SendsAudio(), !p.model.SendsVideo()),
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
		p.renderMutedWarning(),
		p.renderPanel(),
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

// renderControls is one row of icon buttons: microphone, camera, devices,
// secret, invite, leave.
func (p *Page) renderControls() app.UI {
	return app.Nav().Class("toolbar").Aria("label", "Call controls").Body(
		p.renderMicButton(),
		p.renderCameraButton(),
		p.renderScreenButton(),
		toolButton("Devices", "devices", "Devices", false).ID("devices-button").
			Aria("expanded", p.model.Panel == "devices").Aria("controls", "devices-panel").
			OnClick(p.onTogglePanel("devices")),
		toolButton("Encryption secret", "key", "Secret", false).ID("secret-button").
			Aria("expanded", p.model.Panel == "secret").Aria("controls", "secret-panel").
			OnClick(p.onTogglePanel("secret")),
		toolButton("Copy invite link", "link", "Invite", false).OnClick(p.onCopyInvite),
		toolButton("Leave", "leave", "Leave", false).Class("danger").OnClick(p.onLeave),
	)
}

// renderPanel is the open panel above the controls: the device pickers,
// or the secret change; and what Copy invite link did.
func (p *Page) renderPanel() app.UI {
	switch {
	case p.model.Panel == "devices":
		return app.Section().ID("devices-panel").Class("panel").Aria("label", "Devices").OnKeyDown(p.onPanelKey).Body(
			app.H2().Class("panel-title").Text("Devices"),
			p.renderDevicePickers(),
			p.renderClosePanel(),
		)
	case p.model.Panel == "secret":
		return app.Section().ID("secret-panel").Class("panel").Aria("label", "Encryption secret").OnKeyDown(p.onPanelKey).Body(
			app.H2().Class("panel-title").Text("Encryption secret"),
			p.renderSecretChange(),
			p.renderClosePanel(),
		)
	case p.model.Invite != "":
		return app.P().Class("panel hint").Role("status").Text(p.model.Invite)
	}
	return nil
}

func (p *Page) renderClosePanel() app.UI {
	return app.Button().Type("button").Class("panel-close").Aria("label", "Close").Text("×").
		OnClick(p.onTogglePanel(p.model.Panel))
}

func (p *Page) renderSecretChange() app.UI {
	problem := p.model.NewSecretProblem()
	return app.Form().Class("secret-change").Attr("novalidate", true).OnSubmit(p.onChangeSecret).Body(
		app.Div().Class("field inline").Body(
			app.Label().For("new-secret").Text("New encryption secret"),
			app.Input().ID("new-secret").Type("password").Value(p.model.NewSecret).Attr("autocomplete", "off").
				Aria("invalid", problem != "").Aria("describedby", "new-secret-error new-secret-notice").
				OnInput(p.onInput("newSecret")),
			app.Button().Type("submit").Class("button").Disabled(p.model.NewSecret == "" || problem != "").Text("Change secret"),
		),
		app.P().ID("new-secret-error").Class("field-error").Text(problem),
		app.P().ID("new-secret-notice").Class("hint").Role("status").Text(p.model.SecretNotice),
	)
}
