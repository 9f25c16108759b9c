//go:build js && wasm

package ot

import (
	"errors"

	"github.com/hack-pad/safejs"
)

// meterWindow is how many samples of the microphone Level looks at: about
// 170 ms at 48 kHz, longer than the time between two Level calls, so that a
// short sound between them is not missed.
const meterWindow = 8192

// MicMeter measures how loud the publisher's microphone is, muted or not.
// OpenTok disables the microphone's track while the publisher is muted, so
// the publisher's own audioLevelUpdated reads 0 then; the meter listens to
// an enabled clone of the track instead (the same device, nothing sent),
// through a WebAudio analyser.
type MicMeter struct {
	audio    safejs.Value // the AudioContext
	track    safejs.Value // the clone
	analyser safejs.Value
	buf      safejs.Value // a Uint8Array of meterWindow samples
	samples  []byte
}

// MicMeter starts a meter on the publisher's microphone
// (publisher.getAudioSource()). Stop it when done.
func (p *Publisher) MicMeter() (*MicMeter, error) {
	source, err := p.v.Call("getAudioSource")
	if err != nil {
		return nil, jsError(err)
	}
	if !truthy(source) {
		return nil, errors.New("ot: the publisher has no microphone")
	}
	m := &MicMeter{samples: make([]byte, meterWindow)}
	if err := m.start(source); err != nil {
		m.Stop()
		return nil, err
	}
	return m, nil
}

func (m *MicMeter) start(source safejs.Value) error {
	var err error
	if m.track, err = source.Call("clone"); err != nil {
		return jsError(err)
	}
	if err := m.track.Set("enabled", true); err != nil {
		return err
	}
	global := safejs.Global()
	if m.audio, err = construct(global, "AudioContext"); err != nil {
		return err
	}
	stream, err := construct(global, "MediaStream", []any{m.track})
	if err != nil {
		return err
	}
	node, err := m.audio.Call("createMediaStreamSource", stream)
	if err != nil {
		return jsError(err)
	}
	if m.analyser, err = m.audio.Call("createAnalyser"); err != nil {
		return jsError(err)
	}
	if err := m.analyser.Set("fftSize", meterWindow); err != nil {
		return err
	}
	if _, err := node.Call("connect", m.analyser); err != nil {
		return jsError(err)
	}
	if m.buf, err = construct(global, "Uint8Array", meterWindow); err != nil {
		return err
	}
	_, _ = m.audio.Call("resume") // a context made without a click starts suspended
	return nil
}

// Level is the peak of the last meterWindow samples, 0 to 1, as OpenTok.js
// computes its publisher's level.
func (m *MicMeter) Level() float64 {
	if _, err := m.analyser.Call("getByteTimeDomainData", m.buf); err != nil {
		return 0
	}
	if _, err := safejs.CopyBytesToGo(m.samples, m.buf); err != nil {
		return 0
	}
	peak := 0
	for _, b := range m.samples {
		peak = max(peak, abs(int(b)-128))
	}
	return float64(peak) / 128
}

// Stop ends the clone and the audio context.
func (m *MicMeter) Stop() {
	if truthy(m.track) {
		_, _ = m.track.Call("stop")
	}
	if truthy(m.audio) {
		_, _ = m.audio.Call("close")
	}
}

func construct(global safejs.Value, name string, args ...any) (safejs.Value, error) {
	class, err := global.Get(name)
	if err != nil || !truthy(class) {
		return safejs.Value{}, errors.New("ot: this browser has no " + name)
	}
	v, err := class.New(args...)
	if err != nil {
		return safejs.Value{}, jsError(err)
	}
	return v, nil
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
