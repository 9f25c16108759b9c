package ui

import (
	"e2eecall/app/ot"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSecretLengthCountsAsJavaScriptDoes(t *testing.T) {
	tests := []struct {
		secret  string
		length  int
		problem string
	}{
		{"", 0, "Enter a secret"},
		{strings.Repeat("a", 7), 7, "at least 8"},
		{strings.Repeat("a", 8), 8, ""},
		{strings.Repeat("a", 256), 256, ""},
		{strings.Repeat("a", 257), 257, "at most 256"},
		{"é" + strings.Repeat("a", 6), 7, "at least 8"}, // é is one UTF-16 unit though two UTF-8 bytes
		{"🔑🔑🔑🔑", 8, ""},                                 // outside the BMP: two units each
		{"🔑🔑🔑", 6, "at least 8"},
		{strings.Repeat("🔑", 128), 256, ""},
		{strings.Repeat("🔑", 129), 258, "at most 256"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.length, SecretLength(tt.secret), "%q", tt.secret)
		if tt.problem == "" {
			assert.Empty(t, SecretProblem(tt.secret), "%q", tt.secret)
		} else {
			assert.Contains(t, SecretProblem(tt.secret), tt.problem, "%q", tt.secret)
		}
	}
}

func TestJoinAndStreams(t *testing.T) {
	var m Model
	m.Joining("blue-lake", "Ada")
	assert.Equal(t, ScreenJoining, m.Screen)
	m.Joined()
	assert.Equal(t, ScreenCall, m.Screen)

	m.StreamCreated("s1", "Grace", true, false)
	m.StreamCreated("s1", "Grace", true, false) // the same stream twice is one tile
	m.StreamCreated("s2", "", true, true)
	require.Len(t, m.Participants, 2)
	assert.Equal(t, Participant{StreamID: "s1", Name: "Grace", CameraOff: true}, m.Participants[0])
	assert.Equal(t, "Someone", m.Participants[1].Name)

	m.StreamPropertyChanged("s1", "hasAudio", false)
	m.StreamPropertyChanged("s1", "hasVideo", true)
	assert.True(t, m.Participants[0].MicOff)
	assert.False(t, m.Participants[0].CameraOff)

	m.StreamDestroyed("s1")
	require.Len(t, m.Participants, 1)
	assert.Equal(t, "s2", m.Participants[0].StreamID)
}

func TestMismatchThenMatchPerParticipant(t *testing.T) {
	var m Model
	m.Joining("r", "Ada")
	m.Joined()
	m.StreamCreated("s1", "Grace", true, true)
	m.StreamCreated("s2", "Linus", true, true)

	m.Mismatch("s1")
	assert.Equal(t, StatusMismatch, m.Participants[0].Status)
	assert.Equal(t, StatusEncrypted, m.Participants[1].Status, "only Grace's tile changes")
	require.Len(t, m.Banners, 1)
	b := m.Banners[0]
	assert.Equal(t, ToneWarning, b.Tone)
	assert.Contains(t, b.Title, "Grace")
	assert.Contains(t, b.Text, "secret")
	assert.Contains(t, b.Text, "not your connection, camera or microphone")
	assert.Equal(t, "Can't decrypt: secret mismatch", m.Participants[0].Status.String())

	m.Match("s1")
	assert.Equal(t, StatusDecryptingAgain, m.Participants[0].Status)
	assert.Equal(t, "Decrypting again", m.Participants[0].Status.String())
	require.Len(t, m.Banners, 1, "the match banner replaces Grace's mismatch banner")
	assert.Contains(t, m.Banners[0].Text, "Grace's audio and video are being decrypted with your secret")

	m.Mismatch("s2")
	require.Len(t, m.Banners, 2, "Linus gets his own banner")

	m.StreamDestroyed("s2")
	require.Len(t, m.Banners, 1, "a participant who leaves takes their banner along")
	m.Dismiss(m.Banners[0].ID)
	assert.Empty(t, m.Banners)

	m.Mismatch("unknown")
	assert.Empty(t, m.Banners, "events for streams we do not show are ignored")
}

func TestErrorsSayWhatToDo(t *testing.T) {
	tests := []struct {
		step             Step
		err              ot.Error
		title, text      string
		backToJoinScreen bool
	}{
		{StepConnect, ot.Error{Name: "OT_INVALID_ENCRYPTION_SECRET", Code: 1006, Message: "Invalid encryptionSecret: secret must have at least 8 characters"}, "secret was refused", "8 to 256", true},
		{StepConnect, ot.Error{Name: "OT_UNSUPPORTED_BROWSER", Code: 1006}, "can't do end-to-end encrypted video", "Chrome, Edge or Safari", true},
		{StepConnect, ot.Error{Name: "OT_AUTHENTICATION_ERROR", Code: 1004}, "did not accept", "Join call", true},
		{StepConnect, ot.Error{Name: "OT_CONNECT_FAILED", Code: 1006, Message: "Could not connect"}, "Could not join", "Check your connection", true},
		{StepSession, ot.Error{Message: "This server is hosting as many calls as it can right now; try again in a few minutes."}, "Could not set up the call", "try again", true},
		{StepPublish, ot.Error{Name: "OT_USER_MEDIA_ACCESS_DENIED", Code: 1500}, "camera or microphone is blocked", "Allow the camera and microphone", false},
		{StepPublish, ot.Error{Name: "OT_STREAM_CREATE_FAILED", Code: 1500, Message: "IncompatibleEncryptionSettings: Tried to publish"}, "could not be sent", "encryption secret", false},
		{StepSubscribe, ot.Error{Name: "OT_UNABLE_TO_SUBSCRIBE", Code: 1501, Message: "Tried to subscribe to an encrypted stream without enabling encryption"}, "Grace", "Leave and join again", false},
	}
	for _, tt := range tests {
		t.Run(tt.err.Name+string(tt.step), func(t *testing.T) {
			var m Model
			m.Joining("r", "Ada")
			if !tt.backToJoinScreen {
				m.Joined()
			}
			m.Failed(tt.step, tt.err, "Grace")
			require.Len(t, m.Banners, 1)
			assert.Equal(t, ToneError, m.Banners[0].Tone)
			assert.Contains(t, m.Banners[0].Title, tt.title)
			assert.Contains(t, m.Banners[0].Text, tt.text)
			if tt.backToJoinScreen {
				assert.Equal(t, ScreenJoin, m.Screen)
			} else {
				assert.Equal(t, ScreenCall, m.Screen, "the call goes on")
			}
		})
	}
}

func TestSecretChangeResult(t *testing.T) {
	var m Model
	m.SecretChanged(&ot.Error{Name: "OT_INVALID_ENCRYPTION_SECRET", Message: "setEncryptionSecret: secret must have at least 8 characters"})
	require.Len(t, m.Banners, 1)
	assert.Contains(t, m.Banners[0].Text, "previous secret is still in use")
	m.SecretChanged(nil)
	assert.Contains(t, m.SecretNotice, "Secret changed")
}

func TestDisconnectedThenRejoin(t *testing.T) {
	var m Model
	m.Joining("r", "Ada")
	m.Joined()
	m.StreamCreated("s1", "Grace", true, true)
	m.Disconnected("networkDisconnected")
	assert.Equal(t, ScreenJoin, m.Screen)
	assert.Empty(t, m.Participants)
	require.Len(t, m.Banners, 1)
	assert.Contains(t, m.Banners[0].Title, "disconnected")
	assert.Contains(t, m.Banners[0].Text, "join again")

	m.Joining("r", "Ada")
	assert.Empty(t, m.Banners, "joining again starts clean")
	m.Joined()
	m.Left()
	m.Disconnected("clientDisconnected")
	assert.Empty(t, m.Banners, "leaving on purpose is not an error")
}

func TestFieldProblemsComeFromTheSharedRulesAndShowOnceTouched(t *testing.T) {
	var m Model
	m.Form.Type("name", "  ")
	m.Form.Type("room", "a/b")
	assert.Contains(t, m.Form.Shown("name"), "Enter your name")
	assert.Contains(t, m.Form.Shown("room"), "letters")
	assert.Empty(t, m.Form.Shown("secret"), "not typed into yet")
	assert.Contains(t, m.Form.Problems()["secret"], "Enter a secret of 8 to 256 characters")

	_, ok := m.Submit()
	assert.False(t, ok)
	assert.Contains(t, m.Form.Shown("secret"), "8 to 256", "Join shows every field's problem")

	m.Form.Type("name", " Ada ")
	m.Form.Type("room", "blue-lake")
	m.Form.Type("secret", "correct horse")
	assert.Empty(t, m.Form.Problems())
	assert.False(t, m.CanJoin(), "not before the support check has passed")
	m.SupportChecked(true, false)
	req, ok := m.Submit()
	require.True(t, ok)
	assert.Equal(t, "Ada", req.Name, "trimmed")
}

func TestUnsupportedBrowsersAreTold(t *testing.T) {
	var m Model
	m.SupportChecked(false, true)
	assert.Equal(t, NotSupportedFirefox, m.Support)
	m.SupportChecked(false, false)
	assert.Equal(t, NotSupported, m.Support)
	assert.False(t, m.CanJoin())
}

func TestTogglesSayWhatToPublish(t *testing.T) {
	var m Model
	assert.False(t, m.ToggleMic(), "muted: publish no audio")
	assert.True(t, m.MicOff)
	assert.True(t, m.ToggleMic())
	assert.False(t, m.ToggleCamera())
	assert.True(t, m.CameraOff)
}

func TestNewSecretAndInviteAreClearedByTheirOutcome(t *testing.T) {
	var m Model
	m.Joining("r", "Ada")
	m.Joined()
	m.TypeNewSecret("short")
	assert.Contains(t, m.NewSecretProblem(), "at least 8")
	m.TypeNewSecret("a good long secret")
	assert.Empty(t, m.NewSecretProblem())
	m.SecretChanged(&ot.Error{Name: "OT_INVALID_ENCRYPTION_SECRET", Message: "no"})
	assert.Equal(t, "a good long secret", m.NewSecret, "kept to correct after a refusal")
	m.SecretChanged(nil)
	assert.Empty(t, m.NewSecret, "cleared once in use")

	m.InviteLink("http://x/?room=r", false)
	assert.Equal(t, "Copy this link: http://x/?room=r", m.Invite)
	m.InviteLink("http://x/?room=r", true)
	assert.Contains(t, m.Invite, "not the secret")
	m.Joined()
	assert.Empty(t, m.Invite, "a new call starts without it")
}

func TestReconnectingThenReconnected(t *testing.T) {
	var m Model
	m.Joining("r", "Grace")
	m.Joined()
	m.StreamCreated("s1", "Ada", true, true)
	m.Interrupted("s1", true)
	assert.True(t, m.Participants[0].Interrupted)
	m.Reconnecting()
	m.Reconnecting()
	require.Len(t, m.Banners, 1, "one banner however often it drops")
	assert.Equal(t, "Reconnecting…", m.Banners[0].Title)
	m.Reconnected()
	require.Len(t, m.Banners, 1, "Reconnected replaces Reconnecting")
	assert.Equal(t, "Reconnected", m.Banners[0].Title)
	m.Interrupted("s1", false)
	assert.False(t, m.Participants[0].Interrupted)

	m.Reconnecting()
	m.Disconnected("networkDisconnected")
	require.Len(t, m.Banners, 1)
	assert.Equal(t, "You were disconnected from the call", m.Banners[0].Title, "no Reconnecting left behind")
}
