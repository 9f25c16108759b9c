package e2e

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// speakers are the 8 others in BenchmarkSpeakingOutline's call of 9.
var speakers = []string{"Ada", "Grace", "Linus", "Barbara", "Edsger", "Margaret", "Donald", "Frances"}

// levelListenersJS gives the watcher's page a switch for the speaking
// outline, window.__levels.outline(on), and counts what the feature does.
// It wraps the session's subscribe to keep every audioLevelUpdated handler
// the app gives a subscriber: off removes them, so that levels.js samples
// nothing and emits nothing, as for a subscriber nobody listens to; on
// adds the same handlers back. Both return how many handlers listen now.
// It counts the level events emitted (events) and the tiles' outline
// changes (changes), with the text of the tiles that gained (started) and
// lost (ended) their outline.
const levelListenersJS = `(() => {
  const levels = window.__levels = { subscribers: [], events: 0, changes: 0, started: new Set(), ended: new Set() };
  const watch = (subscriber) => {
    const on = subscriber.on.bind(subscriber), emit = subscriber.emit.bind(subscriber);
    const handlers = [];
    subscriber.on = (type, handler, context) => {
      if (type === 'audioLevelUpdated') handlers.push(handler);
      return on(type, handler, context);
    };
    subscriber.emit = (type, fields) => {
      if (type === 'audioLevelUpdated') levels.events++;
      return emit(type, fields);
    };
    levels.subscribers.push({ subscriber, handlers, on });
  };
  levels.outline = (enabled) => {
    for (const { subscriber, handlers, on } of levels.subscribers) {
      for (const h of handlers) enabled ? on('audioLevelUpdated', h) : subscriber.off('audioLevelUpdated', h);
    }
    return levels.subscribers.reduce((n, { subscriber }) => n + subscriber.listenerCount('audioLevelUpdated'), 0);
  };
  const observeTiles = () => new MutationObserver((records) => {
    for (const r of records) {
      const was = (r.oldValue ?? '').split(' ').includes('speaking'), is = r.target.classList.contains('speaking');
      if (!r.target.classList.contains('tile') || was === is) continue;
      levels.changes++;
      (is ? levels.started : levels.ended).add(r.target.innerText);
    }
  }).observe(document.body, { subtree: true, attributes: true, attributeFilter: ['class'], attributeOldValue: true });
  __e2e.onSession((session) => {
    const subscribe = session.subscribe.bind(session);
    session.subscribe = (...a) => { const s = subscribe(...a); watch(s); return s; };
    observeTiles();
  });
})()`

// speakJS loads our library into a page of the site and publishes as name
// to room, with the call's secret, its fake microphone and a camera turned
// off (publishVideo false, as the preview's toggle does): a speaker that
// subscribes to nobody, so that its browser does little else, and whose
// camera is a small canvas painted twice a second, not a fake camera at 30
// frames a second, for the same reason. Not
// audio only (videoSource null): the others' <video> element of a stream
// without video frames stays paused, so its audio is neither played nor
// measured (audioLevel 0, no outline); a disabled camera sends black
// frames, which start it. The fake microphone beeps twice a second; a gain
// gates it, 3 s on and 3 s off from a random start, so that each speaker
// starts and stops speaking (the outline holds 1.2 s past the last beep).
func speakJS(room, name string) string {
	return sessionJS + `(async () => {
  await import('/web/ot/ot.js');
  const answer = await session(` + jsString(room) + `, ` + jsString(name) + `);
  const mic = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks()[0];
  const audio = new AudioContext();
  const gain = audio.createGain();
  const out = audio.createMediaStreamDestination();
  audio.createMediaStreamSource(new MediaStream([mic])).connect(gain).connect(out);
  setTimeout(() => setInterval(() => { gain.gain.value = 1 - gain.gain.value; }, 3000), Math.random() * 3000);
  const canvas = Object.assign(document.createElement('canvas'), { width: 64, height: 48 });
  const paint = canvas.getContext('2d');
  setInterval(() => paint.fillRect(0, 0, 64, 48), 500);
  const call = OT.initSession(answer.apiKey, answer.sessionId, { encryptionSecret: 'correct horse battery' });
  await new Promise((resolve, reject) => call.connect(answer.token, (e) => e ? reject(e) : resolve()));
  const publisher = OT.initPublisher(document.body, { insertMode: 'append', name: ` + jsString(name) + `,
    publishVideo: false, audioSource: out.stream.getAudioTracks()[0], videoSource: canvas.captureStream(2).getVideoTracks()[0] });
  await new Promise((resolve, reject) => call.publish(publisher, (e) => e ? reject(e) : resolve()));
  return true;
})()`
}

// levelCounters is what levelListenersJS has counted so far.
type levelCounters struct{ Events, Changes float64 }

// outlineSample is the watcher browser's CPU time and the page's counters
// at one moment.
type outlineSample struct {
	at                time.Time
	renderers, others float64 // CPU seconds: the renderer processes, and every other process of the browser
	rendererCount     int
	events, changes   float64
}

func sampleWatcher(b *testing.B, watcher *person) outlineSample {
	s := outlineSample{at: time.Now()}
	for _, pid := range descendants(b, chromedp.FromContext(watcher.ctx).Browser.Process().Pid) {
		stat, ok := readStat(fmt.Sprintf("/proc/%d/stat", pid))
		if !ok {
			continue
		}
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if strings.Contains(string(cmdline), "--type=renderer") {
			s.renderers += stat.ticks / ticksPerSecond
			s.rendererCount++
		} else {
			s.others += stat.ticks / ticksPerSecond
		}
	}
	c := mustEvaluate[levelCounters](watcher.page, `({ events: __levels.events, changes: __levels.changes })`)
	s.events, s.changes = c.Events, c.Changes
	return s
}

// outlineTotals adds up the windows measured in one state of the outline.
type outlineTotals struct{ seconds, renderers, others, events, changes float64 }

func (t *outlineTotals) add(before, after outlineSample) {
	t.seconds += after.at.Sub(before.at).Seconds()
	t.renderers += after.renderers - before.renderers
	t.others += after.others - before.others
	t.events += after.events - before.events
	t.changes += after.changes - before.changes
}

// BenchmarkSpeakingOutline measures what the "who is speaking" outline
// costs one person in a call of 5: the watcher, in a Chromium of its own,
// joins through the app with the camera turned off in the preview; 4
// speakers (speakJS) join from two other Chromiums, whose CPU is not
// counted. It measures the CPU time of the watcher's renderer processes,
// where the page, its stats requests to WebRTC and the Go UI run, over
// windows of the same page with the outline on (as the app runs) and off
// (levelListenersJS's switch), in the order on, off, off, on, so that a
// drift over the run weighs on both alike. SPEAKING_PEOPLE sets the call's
// size (2 to 9 people, the watcher included): 9 headless Chromium pages
// overload a 2-core machine (load average over 40, the watcher stops
// answering pings), so the default is 5.
func BenchmarkSpeakingOutline(b *testing.B) {
	const window = 10 * time.Second
	srv := startServer(b)
	b.Cleanup(func() {
		if b.Failed() {
			b.Logf("the server logged:\n%s", srv.Logs())
		}
	})
	for i := 0; i < b.N; i++ {
		room := fmt.Sprintf("speaking-bench-%d", i)
		watcher := newPerson(b, newBrowser(b), "Watcher")
		watcher.addScriptBeforeLoad(levelListenersJS)
		watcher.open(srv.URL + "/?room=" + room)
		watcher.waitFor(appReady, joinTimeout)
		watcher.click("Turn camera off")
		watcher.waitForText("Your camera is off", 5*time.Second)
		watcher.joinFromHere("correct horse battery")

		speakerBrowsers := []*browser{newBrowser(b), newBrowser(b)}
		speakers := speakers[:speakerCount(b)]
		for n, name := range speakers {
			p := speakerBrowsers[n%2].newPage(b)
			p.open(srv.URL + "/robots.txt") // the site's origin, without the app
			mustEvaluate[bool](p, speakJS(room, name))
			// one at a time: on a busy machine, offers for several new
			// subscriptions at once may wait past the server's 10 s
			watcher.waitFor(fmt.Sprintf(`__levels.subscribers.length === %d`, n+1), joinTimeout, "the watcher subscribes to "+name)
		}

		// What makes the measurement the outline's: 8 subscribers with the
		// app's level handler, whose outlines come and go.
		names := make([]string, len(speakers))
		for n, name := range speakers {
			names[n] = jsString(name)
		}
		watcher.waitFor(`__levels.subscribers.length === `+strconv.Itoa(len(speakers))+` && __levels.subscribers.every(({ handlers }) => handlers.length === 1) && [`+strings.Join(names, ", ")+`].every((n) =>
			[...__levels.started].some((t) => t.includes(n)) && [...__levels.ended].some((t) => t.includes(n)))`,
			60*time.Second, "the watcher sees each speaker start and stop speaking")
		b.Logf("load average before: %s", loadAverage(b))

		var on, off outlineTotals
		enabled := true
		for _, want := range []bool{true, false, false, true} {
			if want != enabled {
				listening := mustEvaluate[int](watcher.page, fmt.Sprintf(`__levels.outline(%t)`, want))
				require.Equal(b, map[bool]int{true: len(speakers), false: 0}[want], listening, "audioLevelUpdated handlers with the outline on: %t", want)
				enabled = want
				time.Sleep(time.Second) // a stats request in flight ends
			}
			before := sampleWatcher(b, watcher)
			time.Sleep(window)
			after := sampleWatcher(b, watcher)
			if enabled {
				on.add(before, after)
			} else {
				off.add(before, after)
			}
			if after.rendererCount != before.rendererCount {
				b.Logf("the watcher's renderers went from %d to %d", before.rendererCount, after.rendererCount)
			}
		}
		b.Logf("load average after: %s", loadAverage(b))
		b.Logf("on: %+v; off: %+v", on, off)
		b.Logf("the watcher's other processes (browser, GPU, audio, network): %.1f%% of a core on, %.1f%% off",
			100*on.others/on.seconds, 100*off.others/off.seconds)
		require.Zero(b, off.events, "no level event with the outline off")
		require.Positive(b, on.changes, "outlines change with the outline on")

		b.ReportMetric(100*on.renderers/on.seconds, "%core-outline-on")
		b.ReportMetric(100*off.renderers/off.seconds, "%core-outline-off")
		b.ReportMetric(100*(on.renderers/on.seconds-off.renderers/off.seconds), "%core-outline")
		b.ReportMetric(on.events/on.seconds, "level-events/s")
		b.ReportMetric(on.changes/on.seconds, "outline-changes/s")
	}
}

// speakerCount is how many speakers BenchmarkSpeakingOutline's watcher
// hears: SPEAKING_PEOPLE less the watcher, 4 unless said.
func speakerCount(b *testing.B) int {
	people, err := strconv.Atoi(os.Getenv("SPEAKING_PEOPLE"))
	if err != nil {
		return 4
	}
	require.True(b, people >= 2 && people <= len(speakers)+1, "SPEAKING_PEOPLE from 2 to %d", len(speakers)+1)
	return people - 1
}

// loadAverage is the machine's load average over 1, 5 and 15 minutes.
func loadAverage(b *testing.B) string {
	raw, err := os.ReadFile("/proc/loadavg")
	require.NoError(b, err)
	return strings.Join(strings.Fields(string(raw))[:3], " ")
}
