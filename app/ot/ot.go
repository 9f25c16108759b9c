// Package ot is OpenTok.js as Go types: Session, Publisher, Subscriber, their
// events and OpenTok's errors, and PostJSON, the browser's fetch. It is the
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

// PublisherEvents are the Publisher events the app listens to.
type PublisherEvents struct {
	// StreamDestroyed: the publisher's stream ended, for reason
	// ("mediaStopped" when the person stopped sharing a screen from the
	// browser's own control).
	StreamDestroyed func(reason string)
}

// PublisherOptions are initPublisher's properties the app sets.
type PublisherOptions struct {
	Name         string
	PublishAudio bool
	PublishVideo bool
	VideoSource  string // "screen" shares a screen; "" is the camera
}
