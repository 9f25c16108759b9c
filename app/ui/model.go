package ui

import (
	"fmt"

	"e2eecall"
	"e2eecall/app/ot"
)

// Screen is what the page shows.
type Screen int

const (
	ScreenJoin    Screen = iota // the join form
	ScreenJoining               // joining: the form, busy
	ScreenCall                  // in the call
)

// Status is what a remote participant's tile says about their encryption.
type Status int

const (
	StatusEncrypted       Status = iota // their media decrypts with our secret
	StatusMismatch                      // it does not: the secrets differ
	StatusDecryptingAgain               // it decrypts again after a mismatch
)

func (s Status) String() string {
	switch s {
	case StatusMismatch:
		return "Can't decrypt: secret mismatch"
	case StatusDecryptingAgain:
		return "Decrypting again"
	}
	return "Encrypted"
}

// Participant is a remote participant's tile: one subscribed stream.
type Participant struct {
	StreamID    string
	Name        string
	Status      Status
	MicOff      bool
	CameraOff   bool
	Speaking    bool // their decrypted audio says they speak
	Screen      bool // a shared screen (videoType "screen"), shown large
	Interrupted bool // their connection dropped and is coming back: the picture is frozen
}

// Tone is how a banner looks.
type Tone string

const (
	ToneInfo    Tone = "info"
	ToneSuccess Tone = "success"
	ToneWarning Tone = "warning"
	ToneError   Tone = "error"
)

// Banner is a message in the page's live region: what happened and what to do.
type Banner struct {
	ID    int
	Tone  Tone
	Title string
	Text  string
	about string // the stream a participant banner is about, so a newer one replaces it
}

// Support is whether this browser can encrypt: OT.hasEndToEndEncryptionSupport().
type Support int

const (
	SupportUnknown Support = iota // the check has not run yet
	Supported
	NotSupported
	NotSupportedFirefox // Firefox, which OpenTok.js excludes
)

// Model is the call's state: OpenTok events in, what the page shows out. It
// holds no JavaScript and no go-app, so its rules are tested on the host.
type Model struct {
	Screen       Screen
	Form         Form    // the join form
	Support      Support // whether this browser can encrypt
	Room         string  // the room joined
	Name         string  // the name joined as
	Participants []Participant
	Banners      []Banner
	MicOff       bool         // you muted the microphone (in the preview or the call)
	CameraOff    bool         // you turned the camera off
	Media        Media        // your camera and microphone, and the devices to pick from
	Panel        string       // the call's open panel: "devices", "secret" or none
	NewSecret    string       // typed into the Change secret field
	SecretNotice string       // the result of the last secret change
	Invite       string       // what Copy invite link did
	JoinPending  bool         // Join call was pressed before the app ran: join once the support check is done
	Sharing      ScreenShare  // your screen sharing
	Rejoin       *RejoinOffer // the call was lost: join it again in one step
	selfSpeech   bool         // your microphone hears you speak
	nextBanner   int
}

// SupportChecked records OT.hasEndToEndEncryptionSupport(), and says
// whether to submit now: Join call was pressed before the app ran.
func (m *Model) SupportChecked(supported, firefox bool) (submit bool) {
	submit, m.JoinPending = m.JoinPending, false
	switch {
	case supported:
		m.Support = Supported
	case firefox:
		m.Support = NotSupportedFirefox
	default:
		m.Support = NotSupported
	}
	return submit
}

// JoinLabel is what the Join call button says.
func (m *Model) JoinLabel() string {
	switch {
	case m.Screen == ScreenJoining:
		return "Joining…"
	case m.JoinPending:
		return "Starting…"
	}
	return "Join call"
}

// CanJoin says whether Join call is usable.
func (m *Model) CanJoin() bool {
	return m.Support == Supported && m.Screen == ScreenJoin && len(m.Form.Problems()) == 0
}

// Submit is Join call pressed: every field's problem shows, and it says
// whether to join, with the trimmed request.
func (m *Model) Submit() (e2eecall.JoinRequest, bool) {
	m.Form.TouchAll()
	if !m.CanJoin() {
		return e2eecall.JoinRequest{}, false
	}
	return m.Form.Request(), true
}

// Joining records that the person asked to join room as name.
func (m *Model) Joining(room, name string) {
	m.Screen = ScreenJoining
	m.Room, m.Name = room, name
	m.Participants = nil
	m.Panel = ""
	m.selfSpeech = false
	m.SecretNotice = ""
	m.dropTransient()
}

// Joined records that the session connected.
func (m *Model) Joined() {
	m.Screen = ScreenCall
	m.Rejoin = nil
	m.NewSecret, m.Invite = "", ""
}

// ToggleMic mutes or unmutes, and says whether to publish audio.
func (m *Model) ToggleMic() bool {
	m.MicOff = !m.MicOff
	return !m.MicOff
}

// ToggleCamera turns the camera off or on, and says whether to publish video.
func (m *Model) ToggleCamera() bool {
	m.CameraOff = !m.CameraOff
	return !m.CameraOff
}

// TypeNewSecret records what is typed into the Change secret field.
func (m *Model) TypeNewSecret(secret string) { m.NewSecret = secret }

// NewSecretProblem says what is wrong with the new secret, once something is typed.
func (m *Model) NewSecretProblem() string {
	if m.NewSecret == "" {
		return ""
	}
	return SecretProblem(m.NewSecret)
}

// InviteLink records the invite link and whether it reached the clipboard.
func (m *Model) InviteLink(link string, copied bool) {
	if !copied {
		m.Invite = "Copy this link: " + link
		return
	}
	m.Invite = "Invite link copied: " + link + " (it carries the room, not the secret: tell people the secret another way)."
}

// Left records that the person left the call, or was put out of it.
func (m *Model) Left() {
	m.Screen = ScreenJoin
	m.Participants = nil
	m.Rejoin = nil
	m.ScreenStopped()
}

// StreamCreated adds a tile for a remote stream.
func (m *Model) StreamCreated(streamID, name string, hasAudio, hasVideo bool) {
	if m.find(streamID) >= 0 {
		return
	}
	if name == "" {
		name = "Someone"
	}
	m.Participants = append(m.Participants, Participant{StreamID: streamID, Name: name, MicOff: !hasAudio, CameraOff: !hasVideo})
}

// StreamDestroyed removes a stream's tile and the banners about it.
func (m *Model) StreamDestroyed(streamID string) {
	if i := m.find(streamID); i >= 0 {
		m.Participants = append(m.Participants[:i], m.Participants[i+1:]...)
	}
	m.removeBannersAbout(streamID)
}

// StreamPropertyChanged follows a remote microphone or camera going on or off.
func (m *Model) StreamPropertyChanged(streamID, property string, value bool) {
	i := m.find(streamID)
	if i < 0 {
		return
	}
	switch property {
	case "hasAudio":
		m.Participants[i].MicOff = !value
	case "hasVideo":
		m.Participants[i].CameraOff = !value
	}
}

// Mismatch records that a stream's media does not decrypt with our secret.
func (m *Model) Mismatch(streamID string) {
	i := m.find(streamID)
	if i < 0 {
		return
	}
	m.Participants[i].Status = StatusMismatch
	name := m.Participants[i].Name
	m.addAbout(streamID, ToneWarning, fmt.Sprintf("Can't decrypt %s's audio and video", name),
		fmt.Sprintf("Your encryption secret and %s's are different, so their media can't be decrypted: it is not your connection, camera or microphone. Agree on the secret with %s, then use Change secret.", name, name))
}

// Match records that a stream's media decrypts again after a mismatch.
func (m *Model) Match(streamID string) {
	i := m.find(streamID)
	if i < 0 {
		return
	}
	m.Participants[i].Status = StatusDecryptingAgain
	name := m.Participants[i].Name
	m.addAbout(streamID, ToneSuccess, fmt.Sprintf("%s's media is decrypted again", name),
		fmt.Sprintf("%s's audio and video are being decrypted with your secret.", name))
}

// SecretChanged records the result of setEncryptionSecret.
func (m *Model) SecretChanged(err *ot.Error) {
	if err != nil {
		m.SecretNotice = ""
		m.add(ToneError, "The new secret was not used", fmt.Sprintf("%s Your previous secret is still in use; use %s and try again.", sentence(err.Message), secretRange))
		return
	}
	m.NewSecret = ""
	m.SecretNotice = "Secret changed. Everyone in the call needs the same secret to see and hear each other."
}

// Step is what the app was doing when an error came.
type Step string

const (
	StepSession   Step = "session"   // asking our server for a session
	StepConnect   Step = "connect"   // session.connect
	StepPublish   Step = "publish"   // initPublisher and session.publish
	StepSubscribe Step = "subscribe" // session.subscribe
)

// Failed shows an error as a banner that says what happened and what to do.
// A failure to join goes back to the join screen.
func (m *Model) Failed(step Step, err ot.Error, about string) {
	title, text := explain(step, err, about)
	m.add(ToneError, title, text)
	if step == StepSession || step == StepConnect {
		m.Screen = ScreenJoin
	}
}

// reconnecting is what the banners about our own connection dropping are about.
const reconnecting = "reconnecting"

// Reconnecting records that our connection to the call dropped and OpenTok
// is bringing it back: nothing is lost, and nobody needs to do anything.
func (m *Model) Reconnecting() {
	m.addAbout(reconnecting, ToneWarning, "Reconnecting…",
		"The connection to the call dropped. You keep your place while it comes back; the others see your picture frozen meanwhile.")
}

// Reconnected records that the connection came back.
func (m *Model) Reconnected() {
	m.addAbout(reconnecting, ToneSuccess, "Reconnected", "You are back in the call.")
}

// Interrupted records that a participant's connection dropped; they may come back.
func (m *Model) Interrupted(streamID string, interrupted bool) {
	if i := m.find(streamID); i >= 0 {
		m.Participants[i].Interrupted = interrupted
	}
}

// Disconnected records that the session ended without the person leaving.
func (m *Model) Disconnected(reason string) {
	if m.Screen == ScreenJoin {
		return
	}
	room, name := m.Room, m.Name
	m.Left()
	m.removeBannersAbout(reconnecting)
	if reason == "clientDisconnected" {
		return
	}
	m.Rejoin = &RejoinOffer{Room: room, Name: name}
	m.add(ToneError, "You were disconnected from the call",
		"The connection to the call was lost (the network, or the server restarting). Check your connection, then select Rejoin to join again with the same name and secret.")
}

// Dismiss removes a banner.
func (m *Model) Dismiss(id int) {
	for i, b := range m.Banners {
		if b.ID == id {
			m.Banners = append(m.Banners[:i], m.Banners[i+1:]...)
			return
		}
	}
}

func (m *Model) find(streamID string) int {
	for i, p := range m.Participants {
		if p.StreamID == streamID {
			return i
		}
	}
	return -1
}

func (m *Model) add(tone Tone, title, text string) {
	m.nextBanner++
	m.Banners = append(m.Banners, Banner{ID: m.nextBanner, Tone: tone, Title: title, Text: text})
}

func (m *Model) addAbout(streamID string, tone Tone, title, text string) {
	m.removeBannersAbout(streamID)
	m.add(tone, title, text)
	m.Banners[len(m.Banners)-1].about = streamID
}

func (m *Model) removeBannersAbout(streamID string) {
	kept := m.Banners[:0]
	for _, b := range m.Banners {
		if b.about != streamID || streamID == "" {
			kept = append(kept, b)
		}
	}
	m.Banners = kept
}

// dropTransient clears the banners of a previous call when joining again.
func (m *Model) dropTransient() { m.Banners = nil }

func sentence(s string) string {
	if s == "" {
		return ""
	}
	if last := s[len(s)-1]; last != '.' && last != '!' && last != '?' {
		return s + "."
	}
	return s
}
