package ui

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// levels feeds the detector one level every step from start and returns
// whether it says speaking after each.
func levels(d *SpeechDetector, start time.Time, step time.Duration, values ...float64) []bool {
	out := make([]bool, len(values))
	for i, v := range values {
		out[i], _ = d.Update(v, start.Add(time.Duration(i)*step))
	}
	return out
}

func TestSpeechStartsOnTwoLoudSamplesAndNotOnOneClick(t *testing.T) {
	start := time.Unix(1000, 0)
	var click SpeechDetector
	assert.Equal(t, []bool{false, false, false, false, false, false, false, false},
		levels(&click, start, 100*time.Millisecond, 0.9, 0, 0, 0, 0, 0, 0.9, 0), "loud samples 600 ms apart are clicks")

	var voice SpeechDetector
	assert.Equal(t, []bool{false, false, true, true}, levels(&voice, start, 100*time.Millisecond, 0.01, 0.3, 0.2, 0.3))
}

func TestSpeechRidesOutPausesAndEndsAfterTheHold(t *testing.T) {
	start := time.Unix(1000, 0)
	var d SpeechDetector
	levels(&d, start, 100*time.Millisecond, 0.5, 0.5)
	at := start.Add(100 * time.Millisecond)

	on, changed := d.Update(0.06, at.Add(time.Second))
	assert.True(t, on, "a quieter level within the hold keeps it")
	assert.False(t, changed)
	on, _ = d.Update(0.01, at.Add(time.Second+speechHold))
	assert.True(t, on, "a pause shorter than the hold keeps it")
	on, changed = d.Update(0.01, at.Add(time.Second+speechHold+200*time.Millisecond))
	assert.False(t, on, "quiet for longer than the hold ends it")
	assert.True(t, changed)
	on, _ = d.Update(0.07, at.Add(3*time.Second))
	assert.False(t, on, "the keep level does not start it again")
}

func TestTheBeepOfChromiumsFakeMicrophoneIsSpeech(t *testing.T) {
	// What the decrypted audio's level reads every 100 ms with a beep every
	// 500 ms: a peak, then WebRTC's decay by 4 every ~110 ms.
	start := time.Unix(1000, 0)
	var d SpeechDetector
	beeps := []float64{}
	for range 6 {
		beeps = append(beeps, 1, 0.25, 0.0625, 0.0156, 0.0039)
	}
	said := levels(&d, start, 100*time.Millisecond, beeps...)
	assert.Equal(t, []bool{false, true}, said[:2])
	for i, on := range said[1:] {
		assert.True(t, on, "sample %d: the outline does not flicker between beeps", i+1)
	}
}

func TestMutedSpeechIsAWarningNotAnOutline(t *testing.T) {
	var m Model
	m.Joining("room", "Ada")
	m.Joined()
	m.StreamCreated("s1", "Grace", true, true)
	m.Speaking("s1", true)
	assert.True(t, m.Participants[0].Speaking)
	m.Speaking("gone", true) // a stream that left meanwhile: nothing happens

	m.SelfSpeech(true)
	assert.True(t, m.SelfSpeaking())
	assert.False(t, m.MutedWarning())
	m.ToggleMic()
	assert.False(t, m.SelfSpeaking(), "muted: nobody hears you, so no outline")
	assert.True(t, m.MutedWarning(), "and you are told")
	m.SelfSpeech(false)
	assert.False(t, m.MutedWarning())
}
