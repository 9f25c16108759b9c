package ui

import (
	"errors"
	"math"

	"github.com/maxence-charriere/go-app/v10/pkg/app"

	"e2eecall/app/ot"
)

// previewVideoID is where OpenTok puts your camera on the join screen. The
// same publisher moves into your tile when you join (selfVideoID), so the
// call sends exactly what the preview showed, without asking again.
const previewVideoID = "preview-video"

// micLevelID is the preview's microphone meter, which audioLevelUpdated
// moves directly: re-rendering the page a dozen times a second for one
// number would cost more than the meter is worth.
const micLevelID = "mic-level"

// startPreview asks for the camera and microphone and shows them on the
// join screen. When both can't be had it tries the microphone alone, then
// the camera alone, and settles for what it gets: audio-only, video-only,
// or nothing (you can still join to watch and listen).
func (p *Page) startPreview() {
	ctx := p.ctx
	if p.publisher != nil {
		p.publisher.Destroy()
		p.publisher = nil
	}
	p.model.PreviewStarting()
	p.previewRun++
	run := p.previewRun
	m := &p.model
	want := ot.PublisherOptions{PublishAudio: !m.MicOff, PublishVideo: !m.CameraOff, AudioSource: m.Media.Mic, VideoSource: m.Media.Camera}
	micOnly, cameraOnly := want, want
	micOnly.NoVideo, micOnly.VideoSource = true, ""
	cameraOnly.NoAudio, cameraOnly.AudioSource = true, ""
	ctx.Async(func() {
		var first error
		var publisher *ot.Publisher
		var got ot.PublisherOptions
		for _, try := range []ot.PublisherOptions{want, micOnly, cameraOnly} {
			pub, err := ot.InitPublisher(previewVideoID, try)
			if err == nil {
				publisher, got = pub, try
				break
			}
			if first == nil {
				first = err
			}
			if !deviceProblem(err) {
				break
			}
		}
		ctx.Dispatch(func(ctx app.Context) {
			if run != p.previewRun { // a newer preview started meanwhile
				if publisher != nil {
					publisher.Destroy()
				}
				return
			}
			p.publisher = publisher
			var firstErr *ot.Error
			if publisher == nil || first != nil {
				firstErr = toOTError(first)
			}
			p.model.PreviewStarted(publisher != nil && !got.NoAudio, publisher != nil && !got.NoVideo, firstErr)
			if publisher != nil {
				p.followPublisher(publisher)
			}
			p.listDevices()
			if p.call != nil && p.model.Screen == ScreenCall {
				p.sendMedia(ctx, p.call) // Join call was pressed while the preview started
			}
		})
	})
}

// deviceProblem says whether an initPublisher error is about the devices
// (denied, missing, busy), so that fewer devices may still work.
func deviceProblem(err error) bool {
	var e *ot.Error
	if !errors.As(err, &e) {
		return false
	}
	switch e.Name {
	case "OT_USER_MEDIA_ACCESS_DENIED", "OT_NO_DEVICES_FOUND", "OT_HARDWARE_UNAVAILABLE",
		"OT_CONSTRAINTS_NOT_SATISFIED", "OT_NOT_SUPPORTED", "OT_UNABLE_TO_CAPTURE_MEDIA", "OT_MEDIA_ERR_ABORTED":
		return true
	}
	return false
}

// followPublisher moves the level meter with the microphone, and tells
// the person when a device stops (unplugged, or taken by another
// application).
func (p *Page) followPublisher(publisher *ot.Publisher) {
	ctx := p.ctx
	smoothed := 0.0
	_ = publisher.On(ot.PublisherEvents{
		AudioLevelUpdated: func(level float64) {
			// As OpenTok's sample meter: a moving average on a log scale.
			smoothed = max(0.7*smoothed, level)
			shown := 0.0
			if smoothed > 0 {
				shown = math.Min(1, math.Max(0, math.Log10(smoothed)/1.5+1))
			}
			if el := app.Window().GetElementByID(micLevelID); el.Truthy() {
				el.Set("value", shown)
			}
		},
		MediaStopped: func(kind string) {
			ctx.Dispatch(func(ctx app.Context) {
				what := "microphone"
				if kind == "video" {
					what = "camera"
				}
				p.model.add(ToneWarning, "Your "+what+" stopped",
					"It was unplugged or taken by another application. Pick another one under Devices.")
				p.listDevices()
			})
		},
	})
}

// listDevices reads the cameras, microphones and speakers, and which are in use.
func (p *Page) listDevices() {
	ctx := p.ctx
	publisher := p.publisher
	ctx.Async(func() {
		inputs, err := ot.GetDevices()
		if err != nil {
			return
		}
		var outputs []ot.Device
		canPick := ot.HasAudioOutputSupport()
		if canPick {
			outputs, _ = ot.GetAudioOutputDevices()
		}
		var camera, mic string
		if publisher != nil {
			camera, _ = publisher.VideoSource()
			mic, _ = publisher.AudioSource()
		}
		ctx.Dispatch(func(ctx app.Context) { p.model.DevicesListed(inputs, outputs, camera, mic, canPick) })
	})
}

// onPickDevice switches to the device picked in a select: on the
// publisher (setVideoSource, setAudioSource: the encrypted sender stays),
// or for every subscriber's audio (setAudioOutputDevice).
func (p *Page) onPickDevice(kind string) app.EventHandler {
	return func(ctx app.Context, e app.Event) {
		id := ctx.JSSrc().Get("value").String()
		p.model.PickDevice(kind, id)
		publisher := p.publisher
		has := map[string]bool{ot.VideoInput: p.model.Media.HasCamera, ot.AudioInput: p.model.Media.HasMic}[kind]
		if kind != ot.AudioOutput && (publisher == nil || !has) {
			if p.model.Screen == ScreenJoin {
				p.startPreview() // the preview had no such device: ask again with this one
			}
			return
		}
		ctx = p.ctx
		ctx.Async(func() {
			var err error
			switch kind {
			case ot.VideoInput:
				err = publisher.SetVideoSource(id)
			case ot.AudioInput:
				err = publisher.SetAudioSource(id)
			case ot.AudioOutput:
				err = ot.SetAudioOutputDevice(id)
			}
			ctx.Dispatch(func(ctx app.Context) {
				if err != nil {
					p.model.DeviceFailed(*toOTError(err))
				}
				p.listDevices()
			})
		})
	}
}

func (p *Page) onRetryPreview(ctx app.Context, e app.Event) { p.startPreview() }

// watchDevices reads the devices again whenever one is plugged in or out.
func (p *Page) watchDevices() {
	ctx := p.ctx
	release, err := ot.OnDeviceChange(func() { ctx.Dispatch(func(ctx app.Context) { p.listDevices() }) })
	if err == nil {
		p.releaseDeviceWatch = release
	}
}

// sendMedia puts the preview's publisher in your tile and publishes it,
// once: with neither camera nor microphone you join to watch and listen.
func (p *Page) sendMedia(ctx app.Context, c *call) {
	if c.published || p.publisher == nil || p.model.Media.State != MediaReady {
		return
	}
	c.published = true
	publisher := p.publisher
	if err := publisher.MoveTo(selfVideoID); err != nil {
		p.model.Failed(StepPublish, *toOTError(err), "")
		return
	}
	ctx.Async(func() {
		if err := c.session.Publish(publisher); err != nil {
			p.fail(ctx, StepPublish, err, "")
			return
		}
		p.listenToMicrophone(ctx, c, publisher)
	})
}
