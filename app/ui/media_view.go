package ui

import (
	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"e2eecall/app/ot"
)

// renderPreview is the join screen's camera and microphone: your mirrored
// video, the microphone's level, the toggles, the device pickers, and what
// to do when a device is missing.
func (p *Page) renderPreview() app.UI {
	md := &p.model.Media
	// Hidden where the browser can't encrypt: there is no joining from it.
	hidden := p.model.Support == NotSupported || p.model.Support == NotSupportedFirefox
	return app.Section().Class(pick(hidden, "preview hidden", "preview")).Aria("label", "Camera and microphone").Body(
		app.Figure().Class("tile tile-self preview-tile").Body(
			app.Div().ID(previewVideoID).Class("tile-video"),
			p.renderNoVideo(),
			app.FigCaption().Class("tile-caption").Body(
				app.Span().Class("tile-name").Text("Your preview"),
				p.renderFlags(!p.model.SendsAudio(), !p.model.SendsVideo()),
			),
		),
		app.Div().Class("preview-bar").Body(
			p.renderMicButton(),
			p.renderCameraButton(),
			app.Label().Class("level").For(micLevelID).Body(
				app.Span().Class("visually-hidden").Text("Microphone level"),
				app.Meter().ID(micLevelID).Class("level-meter").Min(0).Max(1).Low(0.15).High(0.85).Optimum(0.5),
			),
		),
		// A live region that is always there, so that screen readers announce what comes into it.
		app.Div().Class("preview-status").Aria("live", "polite").Body(
			app.If(md.ProblemTitle != "", func() app.UI {
				return app.Div().Class("notice notice-warning").Role("alert").Body(
					app.Strong().Text(md.ProblemTitle+". "),
					app.Text(md.ProblemText),
					app.Button().Type("button").Class("button small").Text("Try again").OnClick(p.onRetryPreview),
				)
			}),
		),
	)
}

// renderNoVideo says why your tile has no picture.
func (p *Page) renderNoVideo() app.UI {
	md := &p.model.Media
	text := ""
	switch {
	case md.State == MediaStarting:
		text = "Starting your camera…"
	case md.State == MediaReady && !md.HasCamera:
		text = "No camera"
	case md.State == MediaReady && p.model.CameraOff:
		text = "Your camera is off"
	case p.model.Screen == ScreenCall && p.publisher == nil && md.State != MediaReady:
		text = "Not sending"
	}
	if text == "" {
		return nil
	}
	return app.P().Class("tile-placeholder").Text(text)
}

// renderDevicePickers are the labelled selects of each device kind, with
// the speaker only where the browser lets a page choose it.
func (p *Page) renderDevicePickers() app.UI {
	md := &p.model.Media
	return app.Div().Class("device-pickers").Body(
		p.renderPicker("camera-select", "Camera", ot.VideoInput, md.Cameras, md.Camera, !md.HasCamera && p.model.Screen == ScreenCall),
		p.renderPicker("mic-select", "Microphone", ot.AudioInput, md.Mics, md.Mic, !md.HasMic && p.model.Screen == ScreenCall),
		app.If(md.CanPickSpeaker, func() app.UI {
			return p.renderPicker("speaker-select", "Speaker", ot.AudioOutput, md.Speakers, md.Speaker, false)
		}),
	)
}

func (p *Page) renderPicker(id, label, kind string, devices []ot.Device, selected string, disabled bool) app.UI {
	return app.Div().Class("field picker").Body(
		app.Label().For(id).Text(label),
		app.Select().ID(id).Disabled(disabled || len(devices) == 0).OnChange(p.onPickDevice(kind)).Body(
			app.If(len(devices) == 0, func() app.UI { return app.Option().Value("").Text("None found") }),
			app.Range(devices).Slice(func(i int) app.UI {
				d := devices[i]
				return app.Option().Value(d.DeviceID).Selected(d.DeviceID == selected).Text(DeviceLabel(kind, d, i))
			}),
		),
	)
}

// renderMicButton and renderCameraButton are the toggles, in the preview
// and in the call: an icon, a name that says what pressing does, and a
// short visible label on wide screens.
func (p *Page) renderMicButton() app.UI {
	off := !p.model.SendsAudio()
	name := pick(p.model.MicOff, "Unmute microphone", "Mute microphone")
	return toolButton(name, pick(off, "mic-off", "mic"), pick(p.model.MicOff, "Unmute", "Mute"), !p.model.MicUsable()).
		Aria("pressed", p.model.MicOff).OnClick(p.onToggleMic)
}

func (p *Page) renderCameraButton() app.UI {
	off := !p.model.SendsVideo()
	name := pick(p.model.CameraOff, "Turn camera on", "Turn camera off")
	return toolButton(name, pick(off, "camera-off", "camera"), pick(p.model.CameraOff, "Start video", "Stop video"), !p.model.CameraUsable()).
		Aria("pressed", p.model.CameraOff).OnClick(p.onToggleCamera)
}

// toolButton is an icon button: name is its accessible name and tooltip,
// label the word shown under the icon where there is room.
func toolButton(name, icon, label string, disabled bool) app.HTMLButton {
	b := app.Button().Type("button").Class("tool").Aria("label", name).Title(name).Body(
		app.Img().Class("tool-icon").Src("/web/icons/"+icon+".svg").Alt(""),
		app.Span().Class("tool-label").Aria("hidden", "true").Text(label),
	)
	if disabled {
		b = b.Disabled(true)
	}
	return b
}
