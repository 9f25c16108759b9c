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

func TestSpeechStartsOnALoudSampleAndNotOnTheKeepLevel(t *testing.T) {
	start := time.Unix(1000, 0)
	var quiet SpeechDetector
	assert.Equal(t, []bool{false, false, false, false}, levels(&quiet, start, 200*time.Millisecond, 0.01, 0.07, 0.09, 0.06),
		"a room's noise below the start level is not speech")
	var voice SpeechDetector
	assert.Equal(t, []bool{false, true, true}, levels(&voice, start, 200*time.Millisecond, 0.01, 0.3, 0.2))
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
	// What the decrypted audio's level reads with a beep every 500 ms: a
	// peak, then WebRTC's decay by 4 every ~110 ms. Sampled every 200 ms, at
	// every phase, the outline comes with the first beep and stays on.
	beep := func(at time.Duration) float64 {
		windows := (at % (500 * time.Millisecond)) / (110 * time.Millisecond)
		return 1 / float64(int(1)<<(2*int(windows)))
	}
	for phase := time.Duration(0); phase < 500*time.Millisecond; phase += 20 * time.Millisecond {
		var d SpeechDetector
		start := time.Unix(1000, 0)
		for i := range 30 {
			at := phase + time.Duration(i)*200*time.Millisecond
			on, _ := d.Update(beep(at), start.Add(at))
			if i >= 3 {
				assert.True(t, on, "phase %v, sample %d: the outline stays between beeps", phase, i)
			}
		}
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
