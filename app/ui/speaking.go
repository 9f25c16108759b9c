package ui

import (
	"time"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"e2eecall/app/ot"
)

// Who is speaking, from audio levels (0 to 1: OpenTok's audioLevelUpdated
// for the others, the microphone meter for you), whatever their rate (our
// library sends 5 a second, OpenTok.js up to 60). A level is a peak over
// the last tenth of a second or more; speech peaks well above
// speechStartLevel, a quiet room stays below speechKeepLevel.
const (
	speechStartLevel = 0.1                     // a sample this loud starts speech
	speechKeepLevel  = 0.05                    // a sample this loud keeps it going
	speechHold       = 1200 * time.Millisecond // it ends after this long below speechKeepLevel: pauses between words do not
)

// SpeechDetector says whether someone speaks, from their audio levels in
// time order, with hysteresis: a loud sample starts it, a lower level keeps
// it, and it ends only after speechHold without one, so that the outline
// does not flicker between words.
type SpeechDetector struct {
	speaking bool
	lastKept time.Time // the last sample at speechKeepLevel or more
}

// Update takes one level sampled at now, and says whether the person
// speaks and whether that changed with this sample.
func (d *SpeechDetector) Update(level float64, now time.Time) (speaking, changed bool) {
	was := d.speaking
	if level >= speechKeepLevel {
		d.lastKept = now
	}
	if level >= speechStartLevel {
		d.speaking = true
	}
	if d.speaking && now.Sub(d.lastKept) > speechHold {
		d.speaking = false
	}
	return d.speaking, d.speaking != was
}

// Speaking records whether the person of a stream speaks now.
func (m *Model) Speaking(streamID string, on bool) {
	if i := m.find(streamID); i >= 0 {
		m.Participants[i].Speaking = on
	}
}

// SelfSpeech records whether your microphone hears you speak, muted or not.
func (m *Model) SelfSpeech(on bool) { m.selfSpeech = on }

// SelfSpeaking says whether your tile shows you speaking: heard, and not muted.
func (m *Model) SelfSpeaking() bool { return m.selfSpeech && !m.MicOff }

// MutedWarning says whether to tell you that you are muted: you speak, and
// nobody hears it.
func (m *Model) MutedWarning() bool { return m.selfSpeech && m.MicOff }

// micInterval is how often your microphone's level is read.
const micInterval = 100 * time.Millisecond

// speechListener turns a stream of audio levels into speaking changes:
// report runs only when the person starts or stops speaking, so that a
// level many times a second costs no render.
func speechListener(report func(on bool)) func(level float64) {
	var d SpeechDetector
	return func(level float64) {
		if on, changed := d.Update(level, time.Now()); changed {
			report(on)
		}
	}
}

// listenToMicrophone follows whether your microphone hears you speak, muted
// or not, until the call ends: your tile's outline, and "You are muted".
func (p *Page) listenToMicrophone(ctx app.Context, c *call, publisher *ot.Publisher) {
	meter, err := publisher.MicMeter()
	if err != nil {
		return // no outline on your tile and no muted warning; the call goes on
	}
	defer meter.Stop()
	listen := speechListener(func(on bool) { ctx.Dispatch(func(ctx app.Context) { p.model.SelfSpeech(on) }) })
	tick := time.NewTicker(micInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.ended:
			return
		case <-tick.C:
			listen(meter.Level())
		}
	}
}

// renderMutedWarning tells you that nobody hears you, while you speak muted.
func (p *Page) renderMutedWarning() app.UI {
	return app.P().Class("muted-warning").Role("status").Body(
		app.If(p.model.MutedWarning(), func() app.UI { return app.Strong().Text("You are muted") }),
	)
}
