package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"e2eecall/app/ot"
)

func TestPreviewSaysWhatIsMissingAndWhatToDo(t *testing.T) {
	tests := []struct {
		name           string
		mic, camera    bool
		err            string
		title, wantIn  string
		sendsA, sendsV bool
	}{
		{"both work", true, true, "", "", "", true, true},
		{"camera blocked", true, false, "OT_USER_MEDIA_ACCESS_DENIED", "Your camera is blocked", "You can join with your microphone only. Allow the camera for this site", true, false},
		{"nothing allowed", false, false, "OT_USER_MEDIA_ACCESS_DENIED", "Your camera and microphone are blocked", "You can still join to watch and listen", false, false},
		{"no devices", false, false, "OT_NO_DEVICES_FOUND", "No camera and microphone found", "Connect one, then select Try again.", false, false},
		{"camera busy", true, false, "OT_HARDWARE_UNAVAILABLE", "Your camera is in use by another application", "Close the other application", true, false},
		{"no microphone", false, true, "OT_NO_DEVICES_FOUND", "No microphone found", "see you but not hear you", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var m Model
			m.PreviewStarting()
			assert.Equal(t, MediaStarting, m.Media.State)
			var err *ot.Error
			if tt.err != "" {
				err = &ot.Error{Name: tt.err}
			}
			m.PreviewStarted(tt.mic, tt.camera, err)
			assert.Equal(t, MediaReady, m.Media.State)
			assert.Equal(t, tt.title, m.Media.ProblemTitle)
			assert.Contains(t, m.Media.ProblemText, tt.wantIn)
			assert.Equal(t, tt.sendsA, m.SendsAudio())
			assert.Equal(t, tt.sendsV, m.SendsVideo())
		})
	}
}

func TestTogglesInThePreviewCarryIntoTheCall(t *testing.T) {
	var m Model
	m.PreviewStarted(true, true, nil)
	assert.False(t, m.ToggleCamera(), "the camera goes off")
	m.Joining("room", "Ada")
	m.Joined()
	assert.True(t, m.CameraOff, "joining keeps what the preview showed")
	assert.False(t, m.SendsVideo())
	assert.True(t, m.SendsAudio())
}

func TestDevicesListedSplitsKindsAndKeepsTheChoice(t *testing.T) {
	var m Model
	inputs := []ot.Device{
		{Kind: ot.AudioInput, DeviceID: "default", Label: "Default"},
		{Kind: ot.VideoInput, DeviceID: "cam1", Label: ""},
		{Kind: ot.VideoInput, DeviceID: "cam2", Label: "USB camera"},
	}
	outputs := []ot.Device{{Kind: ot.AudioOutput, DeviceID: "spk1", Label: "Speakers"}}
	m.DevicesListed(inputs, outputs, "cam2", "default", true)
	assert.Len(t, m.Media.Cameras, 2)
	assert.Len(t, m.Media.Mics, 1)
	assert.Equal(t, "cam2", m.Media.Camera)
	assert.Equal(t, "spk1", m.Media.Speaker, "the first speaker until one is picked")
	assert.True(t, m.Media.CanPickSpeaker)
	assert.Equal(t, "Camera 1", DeviceLabel(ot.VideoInput, m.Media.Cameras[0], 0), "an unlabelled device is named by its place")

	m.PickDevice(ot.VideoInput, "cam1")
	m.DevicesListed(inputs, nil, "", "", false)
	assert.Equal(t, "cam1", m.Media.Camera, "a list without a current camera keeps the pick")
	assert.False(t, m.Media.CanPickSpeaker, "no speaker picker where the browser can't choose")
}

func TestPanelsOpenOneAtATime(t *testing.T) {
	var m Model
	m.TogglePanel("devices")
	assert.Equal(t, "devices", m.Panel)
	m.TogglePanel("secret")
	assert.Equal(t, "secret", m.Panel)
	m.TogglePanel("secret")
	assert.Empty(t, m.Panel)
}
