package ui

import (
	"errors"
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"e2eecall/app/ot"
)

// call is one call's OpenTok objects. Its fields are touched on the UI
// goroutine only (handlers and ctx.Dispatch).
type call struct {
	sessionID   string
	session     *ot.Session
	screen      *ot.Publisher             // your shared screen, if any
	published   bool                      // the preview's publisher is published (Page.publisher)
	subscribers map[string]*ot.Subscriber // by stream id
	ended       chan struct{}             // closed when the call ends: stops the microphone meter
}

const loadTimeout = 20 * time.Second

// checkSupport is OT.hasEndToEndEncryptionSupport(), once OpenTok has loaded.
func checkSupport() (bool, error) {
	if err := ot.WaitReady(loadTimeout); err != nil {
		return false, err
	}
	return ot.HasEndToEndEncryptionSupport()
}

// join asks for a session, connects with the secret, and publishes.
func (p *Page) join(ctx app.Context, room, name, secret string) {
	p.model.Joining(room, name)
	p.secret = secret
	origin := app.Window().URL().Scheme + "://" + app.Window().URL().Host
	previous := p.call
	ctx.Async(func() {
		info, err := requestSession(origin, room, name)
		if err != nil {
			p.fail(ctx, StepSession, err, "")
			return
		}
		session, err := ot.InitSession(info.APIKey, info.SessionID, secret)
		if err == nil && previous != nil && previous.sessionID == info.SessionID {
			// OpenTok keeps the Session of a session id and ignores a new
			// secret given to initSession: set it before connecting again.
			err = session.SetEncryptionSecret(secret)
		}
		if err != nil {
			p.fail(ctx, StepConnect, err, "")
			return
		}
		c := &call{sessionID: info.SessionID, session: session, subscribers: map[string]*ot.Subscriber{}, ended: make(chan struct{})}
		if err := session.On(p.sessionEvents(ctx, c)); err != nil {
			p.fail(ctx, StepConnect, err, "")
			return
		}
		if err := session.Connect(info.Token); err != nil {
			session.Off()
			p.fail(ctx, StepConnect, err, "")
			return
		}
		ctx.Dispatch(func(ctx app.Context) {
			p.call = c
			p.model.Joined()
			ctx.Defer(func(ctx app.Context) { p.sendMedia(ctx, c) }) // once your tile is on the page
			p.checkScreenSharing(ctx)
		})
	})
}

// sessionEvents turns the session's events into model changes.
func (p *Page) sessionEvents(ctx app.Context, c *call) ot.SessionEvents {
	return ot.SessionEvents{
		StreamCreated: func(s ot.Stream) {
			ctx.Dispatch(func(ctx app.Context) {
				if s.VideoType == "screen" {
					p.model.ScreenCreated(s.ID, s.Name)
				} else {
					p.model.StreamCreated(s.ID, s.Name, s.HasAudio, s.HasVideo)
				}
				ctx.Defer(func(ctx app.Context) { ctx.Async(func() { p.subscribe(ctx, c, s) }) }) // once its tile is on the page
			})
		},
		StreamDestroyed: func(streamID, reason string) {
			ctx.Dispatch(func(ctx app.Context) {
				if sub := c.subscribers[streamID]; sub != nil {
					sub.Release() // OpenTok destroyed it with its stream
					delete(c.subscribers, streamID)
				}
				p.model.StreamDestroyed(streamID)
			})
		},
		StreamPropertyChanged: func(streamID, property string, value bool) {
			ctx.Dispatch(func(ctx app.Context) { p.model.StreamPropertyChanged(streamID, property, value) })
		},
		SessionReconnecting: func() { ctx.Dispatch(func(ctx app.Context) { p.model.Reconnecting() }) },
		SessionReconnected:  func() { ctx.Dispatch(func(ctx app.Context) { p.model.Reconnected() }) },
		SessionDisconnected: func(reason string) {
			ctx.Dispatch(func(ctx app.Context) {
				if p.call != c {
					return
				}
				p.endCall()
				p.model.Disconnected(reason)
			})
		},
	}
}

// subscribe shows a remote stream in its tile and follows its encryption,
// and for a camera, whether its person speaks.
func (p *Page) subscribe(ctx app.Context, c *call, s ot.Stream) {
	events := ot.SubscriberEvents{
		EncryptionSecretMismatch: func() { ctx.Dispatch(func(ctx app.Context) { p.model.Mismatch(s.ID) }) },
		EncryptionSecretMatch:    func() { ctx.Dispatch(func(ctx app.Context) { p.model.Match(s.ID) }) },
		Disconnected:             func() { ctx.Dispatch(func(ctx app.Context) { p.model.Interrupted(s.ID, true) }) },
		Connected:                func() { ctx.Dispatch(func(ctx app.Context) { p.model.Interrupted(s.ID, false) }) },
	}
	if s.VideoType != "screen" {
		events.AudioLevelUpdated = speechListener(func(on bool) {
			ctx.Dispatch(func(ctx app.Context) { p.model.Speaking(s.ID, on) })
		})
	}
	sub, err := c.session.Subscribe(s, videoID(s.ID), events)
	if err != nil {
		p.fail(ctx, StepSubscribe, err, s.Name)
		return
	}
	ctx.Dispatch(func(ctx app.Context) { c.subscribers[s.ID] = sub })
}

func (p *Page) onLeave(ctx app.Context, e app.Event) {
	if p.call == nil {
		return
	}
	p.call.session.Disconnect()
	p.endCall()
	p.model.Left()
}

// endCall stops the camera and drops the call's handlers; the Session stays
// for joining again. Back on the join screen the preview starts again.
func (p *Page) endCall() {
	c := p.call
	p.stopSharing(c)
	if p.publisher != nil {
		p.publisher.Destroy()
		p.publisher = nil
	}
	select {
	case <-c.ended:
	default:
		close(c.ended)
	}
	p.previewRun++ // a preview still starting is not for the next call
	p.ctx.Defer(func(app.Context) { p.startPreview() })
	c.session.Off()
	for _, sub := range c.subscribers {
		sub.Release()
	}
	c.subscribers = map[string]*ot.Subscriber{}
}

func (p *Page) onToggleMic(ctx app.Context, e app.Event) {
	on := p.model.ToggleMic()
	if p.publisher != nil {
		p.publisher.PublishAudio(on)
	}
}

func (p *Page) onToggleCamera(ctx app.Context, e app.Event) {
	on := p.model.ToggleCamera()
	if p.publisher != nil {
		p.publisher.PublishVideo(on)
	}
}

func (p *Page) onTogglePanel(name string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		p.model.TogglePanel(name)
		p.moveFocusFor(name)
	}
}

// onPanelKey closes the open panel on Escape, as a dialog does.
func (p *Page) onPanelKey(ctx app.Context, e app.Event) {
	if e.Get("key").String() != "Escape" || p.model.Panel == "" {
		return
	}
	name := p.model.Panel
	p.model.TogglePanel(name)
	p.moveFocusFor(name)
}

// moveFocusFor puts the keyboard focus where a person expects it once the
// panel name has opened (its first control) or closed (the button that
// opens it), so that the keyboard does not have to find its way back.
func (p *Page) moveFocusFor(name string) {
	id, first := name+"-button", false
	if p.model.Panel == name {
		id, first = name+"-panel", true
	}
	// The page's context: go-app drops a deferred function whose element is
	// gone, and the element that fired (the panel's Close) may be.
	p.ctx.Defer(func(app.Context) {
		el := app.Window().GetElementByID(id)
		if first && el.Truthy() {
			el = el.Call("querySelector", "select, input, button")
		}
		if el.Truthy() {
			el.Call("focus")
		}
	})
}

func (p *Page) onChangeSecret(ctx app.Context, e app.Event) {
	e.PreventDefault()
	secret := p.model.NewSecret
	if p.call == nil || SecretProblem(secret) != "" {
		return
	}
	session := p.call.session
	ctx = p.ctx // the form may be gone when the answer comes
	ctx.Async(func() {
		err := session.SetEncryptionSecret(secret)
		ctx.Dispatch(func(ctx app.Context) {
			p.model.SecretChanged(toOTError(err))
			if err == nil {
				p.secret = secret
				// go-app leaves a typed-in value alone; the secret should not stay on screen.
				if el := app.Window().GetElementByID("new-secret"); el.Truthy() {
					el.Set("value", "")
				}
			}
		})
	})
}

// onCopyInvite copies a link to the room: the room only, never the secret.
func (p *Page) onCopyInvite(ctx app.Context, e app.Event) {
	u := app.Window().URL()
	link := u.Scheme + "://" + u.Host + "/?room=" + p.model.Room
	clipboard := app.Window().Get("navigator").Get("clipboard")
	if clipboard.Truthy() {
		clipboard.Call("writeText", link)
	}
	p.model.InviteLink(link, clipboard.Truthy())
}

// fail shows err as a banner.
func (p *Page) fail(ctx app.Context, step Step, err error, about string) {
	ctx.Dispatch(func(ctx app.Context) { p.model.Failed(step, *toOTError(err), about) })
}

// toOTError is err as OpenTok's error; other errors keep their message.
func toOTError(err error) *ot.Error {
	if err == nil {
		return nil
	}
	var e *ot.Error
	if errors.As(err, &e) {
		return e
	}
	return &ot.Error{Message: err.Error()}
}
