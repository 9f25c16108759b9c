package ui

import (
	"strconv"

	"e2eecall/app/ot"
)

// MediaState is where the camera and microphone are: asked for, or settled.
type MediaState int

const (
	MediaIdle     MediaState = iota // not asked for yet
	MediaStarting                   // asking the browser
	MediaReady                      // settled: what we have is in HasMic and HasCamera
)

// Media is your camera and microphone: the preview on the join screen,
// then what you send in the call (the same publisher), and the devices to
// pick from.
type Media struct {
	State     MediaState
	HasMic    bool
	HasCamera bool
	// Problem says why a device is missing and what to do; empty when both work.
	ProblemTitle, ProblemText string

	Cameras, Mics, Speakers []ot.Device
	Camera, Mic, Speaker    string // the device ids in use ("" until known)
	CanPickSpeaker          bool   // the browser lets a page choose the speaker
}

// PreviewStarting records that the camera and microphone are being asked for.
func (m *Model) PreviewStarting() {
	m.Media.State = MediaStarting
	m.Media.ProblemTitle, m.Media.ProblemText = "", ""
}

// PreviewStarted records what the browser gave: a microphone, a camera,
// both or neither, and the error of the first try when something is
// missing. What is missing stays off in the call: OpenTok publishes
// audio-only or video-only, and with neither you join to watch and listen.
func (m *Model) PreviewStarted(hasMic, hasCamera bool, err *ot.Error) {
	m.Media.State = MediaReady
	m.Media.HasMic, m.Media.HasCamera = hasMic, hasCamera
	m.Media.ProblemTitle, m.Media.ProblemText = "", ""
	if hasMic && hasCamera {
		return
	}
	missing, is := "camera and microphone", " are"
	switch {
	case hasMic:
		missing, is = "camera", " is"
	case hasCamera:
		missing, is = "microphone", " is"
	}
	name := ""
	if err != nil {
		name = err.Name
	}
	switch name {
	case "OT_NO_DEVICES_FOUND":
		m.Media.ProblemTitle = "No " + missing + " found"
	case "OT_HARDWARE_UNAVAILABLE":
		m.Media.ProblemTitle = "Your " + missing + is + " in use by another application"
	case "OT_USER_MEDIA_ACCESS_DENIED":
		m.Media.ProblemTitle = "Your " + missing + is + " blocked"
	default:
		m.Media.ProblemTitle = "Your " + missing + " could not be started"
	}
	fix := "Allow the " + missing + " for this site (the icon in the address bar), then select Try again."
	switch name {
	case "OT_NO_DEVICES_FOUND":
		fix = "Connect one, then select Try again."
	case "OT_HARDWARE_UNAVAILABLE":
		fix = "Close the other application, then select Try again."
	}
	switch {
	case hasMic:
		m.Media.ProblemText = "You can join with your microphone only. " + fix
	case hasCamera:
		m.Media.ProblemText = "You can join with your camera only: the others will see you but not hear you. " + fix
	default:
		m.Media.ProblemText = "You can still join to watch and listen; nobody will see or hear you. " + fix
	}
}

// MicUsable says whether there is a microphone to mute or unmute.
func (m *Model) MicUsable() bool { return m.Media.HasMic }

// CameraUsable says whether there is a camera to turn on or off.
func (m *Model) CameraUsable() bool { return m.Media.HasCamera }

// SendsAudio and SendsVideo say what your tile's flags show.
func (m *Model) SendsAudio() bool { return m.Media.HasMic && !m.MicOff }
func (m *Model) SendsVideo() bool { return m.Media.HasCamera && !m.CameraOff }

// DevicesListed records OT.getDevices() (and OT.getAudioOutputDevices()
// where the browser has it) and the devices in use.
func (m *Model) DevicesListed(inputs, outputs []ot.Device, camera, mic string, canPickSpeaker bool) {
	md := &m.Media
	md.Cameras, md.Mics = nil, nil
	for _, d := range inputs {
		switch d.Kind {
		case ot.VideoInput:
			md.Cameras = append(md.Cameras, d)
		case ot.AudioInput:
			md.Mics = append(md.Mics, d)
		}
	}
	md.Speakers = outputs
	md.CanPickSpeaker = canPickSpeaker && len(outputs) > 0
	if camera != "" {
		md.Camera = camera
	}
	if mic != "" {
		md.Mic = mic
	}
	if md.Speaker == "" || !hasDevice(outputs, md.Speaker) {
		md.Speaker = ""
		if len(outputs) > 0 {
			md.Speaker = outputs[0].DeviceID
		}
	}
}

// PickDevice records the device picked for a kind (ot.VideoInput,
// ot.AudioInput or ot.AudioOutput).
func (m *Model) PickDevice(kind, deviceID string) {
	switch kind {
	case ot.VideoInput:
		m.Media.Camera = deviceID
	case ot.AudioInput:
		m.Media.Mic = deviceID
	case ot.AudioOutput:
		m.Media.Speaker = deviceID
	}
}

// DeviceFailed shows why a device could not be switched to.
func (m *Model) DeviceFailed(err ot.Error) {
	m.add(ToneError, "That device could not be used", sentence(err.Message)+" The previous one is still in use; pick another or try again.")
}

// TogglePanel opens a panel of the call ("devices" or "secret"), or closes it.
func (m *Model) TogglePanel(name string) {
	if m.Panel == name {
		m.Panel = ""
		return
	}
	m.Panel = name
}

// DeviceLabel is what a picker shows for a device: its label, or its
// position before the person has allowed devices (labels are empty then).
func DeviceLabel(kind string, d ot.Device, i int) string {
	if d.Label != "" {
		return d.Label
	}
	switch kind {
	case ot.VideoInput:
		return "Camera " + strconv.Itoa(i+1)
	case ot.AudioInput:
		return "Microphone " + strconv.Itoa(i+1)
	}
	return "Speaker " + strconv.Itoa(i+1)
}

func hasDevice(devices []ot.Device, id string) bool {
	for _, d := range devices {
		if d.DeviceID == id {
			return true
		}
	}
	return false
}
