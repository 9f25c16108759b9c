//go:build js && wasm

package ot

import (
	"errors"
	"syscall/js"
	"time"

	"github.com/hack-pad/safejs"
)

type jsValue = safejs.Value

// WaitReady waits until the page's OpenTok library has defined window.OT.
// The library is a deferred or module script, so it may come after the wasm.
func WaitReady(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if v, err := safejs.Global().Get("OT"); err == nil && truthy(v) {
			return nil
		}
		if time.Now().After(deadline) {
			return &Error{Name: "OT_NOT_LOADED", Message: "the OpenTok library did not load"}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// HasEndToEndEncryptionSupport is OT.hasEndToEndEncryptionSupport().
func HasEndToEndEncryptionSupport() (bool, error) {
	ot, err := otGlobal()
	if err != nil {
		return false, err
	}
	v, err := ot.Call("hasEndToEndEncryptionSupport")
	if err != nil {
		return false, jsError(err)
	}
	return v.Bool()
}

// Session is an OpenTok Session.
type Session struct {
	v        safejs.Value
	handlers []handler
}

// handler is a function registered with on(), kept to be removed with off().
type handler struct {
	event string
	fn    safejs.Func
}

// InitSession is OT.initSession(apiKey, sessionId, {encryptionSecret}). For a
// session id it has seen, OpenTok returns the Session it made before and
// ignores the secret: use SetEncryptionSecret before connecting again.
func InitSession(apiKey, sessionID, secret string) (*Session, error) {
	ot, err := otGlobal()
	if err != nil {
		return nil, err
	}
	v, err := ot.Call("initSession", apiKey, sessionID, map[string]any{"encryptionSecret": secret})
	if err != nil {
		return nil, jsError(err)
	}
	return &Session{v: v}, nil
}

// Connect is session.connect(token, callback); it returns the callback's error.
func (s *Session) Connect(token string) error {
	return callWithCallback(s.v, "connect", token)
}

// Disconnect is session.disconnect().
func (s *Session) Disconnect() {
	_, _ = s.v.Call("disconnect") // it cannot fail on a session
}

// SetEncryptionSecret is session.setEncryptionSecret(secret); it returns the
// promise's rejection.
func (s *Session) SetEncryptionSecret(secret string) error {
	p, err := s.v.Call("setEncryptionSecret", secret)
	if err != nil {
		return jsError(err)
	}
	_, err = await(p)
	return err
}

// Publish is session.publish(publisher, callback).
func (s *Session) Publish(p *Publisher) error {
	return callWithCallback(s.v, "publish", p.v)
}

// Subscribe is session.subscribe(stream, targetID, properties, callback): the
// subscriber's element is appended to the element with targetID. It returns
// when the callback is called.
func (s *Session) Subscribe(stream Stream, targetID string, events SubscriberEvents) (*Subscriber, error) {
	cb, done, err := callback()
	if err != nil {
		return nil, err
	}
	defer cb.Release()
	v, err := s.v.Call("subscribe", stream.ref, targetID, map[string]any{"insertMode": "append", "width": "100%", "height": "100%"}, cb)
	if err != nil {
		return nil, jsError(err)
	}
	sub := &Subscriber{v: v}
	if err := sub.on(events); err != nil {
		return nil, err
	}
	if err := <-done; err != nil {
		sub.Release()
		return nil, err
	}
	return sub, nil
}

// On registers the handlers of events with session.on.
func (s *Session) On(events SessionEvents) error {
	handlers := map[string]func(ev safejs.Value){}
	if h := events.StreamCreated; h != nil {
		handlers["streamCreated"] = func(ev safejs.Value) { h(readStream(get(ev, "stream"))) }
	}
	if h := events.StreamDestroyed; h != nil {
		handlers["streamDestroyed"] = func(ev safejs.Value) { h(str(get(ev, "stream"), "streamId"), str(ev, "reason")) }
	}
	if h := events.StreamPropertyChanged; h != nil {
		handlers["streamPropertyChanged"] = func(ev safejs.Value) {
			h(str(get(ev, "stream"), "streamId"), str(ev, "changedProperty"), boolean(ev, "newValue"))
		}
	}
	if h := events.SessionReconnecting; h != nil {
		handlers["sessionReconnecting"] = func(safejs.Value) { h() }
	}
	if h := events.SessionReconnected; h != nil {
		handlers["sessionReconnected"] = func(safejs.Value) { h() }
	}
	if h := events.SessionDisconnected; h != nil {
		handlers["sessionDisconnected"] = func(ev safejs.Value) { h(str(ev, "reason")) }
	}
	added, err := addHandlers(s.v, handlers)
	s.handlers = append(s.handlers, added...)
	return err
}

// Off removes the handlers On registered and releases them.
func (s *Session) Off() {
	releaseHandlers(s.v, s.handlers)
	s.handlers = nil
}

// Publisher is an OpenTok Publisher.
type Publisher struct {
	v        safejs.Value
	handlers []handler
}

// InitPublisher is OT.initPublisher(targetID, properties, callback): the
// camera and microphone, appended to the element with targetID. It returns
// when the callback is called; on error the publisher is destroyed.
func InitPublisher(targetID string, o PublisherOptions) (*Publisher, error) {
	ot, err := otGlobal()
	if err != nil {
		return nil, err
	}
	cb, done, err := callback()
	if err != nil {
		return nil, err
	}
	defer cb.Release()
	props := map[string]any{
		"name": o.Name, "publishAudio": o.PublishAudio, "publishVideo": o.PublishVideo,
		"insertMode": "append", "width": "100%", "height": "100%",
	}
	props["audioSource"], props["videoSource"] = source(o.AudioSource, o.NoAudio), source(o.VideoSource, o.NoVideo)
	v, err := ot.Call("initPublisher", targetID, props, cb)
	if err != nil {
		return nil, jsError(err)
	}
	p := &Publisher{v: v}
	if err := <-done; err != nil {
		p.Destroy()
		return nil, err
	}
	return p, nil
}

// PublishAudio is publisher.publishAudio(on).
func (p *Publisher) PublishAudio(on bool) { _, _ = p.v.Call("publishAudio", on) }

// PublishVideo is publisher.publishVideo(on).
func (p *Publisher) PublishVideo(on bool) { _, _ = p.v.Call("publishVideo", on) }

// Destroy is publisher.destroy(): the camera and microphone stop.
func (p *Publisher) Destroy() {
	p.Off()
	_, _ = p.v.Call("destroy")
}

// source is an audioSource or videoSource property: null for none, a device
// id, or undefined for the default device.
func source(deviceID string, none bool) any {
	switch {
	case none:
		return nil
	case deviceID != "":
		return deviceID
	}
	return safejs.Undefined()
}

// Subscriber is an OpenTok Subscriber.
type Subscriber struct {
	v        safejs.Value
	handlers []handler
}

func (sub *Subscriber) on(events SubscriberEvents) error {
	handlers := map[string]func(ev safejs.Value){}
	if h := events.EncryptionSecretMismatch; h != nil {
		handlers["encryptionSecretMismatch"] = func(safejs.Value) { h() }
	}
	if h := events.EncryptionSecretMatch; h != nil {
		handlers["encryptionSecretMatch"] = func(safejs.Value) { h() }
	}
	if h := events.Disconnected; h != nil {
		handlers["disconnected"] = func(safejs.Value) { h() }
	}
	if h := events.Connected; h != nil {
		handlers["connected"] = func(safejs.Value) { h() }
	}
	if h := events.AudioLevelUpdated; h != nil {
		handlers["audioLevelUpdated"] = func(ev safejs.Value) { h(number(ev, "audioLevel")) }
	}
	added, err := addHandlers(sub.v, handlers)
	sub.handlers = append(sub.handlers, added...)
	return err
}

// Release frees the subscriber's event handlers, once OpenTok has destroyed
// it (its stream ended, or the session disconnected).
func (sub *Subscriber) Release() {
	releaseHandlers(sub.v, sub.handlers)
	sub.handlers = nil
}

// addHandlers registers each function with target.on for its event; each
// gets the event. It returns the handlers registered, to release, also when
// it stops at an error.
func addHandlers(target safejs.Value, byEvent map[string]func(ev safejs.Value)) ([]handler, error) {
	var added []handler
	for event, fn := range byEvent {
		f, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
			ev := safejs.Undefined()
			if len(args) > 0 {
				ev = args[0]
			}
			fn(ev)
			return nil
		})
		if err != nil {
			return added, err
		}
		if _, err := target.Call("on", event, f); err != nil {
			f.Release()
			return added, jsError(err)
		}
		added = append(added, handler{event: event, fn: f})
	}
	return added, nil
}

// releaseHandlers removes handlers from target with off, and frees them.
func releaseHandlers(target safejs.Value, handlers []handler) {
	for _, h := range handlers {
		_, _ = target.Call("off", h.event, h.fn)
		h.fn.Release()
	}
}

func otGlobal() (safejs.Value, error) {
	ot, err := safejs.Global().Get("OT")
	if err != nil || !truthy(ot) {
		return safejs.Value{}, &Error{Name: "OT_NOT_LOADED", Message: "the OpenTok library is not loaded"}
	}
	return ot, nil
}

// callWithCallback calls method with a callback last, OpenTok's
// (error?) => void convention, and waits for the callback.
func callWithCallback(v safejs.Value, method string, args ...any) error {
	cb, done, err := callback()
	if err != nil {
		return err
	}
	defer cb.Release()
	if _, err := v.Call(method, append(args, cb)...); err != nil {
		return jsError(err)
	}
	return <-done
}

// callback makes an OpenTok-style (error?) => void callback and the channel
// its error arrives on. It never blocks JavaScript: the channel has room.
func callback() (safejs.Func, <-chan error, error) {
	done := make(chan error, 1)
	cb, err := safejs.FuncOf(func(_ safejs.Value, args []safejs.Value) any {
		done <- callbackError(args)
		return nil
	})
	return cb, done, err
}

// await waits for a promise.
func await(p safejs.Value) (safejs.Value, error) {
	type result struct {
		v   safejs.Value
		err error
	}
	done := make(chan result, 1)
	then, err := safejs.FuncOf(func(_ safejs.Value, a []safejs.Value) any {
		var v safejs.Value
		if len(a) > 0 {
			v = a[0]
		}
		done <- result{v: v}
		return nil
	})
	if err != nil {
		return safejs.Value{}, err
	}
	defer then.Release()
	catch, err := safejs.FuncOf(func(_ safejs.Value, a []safejs.Value) any {
		done <- result{err: callbackError(a)}
		return nil
	})
	if err != nil {
		return safejs.Value{}, err
	}
	defer catch.Release()
	if _, err := p.Call("then", then, catch); err != nil {
		return safejs.Value{}, jsError(err)
	}
	r := <-done
	return r.v, r.err
}

// callbackError reads an OpenTok error passed to a callback, or nil.
func callbackError(args []safejs.Value) error {
	if len(args) == 0 || args[0].IsUndefined() || args[0].IsNull() {
		return nil
	}
	return toError(args[0])
}

// toError keeps an OpenTok error's name, code and message.
func toError(v safejs.Value) *Error {
	e := &Error{Name: str(v, "name"), Message: str(v, "message")}
	if c, err := v.Get("code"); err == nil && c.Type() == safejs.TypeNumber {
		e.Code, _ = c.Int()
	}
	if e.Name == "" {
		e.Name = "Error"
	}
	return e
}

// jsError turns an exception thrown by a call into an Error that keeps the
// thrown object's name, code and message.
func jsError(err error) error {
	var thrown js.Error
	if errors.As(err, &thrown) {
		return toError(safejs.Safe(thrown.Value))
	}
	return err
}

func truthy(v safejs.Value) bool {
	t, err := v.Truthy()
	return err == nil && t
}

func readStream(v safejs.Value) Stream {
	return Stream{
		ID: str(v, "streamId"), Name: str(v, "name"), ConnectionID: str(get(v, "connection"), "connectionId"),
		HasAudio: boolean(v, "hasAudio"), HasVideo: boolean(v, "hasVideo"), VideoType: str(v, "videoType"), ref: v,
	}
}

func get(v safejs.Value, key string) safejs.Value {
	out, err := v.Get(key)
	if err != nil {
		return safejs.Undefined()
	}
	return out
}

func str(v safejs.Value, key string) string {
	out := get(v, key)
	if out.Type() != safejs.TypeString {
		return ""
	}
	s, _ := out.String()
	return s
}

func boolean(v safejs.Value, key string) bool {
	out := get(v, key)
	if out.Type() != safejs.TypeBoolean {
		return false
	}
	b, _ := out.Bool()
	return b
}

func number(v safejs.Value, key string) float64 {
	out := get(v, key)
	if out.Type() != safejs.TypeNumber {
		return 0
	}
	f, _ := out.Float()
	return f
}
