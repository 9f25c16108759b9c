package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"e2eecall/app/ot"
)

// ScreenShare is where your screen sharing is.
type ScreenShare int

const (
	ShareUnavailable ScreenShare = iota // this browser cannot share a screen (phones): no control
	ShareOff                            // it can; you do not
	ShareStarting                       // the browser asks which screen
	ShareOn                             // your screen is published
)

// screenVideoID is where OpenTok puts the preview of your shared screen.
const screenVideoID = "screen-video"

// ScreenSharingChecked records OT.checkScreenSharingCapability().
func (m *Model) ScreenSharingChecked(supported bool) {
	if !supported {
		m.Sharing = ShareUnavailable
	} else if m.Sharing == ShareUnavailable {
		m.Sharing = ShareOff
	}
}

// StartSharing says whether to ask the browser for a screen now.
func (m *Model) StartSharing() bool {
	if m.Sharing != ShareOff {
		return false
	}
	m.Sharing = ShareStarting
	return true
}

// ScreenShared records that your screen is published.
func (m *Model) ScreenShared() {
	if m.Sharing == ShareStarting {
		m.Sharing = ShareOn
	}
}

// ScreenStopped records that your screen is no longer shared: you stopped
// it, here or from the browser's own control, or it never started.
func (m *Model) ScreenStopped() {
	if m.Sharing == ShareStarting || m.Sharing == ShareOn {
		m.Sharing = ShareOff
	}
}

// ScreenCreated adds a large tile for a screen someone shares.
func (m *Model) ScreenCreated(streamID, name string) {
	m.StreamCreated(streamID, name, false, true)
	if i := m.find(streamID); i >= 0 {
		m.Participants[i].Screen = true
	}
}

// checkScreenSharing shows the Share screen control if this browser can share.
func (p *Page) checkScreenSharing(ctx app.Context) {
	ctx.Async(func() {
		supported, err := ot.CheckScreenSharingCapability()
		ctx.Dispatch(func(ctx app.Context) { p.model.ScreenSharingChecked(supported && err == nil) })
	})
}

func (p *Page) onToggleScreen(ctx app.Context, e app.Event) {
	c := p.call
	if c == nil {
		return
	}
	if p.model.Sharing == ShareOn {
		p.stopSharing(c)
		return
	}
	if !p.model.StartSharing() {
		return
	}
	ctx = p.ctx
	ctx.Defer(func(ctx app.Context) { ctx.Async(func() { p.shareScreen(ctx, c) }) }) // once the preview tile is on the page
}

// shareScreen asks the browser for a screen and publishes it as a second
// stream, encrypted like the camera.
func (p *Page) shareScreen(ctx app.Context, c *call) {
	publisher, err := ot.InitPublisher(screenVideoID, ot.PublisherOptions{Name: p.model.Name, PublishVideo: true, VideoSource: "screen"})
	if err != nil {
		ctx.Dispatch(func(ctx app.Context) {
			p.model.ScreenStopped()
			p.model.ScreenFailed(*toOTError(err))
		})
		return
	}
	err = publisher.On(ot.PublisherEvents{StreamDestroyed: func(reason string) {
		ctx.Dispatch(func(ctx app.Context) {
			if c.screen == publisher {
				p.stopSharing(c)
			}
		})
	}})
	if err == nil {
		err = c.session.Publish(publisher)
	}
	ctx.Dispatch(func(ctx app.Context) {
		if err != nil || p.call != c || p.model.Sharing != ShareStarting {
			publisher.Destroy()
			p.model.ScreenStopped()
			if err != nil {
				p.model.ScreenFailed(*toOTError(err))
			}
			return
		}
		c.screen = publisher
		p.model.ScreenShared()
	})
}

// stopSharing ends your screen's stream and its capture.
func (p *Page) stopSharing(c *call) {
	if c.screen != nil {
		c.screen.Destroy()
		c.screen = nil
	}
	p.model.ScreenStopped()
}

// ScreenFailed explains why your screen is not shared; choosing no screen
// in the browser's dialog is not a failure.
func (m *Model) ScreenFailed(err ot.Error) {
	if err.Name == "OT_USER_MEDIA_ACCESS_DENIED" {
		return
	}
	m.add(ToneError, "Your screen could not be shared", sentence(err.Message)+" Select Share screen to try again.")
}

func (p *Page) renderScreenButton() app.UI {
	if p.model.Sharing == ShareUnavailable {
		return nil
	}
	name := pick(p.model.Sharing == ShareOn, "Stop sharing", "Share screen")
	return toolButton(name, "screen", pick(p.model.Sharing == ShareOn, "Stop", "Share"), p.model.Sharing == ShareStarting).
		Aria("pressed", p.model.Sharing == ShareOn).
		OnClick(p.onToggleScreen)
}

// renderScreenPreview is your own shared screen, small: showing it large to
// you would only mirror it back.
func (p *Page) renderScreenPreview() app.UI {
	if p.model.Sharing != ShareStarting && p.model.Sharing != ShareOn {
		return nil
	}
	return app.Figure().Class("tile screen-self").Body(
		app.Div().ID(screenVideoID).Class("tile-video"),
		app.FigCaption().Class("tile-caption").Body(
			app.Span().Class("tile-name").Text("Your screen"),
			app.If(p.model.Sharing == ShareStarting, func() app.UI { return app.Span().Class("flag").Text("Choosing…") }),
		),
	)
}
