// Package ot is OpenTok.js as Go types: Session, Publisher, Subscriber, their
// events and OpenTok's errors, and Fetch, the browser's. It is the
// only package of the app that touches JavaScript (through safejs), and it
// works the same over the real OpenTok.js and over our compatible library.
//
// Calls that wait for OpenTok (Connect, Publish, SetEncryptionSecret, …)
// block: call them from a goroutine (go-app's ctx.Async), never from inside
// an OpenTok event handler. Event handlers run inside JavaScript callbacks:
// they must return quickly (go-app's ctx.Dispatch does).
package ot

import (
	"errors"
	"fmt"
)

// Error is an error OpenTok.js reported, with its name (OT_…), numeric code
// (0 when it had none) and message. Find it with errors.As.
type Error struct {
	Name    string
	Code    int
	Message string
}

func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s (%d): %s", e.Name, e.Code, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Name, e.Message)
}

// ErrNotInBrowser is what every call returns outside a browser (the
// server's prerender and host tests).
var ErrNotInBrowser = errors.New("ot: OpenTok.js runs only in the browser")

// Stream is a published stream of the session.
type Stream struct {
	ID           string
	Name         string
	ConnectionID string
	HasAudio     bool
	HasVideo     bool
	VideoType    string // "camera" or "screen"
	ref          jsValue
}

// SessionEvents are the Session events the app listens to. Nil handlers are
// not registered.
type SessionEvents struct {
	StreamCreated         func(Stream)
	StreamDestroyed       func(streamID, reason string)
	StreamPropertyChanged func(streamID, property string, value bool)
	SessionReconnecting   func() // the connection dropped; OpenTok is reconnecting with the same connection
	SessionReconnected    func()
	SessionDisconnected   func(reason string)
}

// SubscriberEvents are the Subscriber events the app listens to.
type SubscriberEvents struct {
	EncryptionSecretMismatch func()
	EncryptionSecretMatch    func()
	Disconnected             func() // the stream is interrupted: its publisher's connection dropped
	Connected                func() // it flows again
	// AudioLevelUpdated gets the stream's audio level, 0 to 1, many times a
	// second: it must be quick.
	AudioLevelUpdated func(level float64)
}

// PublisherOptions are initPublisher's properties the app sets.
type PublisherOptions struct {
	Name         string
	PublishAudio bool
	PublishVideo bool
	// AudioSource and VideoSource are device ids from GetDevices; "" is the
	// browser's default device; VideoSource "screen" shares a screen.
	AudioSource string
	VideoSource string
	// NoAudio and NoVideo publish without a microphone or without a camera
	// (audioSource or videoSource null).
	NoAudio bool
	NoVideo bool
}

// PublisherEvents are the Publisher events the app listens to.
type PublisherEvents struct {
	// AudioLevelUpdated is the microphone's level, 0 to 1 (linear), several
	// times a second.
	AudioLevelUpdated func(level float64)
	// MediaStopped is a track that ended on its own: its device was
	// unplugged or taken by another application. Kind is "audio" or "video".
	MediaStopped func(kind string)
	// StreamDestroyed: the publisher's stream ended, for reason
	// ("mediaStopped" when the person stopped sharing a screen from the
	// browser's own control).
	StreamDestroyed func(reason string)
}

// Device kinds, as OpenTok names them.
const (
	AudioInput  = "audioInput"
	VideoInput  = "videoInput"
	AudioOutput = "audioOutput"
)

// Device is a camera, microphone or speaker. Labels are empty until the
// person has allowed a camera or microphone.
type Device struct {
	Kind     string
	DeviceID string
	Label    string
}
