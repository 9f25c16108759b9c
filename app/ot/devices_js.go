//go:build js && wasm

package ot

import (
	"errors"
	"sync"

	"github.com/hack-pad/safejs"
)

// GetDevices is OT.getDevices(): the cameras and microphones.
func GetDevices() ([]Device, error) {
	ot, err := otGlobal()
	if err != nil {
		return nil, err
	}
	p, err := ot.Call("getDevices")
	if err != nil {
		return nil, jsError(err)
	}
	list, err := await(p)
	if err != nil {
		return nil, err
	}
	return readDevices(list, ""), nil
}

// HasAudioOutputSupport says whether the browser can choose where audio
// plays (HTMLMediaElement.setSinkId, as OpenTok checks), so that
// GetAudioOutputDevices and SetAudioOutputDevice are of use.
func HasAudioOutputSupport() bool {
	ot, err := otGlobal()
	if err != nil || !truthy(get(ot, "setAudioOutputDevice")) {
		return false
	}
	proto := get(get(safejs.Global(), "HTMLMediaElement"), "prototype")
	return proto.Type() == safejs.TypeObject && get(proto, "setSinkId").Type() == safejs.TypeFunction
}

// GetAudioOutputDevices is OT.getAudioOutputDevices(): the speakers and headphones.
func GetAudioOutputDevices() ([]Device, error) {
	ot, err := otGlobal()
	if err != nil {
		return nil, err
	}
	p, err := ot.Call("getAudioOutputDevices")
	if err != nil {
		return nil, jsError(err)
	}
	list, err := await(p)
	if err != nil {
		return nil, err
	}
	return readDevices(list, AudioOutput), nil
}

// SetAudioOutputDevice is OT.setAudioOutputDevice(deviceId): every
// subscriber's audio plays on that device.
func SetAudioOutputDevice(deviceID string) error {
	ot, err := otGlobal()
	if err != nil {
		return err
	}
	p, err := ot.Call("setAudioOutputDevice", deviceID)
	if err != nil {
		return jsError(err)
	}
	_, err = await(p)
	return err
}

// ActiveAudioOutputDevice is OT.getActiveAudioOutputDevice().
func ActiveAudioOutputDevice() (Device, error) {
	ot, err := otGlobal()
	if err != nil {
		return Device{}, err
	}
	p, err := ot.Call("getActiveAudioOutputDevice")
	if err != nil {
		return Device{}, jsError(err)
	}
	v, err := await(p)
	if err != nil {
		return Device{}, err
	}
	return Device{Kind: AudioOutput, DeviceID: str(v, "deviceId"), Label: str(v, "label")}, nil
}

// OnDeviceChange calls fn when a camera, microphone or speaker is plugged
// in or out (navigator.mediaDevices' devicechange); release stops it.
func OnDeviceChange(fn func()) (release func(), err error) {
	devices := get(get(safejs.Global(), "navigator"), "mediaDevices")
	if devices.Type() != safejs.TypeObject {
		return func() {}, errors.New("ot: this browser has no media devices")
	}
	f, err := safejs.FuncOf(func(safejs.Value, []safejs.Value) any { fn(); return nil })
	if err != nil {
		return func() {}, err
	}
	if _, err := devices.Call("addEventListener", "devicechange", f); err != nil {
		f.Release()
		return func() {}, jsError(err)
	}
	return func() {
		_, _ = devices.Call("removeEventListener", "devicechange", f)
		f.Release()
	}, nil
}

// SetVideoSource is publisher.setVideoSource(deviceId): another camera,
// without leaving the session.
func (p *Publisher) SetVideoSource(deviceID string) error {
	pr, err := p.v.Call("setVideoSource", deviceID)
	if err != nil {
		return jsError(err)
	}
	_, err = await(pr)
	return err
}

// SetAudioSource is publisher.setAudioSource(deviceId): another microphone.
func (p *Publisher) SetAudioSource(deviceID string) error {
	pr, err := p.v.Call("setAudioSource", deviceID)
	if err != nil {
		return jsError(err)
	}
	_, err = await(pr)
	return err
}

// VideoSource is the camera's device id from publisher.getVideoSource(),
// and whether the publisher has a camera at all.
func (p *Publisher) VideoSource() (deviceID string, ok bool) {
	v, err := p.v.Call("getVideoSource")
	if err != nil || str(v, "type") != "camera" {
		return "", false
	}
	return str(v, "deviceId"), true
}

// AudioSource is the microphone's device id, from
// publisher.getAudioSource()'s track, and whether there is a microphone.
func (p *Publisher) AudioSource() (deviceID string, ok bool) {
	track, err := p.v.Call("getAudioSource")
	if err != nil || track.Type() != safejs.TypeObject {
		return "", false
	}
	settings, err := track.Call("getSettings")
	if err != nil {
		return "", true
	}
	return str(settings, "deviceId"), true
}

// On registers the handlers of events with publisher.on; Off and Destroy
// release them.
func (p *Publisher) On(events PublisherEvents) error {
	handlers := map[string]func(ev safejs.Value){}
	if h := events.AudioLevelUpdated; h != nil {
		handlers["audioLevelUpdated"] = func(ev safejs.Value) { h(number(ev, "audioLevel")) }
	}
	if h := events.MediaStopped; h != nil {
		handlers["mediaStopped"] = func(ev safejs.Value) { h(str(get(ev, "track"), "kind")) }
	}
	if h := events.StreamDestroyed; h != nil {
		handlers["streamDestroyed"] = func(ev safejs.Value) { h(str(ev, "reason")) }
	}
	added, err := addHandlers(p.v, handlers)
	p.handlers = append(p.handlers, added...)
	return err
}

// Off removes the handlers On registered and releases them.
func (p *Publisher) Off() {
	releaseHandlers(p.v, p.handlers)
	p.handlers = nil
}

// MoveTo moves the publisher's element into the element with targetID,
// playing on: the preview's camera becomes your tile in the call without
// asking for the camera again.
func (p *Publisher) MoveTo(targetID string) error {
	doc := get(safejs.Global(), "document")
	target, err := doc.Call("getElementById", targetID)
	if err != nil || target.Type() != safejs.TypeObject {
		return errors.New("ot: no element with id " + targetID)
	}
	el := get(p.v, "element")
	if el.Type() != safejs.TypeObject {
		return errors.New("ot: the publisher has no element")
	}
	if _, err := target.Call("append", el); err != nil {
		return jsError(err)
	}
	// A media element taken out of the page pauses; play it again.
	videos, err := el.Call("querySelectorAll", "video")
	if err != nil {
		return jsError(err)
	}
	n, _ := videos.Length()
	for i := range n {
		if v, err := videos.Index(i); err == nil {
			if pr, err := v.Call("play"); err == nil {
				_, _ = pr.Call("catch", ignore()) // autoplay rules may refuse; the element is muted
			}
		}
	}
	return nil
}

func readDevices(list safejs.Value, kind string) []Device {
	n, err := list.Length()
	if err != nil {
		return nil
	}
	devices := make([]Device, 0, n)
	for i := range n {
		d, err := list.Index(i)
		if err != nil {
			continue
		}
		k := kind
		if k == "" {
			k = str(d, "kind")
		}
		devices = append(devices, Device{Kind: k, DeviceID: str(d, "deviceId"), Label: str(d, "label")})
	}
	return devices
}

// ignore is a JavaScript function that does nothing, made once and kept:
// a promise's catch handler for rejections that need no answer.
var ignore = sync.OnceValue(func() safejs.Func {
	f, _ := safejs.FuncOf(func(safejs.Value, []safejs.Value) any { return nil })
	return f
})
