package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

// The browser benchmarks: make bench runs each once per -count and prints
// their medians in one table (tools/benchtable). They measure; they never
// pass or fail on time.

func BenchmarkColdLoadToInteractiveJoinForm(b *testing.B) {
	srv := startServer(b)
	for i := 0; i < b.N; i++ {
		p := newBrowser(b).newPage(b) // a fresh profile: nothing cached
		p.open(srv.URL)
		ms := mustEvaluate[float64](p, `__e2e.until(() => !document.getElementById('app-wasm-loader')).then(() => performance.now())`)
		b.ReportMetric(ms, "ms-cold-load")
	}
}

func BenchmarkJoinToFirstRemoteFrame(b *testing.B) {
	srv := startServer(b)
	for i := 0; i < b.N; i++ {
		br := newBrowser(b)
		ada, grace := newPerson(b, br, "Ada"), newPerson(b, br, "Grace")
		room := fmt.Sprintf("join-%d", i)
		ada.join(srv.URL, room, "correct horse battery")
		grace.open(srv.URL + "/?room=" + room)
		grace.waitFor(`!document.getElementById('app-wasm-loader')`, joinTimeout)
		grace.fill("Your name", "Grace")
		grace.fill("Encryption secret", "correct horse battery")
		grace.waitFor(`!__e2e.button('Join call').disabled`, 10*time.Second)
		ms := mustEvaluate[float64](grace.page, `(() => { const t0 = Date.now(); __e2e.button('Join call').click();
			return __e2e.until(() => __e2e.framesOf('Ada') > 0).then((t) => t - t0); })()`)
		b.ReportMetric(ms, "ms-join-to-frame")
	}
}

func BenchmarkSecretChangeAndRestore(b *testing.B) {
	srv := startServer(b)
	for i := 0; i < b.N; i++ {
		ada, grace := twoInACall(b, srv, fmt.Sprintf("change-%d", i))
		grace.openSecretPanel()
		grace.fill("New encryption secret", "a different secret")
		grace.waitFor(`!__e2e.button('Change secret').disabled`, 5*time.Second)
		t0 := mustEvaluate[float64](grace.page, `(() => { const t = Date.now(); __e2e.button('Change secret').click(); return t; })()`)
		mismatch := mustEvaluate[float64](ada.page, `__e2e.until(() => __e2e.banner('Grace', 'decrypt'))`)
		b.ReportMetric(mismatch-t0, "ms-change-to-mismatch")

		frames := ada.framesOf("Grace")
		grace.fill("New encryption secret", "correct horse battery")
		grace.waitFor(`!__e2e.button('Change secret').disabled`, 5*time.Second)
		t1 := mustEvaluate[float64](grace.page, `(() => { const t = Date.now(); __e2e.button('Change secret').click(); return t; })()`)
		match := mustEvaluate[float64](ada.page, `__e2e.until(() => __e2e.banner('Grace', 'decrypted with your secret'))`)
		frame := mustEvaluate[float64](ada.page, `__e2e.until(() => __e2e.framesOf('Grace') > `+strconv.Itoa(frames)+`)`)
		b.ReportMetric(match-t1, "ms-restore-to-match")
		b.ReportMetric(frame-t1, "ms-restore-to-frame")
	}
}

// peerConnectionsJS keeps every RTCPeerConnection a page makes, for
// getStats. Both calls of the benchmark below run it.
const peerConnectionsJS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) { super(...args); window.__pcs.push(this); }
  };
})();`

// noTransformJS switches frame transforms off: assigning sender.transform
// or receiver.transform does nothing, and createEncodedStreams (the
// library's fallback) gives streams no frame passes through. The library
// believes it encrypts; its frames go out and come in as plain VP8 and Opus.
const noTransformJS = `(() => {
  for (const proto of [RTCRtpSender.prototype, RTCRtpReceiver.prototype]) {
    Object.defineProperty(proto, 'transform', { configurable: true, get() { return null; }, set() {} });
    proto.createEncodedStreams = () => { const { readable, writable } = new TransformStream(); return { readable, writable }; };
  }
})();`

// callStatsJS sums the page's video counters: inbound-rtp of what it
// receives, outbound-rtp of what it sends, and the encryption worker's.
const callStatsJS = `(async () => {
  const s = { encoded: 0, decoded: 0, dropped: 0, freezes: 0, plis: 0, limited: {}, reasons: [] };
  for (const pc of window.__pcs) {
    (await pc.getStats()).forEach((r) => {
      if (r.kind !== 'video') return;
      if (r.type === 'inbound-rtp') {
        s.decoded += r.framesDecoded ?? 0; s.dropped += r.framesDropped ?? 0;
        s.freezes += r.freezeCount ?? 0; s.plis += r.pliCount ?? 0;
      }
      if (r.type === 'outbound-rtp') {
        s.encoded += r.framesEncoded ?? 0;
        s.reasons.push(r.qualityLimitationReason);
        for (const [k, v] of Object.entries(r.qualityLimitationDurations ?? {})) s.limited[k] = (s.limited[k] ?? 0) + v;
      }
    });
  }
  s.worker = (await OT._encryptionStats())[0];
  return JSON.stringify(s);
})()`

// callStats is callStatsJS's answer, summed over a call's tabs, with the
// CPU time of the call's browser.
type callStats struct {
	at                                       time.Time
	cpuSeconds, workerSeconds                float64
	Encoded, Decoded, Dropped, Freezes, PLIs float64
	Limited                                  map[string]float64 // seconds senders spent per qualityLimitationReason
	Reasons                                  []string           // each sender's qualityLimitationReason now
	Worker                                   struct {
		Encrypt struct{ Frames, Micros float64 }
		Decrypt struct{ Frames, Micros, Failed float64 }
	}
}

// sampleCall reads the counters of both tabs of a call in one browser.
func sampleCall(b *testing.B, people ...*person) callStats {
	total := callStats{at: time.Now(), Limited: map[string]float64{}}
	total.cpuSeconds, total.workerSeconds = cpuSeconds(b, chromedp.FromContext(people[0].ctx).Browser.Process().Pid)
	for _, p := range people {
		var s callStats
		require.NoError(b, json.Unmarshal([]byte(mustEvaluate[string](p.page, callStatsJS)), &s))
		total.Encoded += s.Encoded
		total.Decoded += s.Decoded
		total.Dropped += s.Dropped
		total.Freezes += s.Freezes
		total.PLIs += s.PLIs
		for k, v := range s.Limited {
			total.Limited[k] += v
		}
		total.Reasons = append(total.Reasons, s.Reasons...)
		total.Worker.Encrypt.Frames += s.Worker.Encrypt.Frames
		total.Worker.Encrypt.Micros += s.Worker.Encrypt.Micros
		total.Worker.Decrypt.Frames += s.Worker.Decrypt.Frames
		total.Worker.Decrypt.Micros += s.Worker.Decrypt.Micros
		total.Worker.Decrypt.Failed += s.Worker.Decrypt.Failed
	}
	return total
}

// callWindow is what a call did between two samples, per video stream
// (each of the two tabs sends one and receives the other's).
type callWindow struct {
	encodedFPS, decodedFPS, dropped, freezes, plis, decryptFailures, cores, workerCores float64
	encryptMicros, decryptMicros                                                        float64            // wall time per frame in the worker, awaits included
	limitedPercent                                                                      map[string]float64 // share of the window the senders spent per qualityLimitationReason
}

func between(before, after callStats) callWindow {
	const streams = 2
	seconds := after.at.Sub(before.at).Seconds()
	limited := map[string]float64{}
	for k, v := range after.Limited {
		limited[k] = 100 * (v - before.Limited[k]) / streams / seconds
	}
	return callWindow{
		encodedFPS:      (after.Encoded - before.Encoded) / streams / seconds,
		decodedFPS:      (after.Decoded - before.Decoded) / streams / seconds,
		dropped:         (after.Dropped - before.Dropped) / streams,
		freezes:         (after.Freezes - before.Freezes) / streams,
		plis:            (after.PLIs - before.PLIs) / streams,
		limitedPercent:  limited,
		decryptFailures: after.Worker.Decrypt.Failed - before.Worker.Decrypt.Failed,
		encryptMicros:   (after.Worker.Encrypt.Micros - before.Worker.Encrypt.Micros) / (after.Worker.Encrypt.Frames - before.Worker.Encrypt.Frames),
		decryptMicros:   (after.Worker.Decrypt.Micros - before.Worker.Decrypt.Micros) / (after.Worker.Decrypt.Frames - before.Worker.Decrypt.Frames),
		cores:           (after.cpuSeconds - before.cpuSeconds) / seconds,
		workerCores:     (after.workerSeconds - before.workerSeconds) / seconds,
	}
}

// encryptedCallRuns counts the runs of BenchmarkEncryptedCallAgainstPlainCall
// (make bench runs it -count times).
var encryptedCallRuns int

// BenchmarkEncryptedCallAgainstPlainCall runs two calls side by side, each
// Ada and Grace in a browser of their own: one as it is, one with frame
// transforms switched off (noTransformJS), so the only difference is
// encryption. Both are read the same way, from getStats on both ends.
func BenchmarkEncryptedCallAgainstPlainCall(b *testing.B) {
	srv := startServer(b)
	for i := 0; i < b.N; i++ {
		// The calls take turns to start first: the first has the longer
		// head start for its senders' bandwidth estimates to ramp up.
		var ada, grace, plainAda, plainGrace *person
		startEncrypted := func() { ada, grace = twoInACall(b, srv, fmt.Sprintf("encrypted-%d", i), peerConnectionsJS) }
		startPlain := func() {
			plainAda, plainGrace = twoInACall(b, srv, fmt.Sprintf("plain-%d", i), peerConnectionsJS, noTransformJS)
		}
		if encryptedCallRuns%2 == 0 {
			startEncrypted()
			startPlain()
		} else {
			startPlain()
			startEncrypted()
		}
		encryptedCallRuns++
		time.Sleep(5 * time.Second) // past the start of the second call

		const window = 15 * time.Second
		enc0, plain0 := sampleCall(b, ada, grace), sampleCall(b, plainAda, plainGrace)
		time.Sleep(window)
		encStats, plainStats := sampleCall(b, ada, grace), sampleCall(b, plainAda, plainGrace)
		enc, plain := between(enc0, encStats), between(plain0, plainStats)

		b.Logf("encrypted: %+v, qualityLimitationReason at the end %v", enc, encStats.Reasons)
		b.Logf("plain: %+v, qualityLimitationReason at the end %v", plain, plainStats.Reasons)
		// What makes the comparison fair: the encrypted call's frames went
		// through the worker, the plain call's did not, and both decoded video.
		reads := func(p *person) string { return mustEvaluate[string](p.page, `__e2e.text()`) }
		require.Positive(b, enc.decodedFPS, "the encrypted call should decode video; Ada reads %q, Grace %q; the server logged:\n%s", reads(ada), reads(grace), srv.Logs())
		require.Positive(b, encStats.Worker.Decrypt.Frames-enc0.Worker.Decrypt.Frames, "the encrypted call should decrypt frames")
		require.Zero(b, plainStats.Worker.Encrypt.Frames+plainStats.Worker.Decrypt.Frames, "the plain call's frames should not reach the worker")
		require.Positive(b, plain.decodedFPS, "the plain call should decode video; Ada reads %q, Grace %q; the server logged:\n%s", reads(plainAda), reads(plainGrace), srv.Logs())

		b.ReportMetric(enc.encodedFPS, "fps-encoded-encrypted")
		b.ReportMetric(plain.encodedFPS, "fps-encoded-plain")
		b.ReportMetric(enc.decodedFPS, "fps-decoded-encrypted")
		b.ReportMetric(plain.decodedFPS, "fps-decoded-plain")
		b.ReportMetric(enc.decodedFPS/plain.decodedFPS, "fps-decoded-ratio")
		b.ReportMetric(enc.dropped, "dropped-encrypted")
		b.ReportMetric(plain.dropped, "dropped-plain")
		b.ReportMetric(enc.freezes, "freezes-encrypted")
		b.ReportMetric(plain.freezes, "freezes-plain")
		b.ReportMetric(enc.plis, "plis-encrypted")
		b.ReportMetric(plain.plis, "plis-plain")
		b.ReportMetric(enc.limitedPercent["bandwidth"], "%-bandwidth-limited-encrypted")
		b.ReportMetric(plain.limitedPercent["bandwidth"], "%-bandwidth-limited-plain")
		b.ReportMetric(enc.limitedPercent["cpu"], "%-cpu-limited-encrypted")
		b.ReportMetric(plain.limitedPercent["cpu"], "%-cpu-limited-plain")
		b.ReportMetric(enc.decryptFailures, "decrypt-failures")
		b.ReportMetric(enc.cores, "cores-encrypted")
		b.ReportMetric(plain.cores, "cores-plain")
		b.ReportMetric(enc.cores-plain.cores, "cores-encryption")
		b.ReportMetric(enc.workerCores, "cores-worker")
		b.ReportMetric(enc.encryptMicros, "µs-encrypt/frame")
		b.ReportMetric(enc.decryptMicros, "µs-decrypt/frame")
	}
}

func BenchmarkServerMemoryWithThreeParticipants(b *testing.B) {
	for i := 0; i < b.N; i++ {
		srv := startServer(b)
		ada, grace := twoInACall(b, srv, "memory")
		linus := newPerson(b, newBrowser(b), "Linus")
		linus.join(srv.URL, "memory", "correct horse battery")
		linus.seesVideoOf("Ada", mediaTimeout)
		ada.seesVideoOf("Linus", mediaTimeout)
		grace.seesVideoOf("Linus", mediaTimeout)
		b.ReportMetric(rssMiB(b, srv.cmd.Process.Pid), "MiB-rss-3-people")
		b.ReportMetric(mib(health(b, srv).HeapBytes), "MiB-heap-3-people")
	}
}

// rssMiB reads a process's resident memory from /proc.
func rssMiB(b testing.TB, pid int) float64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(b, err)
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			require.NoError(b, err)
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmRSS")
	return 0
}

// cpuSeconds reads the CPU time, user and system, of a process and all its
// descendants (a browser's renderers, GPU and utility processes) from
// /proc, and the part of it spent in dedicated workers' threads: in the
// call page, only the encryption worker.
func cpuSeconds(b testing.TB, root int) (total, workers float64) {
	for _, pid := range descendants(b, root) {
		if s, ok := readStat(fmt.Sprintf("/proc/%d/stat", pid)); ok {
			total += s.ticks
		}
		threads, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/stat", pid))
		for _, t := range threads {
			if s, ok := readStat(t); ok && strings.HasPrefix(s.comm, "DedicatedWorker") {
				workers += s.ticks
			}
		}
	}
	return total / ticksPerSecond, workers / ticksPerSecond
}

// ticksPerSecond is USER_HZ, what /proc counts CPU time in on Linux.
const ticksPerSecond = 100

// descendants lists root and every process under it now, from /proc.
func descendants(b testing.TB, root int) []int {
	children := map[int][]int{}
	dirs, err := os.ReadDir("/proc")
	require.NoError(b, err)
	for _, d := range dirs {
		if pid, err := strconv.Atoi(d.Name()); err == nil {
			if s, ok := readStat(fmt.Sprintf("/proc/%d/stat", pid)); ok {
				children[s.ppid] = append(children[s.ppid], pid)
			}
		}
	}
	var all []int
	for todo := []int{root}; len(todo) > 0; {
		pid := todo[len(todo)-1]
		todo = append(todo[:len(todo)-1], children[pid]...)
		all = append(all, pid)
	}
	return all
}

// procStat is what cpuSeconds needs of a /proc stat file.
type procStat struct {
	comm  string
	ppid  int
	ticks float64 // user and system time
}

func readStat(path string) (procStat, bool) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return procStat{}, false // it exited
	}
	stat := string(raw)
	open, end := strings.IndexByte(stat, '('), strings.LastIndexByte(stat, ')')
	// after "pid (comm) ": state, ppid, … utime and stime are the 12th and 13th
	fields := strings.Fields(stat[end+1:])
	ppid, _ := strconv.Atoi(fields[1])
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return procStat{comm: stat[open+1 : end], ppid: ppid, ticks: utime + stime}, true
}
