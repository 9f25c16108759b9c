//go:build !(js && wasm)

package ot

import "time"

type jsValue struct{}

// Session is an OpenTok Session.
type Session struct{}

// Publisher is an OpenTok Publisher.
type Publisher struct{}

// Subscriber is an OpenTok Subscriber.
type Subscriber struct{}

// MicMeter measures how loud the publisher's microphone is, muted or not.
type MicMeter struct{}

func (m *MicMeter) Level() float64 { return 0 }
func (m *MicMeter) Stop()          {}

func WaitReady(time.Duration) error                                  { return ErrNotInBrowser }
func HasEndToEndEncryptionSupport() (bool, error)                    { return false, ErrNotInBrowser }
func InitSession(apiKey, sessionID, secret string) (*Session, error) { return nil, ErrNotInBrowser }
func InitPublisher(targetID string, o PublisherOptions) (*Publisher, error) {
	return nil, ErrNotInBrowser
}
func (s *Session) Connect(token string) error              { return ErrNotInBrowser }
func (s *Session) Disconnect()                             {}
func (s *Session) SetEncryptionSecret(secret string) error { return ErrNotInBrowser }
func (s *Session) Publish(p *Publisher) error              { return ErrNotInBrowser }
func (s *Session) On(SessionEvents) error                  { return ErrNotInBrowser }
func (s *Session) Off()                                    {}
func (s *Session) Subscribe(Stream, string, SubscriberEvents) (*Subscriber, error) {
	return nil, ErrNotInBrowser
}
func (p *Publisher) PublishAudio(bool)                  {}
func (p *Publisher) SetVideoSource(string) error        { return ErrNotInBrowser }
func (p *Publisher) SetAudioSource(string) error        { return ErrNotInBrowser }
func (p *Publisher) VideoSource() (string, bool)        { return "", false }
func (p *Publisher) AudioSource() (string, bool)        { return "", false }
func (p *Publisher) On(PublisherEvents) error           { return ErrNotInBrowser }
func (p *Publisher) Off()                               {}
func (p *Publisher) MoveTo(targetID string) error       { return ErrNotInBrowser }
func GetDevices() ([]Device, error)                     { return nil, ErrNotInBrowser }
func GetAudioOutputDevices() ([]Device, error)          { return nil, ErrNotInBrowser }
func HasAudioOutputSupport() bool                       { return false }
func SetAudioOutputDevice(deviceID string) error        { return ErrNotInBrowser }
func ActiveAudioOutputDevice() (Device, error)          { return Device{}, ErrNotInBrowser }
func OnDeviceChange(func()) (release func(), err error) { return func() {}, ErrNotInBrowser }
func (p *Publisher) MicMeter() (*MicMeter, error)       { return nil, ErrNotInBrowser }
func CheckScreenSharingCapability() (bool, error)       { return false, ErrNotInBrowser }
func (p *Publisher) PublishVideo(bool)                  {}
func (p *Publisher) Destroy()                           {}
func (sub *Subscriber) Release()                        {}

func Fetch(method, url string, body []byte) (int, []byte, error) { return 0, nil, ErrNotInBrowser }
