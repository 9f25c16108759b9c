package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"e2eecall/server/local"
)

// BenchmarkCapacity loads bin/e2eecall with synthetic participants that
// speak the real signaling: rooms of 4, each person sending VP8-sized RTP at
// about 500 kbit/s (45 packets a second) and Opus-sized RTP (50 a second),
// and receiving the other three. The server runs on core 0, the generator on
// core 1, so the server's CPU is its own. Everyone joins at once; setup is
// the time until media flows on every subscription. Room counts come from
// CAPACITY_ROOMS (default "1,10,20"), the window from CAPACITY_WINDOW
// (default 10s), the people in a room from CAPACITY_PEOPLE (default 4).
//
// CAPACITY_BASELINE names another build to run at the same time, on the
// same core, with as many rooms of its own: this machine's speed changes
// from minute to minute (one build measured 30 to 63 % in ten runs), and
// two builds that share the minutes compare within a few percent
// (cpu-vs-baseline, the ratio of their CPU; one build against itself gave
// 0.84 to 1.03, median 0.98). Run both orders when a step is small.
func BenchmarkCapacity(b *testing.B) {
	window := 10 * time.Second
	if w, err := time.ParseDuration(os.Getenv("CAPACITY_WINDOW")); err == nil {
		window = w
	}
	if n, err := strconv.Atoi(os.Getenv("CAPACITY_PEOPLE")); err == nil && n >= 2 {
		capacityPeople = n
	}
	counts := os.Getenv("CAPACITY_ROOMS")
	if counts == "" {
		counts = "1,10,20"
	}
	for _, field := range strings.Split(counts, ",") {
		rooms, err := strconv.Atoi(strings.TrimSpace(field))
		require.NoError(b, err, "CAPACITY_ROOMS")
		b.Run(fmt.Sprintf("rooms=%d", rooms), func(b *testing.B) {
			for range b.N {
				runCapacity(b, rooms, window)
			}
		})
	}
}

const (
	videoPacketsPerSec = 45
	audioPacketsPerSec = 50
	videoPayloadBytes  = 1380 // 45 × 1380 B ≈ 500 kbit/s
	audioPayloadBytes  = 100
)

// capacityPeople is how many people each room has.
var capacityPeople = 4

func runCapacity(b *testing.B, rooms int, window time.Duration) {
	pin(b, 1)
	loads := []*load{startLoad(b, binary, rooms)}
	if baseline := os.Getenv("CAPACITY_BASELINE"); baseline != "" {
		loads = append(loads, startLoad(b, baseline, rooms))
	}

	// Everyone arrives at once, as at the start of a meeting hour.
	start := time.Now()
	var failed []error
	var mu sync.Mutex
	var joining sync.WaitGroup
	for _, l := range loads {
		for i := range l.people {
			joining.Go(func() {
				var err error
				l.people[i], err = joinCall(b, l.srv.URL, fmt.Sprintf("load-%d", i/capacityPeople), fmt.Sprint("P", i%capacityPeople))
				mu.Lock()
				failed = append(failed, err)
				mu.Unlock()
			})
		}
	}
	joining.Wait()
	require.NoError(b, errors.Join(failed...))
	stop := make(chan struct{})
	var senders sync.WaitGroup
	for _, l := range loads {
		for _, c := range l.people {
			senders.Go(func() { c.send(stop) })
		}
	}
	for _, l := range loads {
		for _, c := range l.people {
			c.waitMedia(b)
		}
	}
	setup := time.Since(start)
	time.Sleep(2 * time.Second) // let the first key frames and NACKs pass before measuring

	for _, l := range loads {
		l.startWindow(b)
	}
	selfCPU, kernelDrops := processCPU(b, os.Getpid()), backlogDrops(b)
	selfDrops := udpDrops(b, os.Getpid())
	time.Sleep(window)
	for _, l := range loads {
		l.endWindow(b, window)
	}
	selfCPU = (processCPU(b, os.Getpid()) - selfCPU) / window.Seconds()
	selfDrops, kernelDrops = udpDrops(b, os.Getpid())-selfDrops, backlogDrops(b)-kernelDrops
	close(stop)
	senders.Wait()

	m := loads[0]
	b.ReportMetric(100*m.cpu, "%server-cpu")
	b.ReportMetric(100*selfCPU, "%generator-cpu")
	b.ReportMetric(m.rss, "MiB-rss")
	b.ReportMetric(float64(m.goroutines), "goroutines")
	b.ReportMetric(m.packetsPerSec, "forwarded-pkts/s")
	b.ReportMetric(m.mbitPerSec, "Mbit/s")
	b.ReportMetric(m.loss, "%loss")
	b.ReportMetric(m.drops, "server-udp-drops")
	b.ReportMetric(float64(selfDrops), "generator-udp-drops")
	b.ReportMetric(float64(kernelDrops), "backlog-drops")
	b.ReportMetric(1e6*m.cpu/max(m.packetsPerSec, 1), "µs-cpu/pkt")
	b.ReportMetric(setup.Seconds(), "s-setup")
	if len(loads) > 1 {
		base := loads[1]
		b.ReportMetric(100*base.cpu, "%baseline-cpu")
		b.ReportMetric(base.loss, "%baseline-loss")
		b.ReportMetric(m.cpu/base.cpu, "cpu-vs-baseline")
	}
	if selfCPU > 0.9 {
		b.Logf("the generator used %.0f%% of its core: figures may be generator-bound", 100*selfCPU)
	}
}

// load is one server build on core 0 with rooms of synthetic people, and
// what was measured of it over the window.
type load struct {
	srv    *server
	people []*loadClient

	cpuAtStart, dropsAtStart float64 // the totals when the window opened

	cpu                                  float64 // cores
	drops                                float64 // datagrams dropped at the server's sockets
	rss, packetsPerSec, mbitPerSec, loss float64
	goroutines                           int
}

func startLoad(b *testing.B, build string, rooms int) *load {
	srv := startBuild(b, build, nil, "-max-rooms", strconv.Itoa(rooms+1), "-max-participants", strconv.Itoa(max(capacityPeople, 9)),
		"-max-sockets-per-address", "0", "-sessions-per-minute", "0")
	if err := exec.Command("taskset", "-a", "-p", "-c", "0", strconv.Itoa(srv.cmd.Process.Pid)).Run(); err != nil {
		b.Logf("taskset is missing: the server is not pinned to a core (%v)", err)
	}
	return &load{srv: srv, people: make([]*loadClient, rooms*capacityPeople)}
}

func (l *load) startWindow(b *testing.B) {
	for _, c := range l.people {
		c.restart()
	}
	pid := l.srv.cmd.Process.Pid
	l.cpuAtStart, l.dropsAtStart = processCPU(b, pid), float64(udpDrops(b, pid))
}

func (l *load) endWindow(b *testing.B, window time.Duration) {
	pid := l.srv.cmd.Process.Pid
	l.cpu = (processCPU(b, pid) - l.cpuAtStart) / window.Seconds()
	l.drops = float64(udpDrops(b, pid)) - l.dropsAtStart
	var expected, received, bytes int64
	for _, c := range l.people {
		e, r := c.arrived()
		expected += e
		received += r
		bytes += c.receivedBytes.Load()
	}
	l.packetsPerSec = float64(received) / window.Seconds()
	l.mbitPerSec = float64(bytes) * 8 / window.Seconds() / 1e6
	if expected > 0 {
		l.loss = max(100*(1-float64(received)/float64(expected)), 0)
	}
	l.rss = rssMiB(b, pid)
	l.goroutines = health(b, l.srv).Goroutines
}

// pin keeps this process's threads on one core, away from the server's.
func pin(b *testing.B, core int) {
	var set unix.CPUSet
	set.Set(core)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		b.Logf("cannot pin the generator: %v", err)
	}
	runtime.GOMAXPROCS(1)
	b.Cleanup(func() { runtime.GOMAXPROCS(0) })
}

// processCPU is one process's user and system CPU time so far, in seconds.
func processCPU(b *testing.B, pid int) float64 {
	s, ok := readStat(fmt.Sprintf("/proc/%d/stat", pid))
	require.True(b, ok, "process %d is gone", pid)
	return s.ticks / ticksPerSecond
}

// restart counts what arrives from now on.
func (c *loadClient) restart() {
	c.receivedBytes.Store(0)
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.tracks {
		a.restart()
	}
}

// arrived is how many packets the client's tracks should have received
// since restart, and how many they did.
func (c *loadClient) arrived() (expected, received int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, a := range c.tracks {
		e, r := a.count()
		expected += e
		received += r
	}
	return expected, received
}

// arrivals counts a received track's packets by sequence number, as an RTP
// receiver reports loss (RFC 3550, A.3): expected is the span from the first
// to the highest sequence number seen. Unlike sent against received, this
// does not count the packets on their way when counting starts or stops.
type arrivals struct {
	mu             sync.Mutex
	started        bool
	first, highest int64 // extended sequence numbers
	received       int64
}

func (a *arrivals) add(seq uint16) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.started {
		a.started, a.first, a.highest, a.received = true, int64(seq), int64(seq), 1
		return
	}
	a.highest = max(a.highest, a.highest+int64(int16(seq-uint16(a.highest))))
	a.received++
}

func (a *arrivals) restart() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.started = false
}

func (a *arrivals) count() (expected, received int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.started {
		return 0, 0
	}
	return a.highest - a.first + 1, a.received
}

// udpDrops is how many datagrams the kernel dropped on arrival at the UDP
// sockets of process pid, their receive buffers full (/proc/net/udp's
// drops), so that loss can be told apart: the server's or the generator's.
func udpDrops(b *testing.B, pid int) int64 {
	sockets := map[string]bool{} // by inode
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	require.NoError(b, err)
	for _, fd := range fds {
		link, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); ok {
			sockets[strings.TrimSuffix(inode, "]")] = true
		}
	}
	var drops int64
	for _, table := range []string{"/proc/net/udp", "/proc/net/udp6"} {
		raw, err := os.ReadFile(table)
		require.NoError(b, err)
		for _, line := range strings.Split(string(raw), "\n")[1:] {
			// sl local remote st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
			fields := strings.Fields(line)
			if len(fields) == 13 && sockets[fields[9]] {
				n, _ := strconv.ParseInt(fields[12], 10, 64)
				drops += n
			}
		}
	}
	return drops
}

// backlogDrops is how many packets the kernel dropped before any socket,
// its per-core input queue full (/proc/net/softnet_stat's second column),
// which loopback traffic passes through.
func backlogDrops(b *testing.B) int64 {
	raw, err := os.ReadFile("/proc/net/softnet_stat")
	require.NoError(b, err)
	var drops int64
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if fields := strings.Fields(line); len(fields) > 1 {
			n, _ := strconv.ParseInt(fields[1], 16, 64)
			drops += n
		}
	}
	return drops
}

// loadClient is one synthetic participant.
type loadClient struct {
	conn         *websocket.Conn
	api          *webrtc.API
	mu           sync.Mutex
	waiters      map[string]chan local.Message // by pc id or subscription id
	streams      []string                      // the others' stream ids, as announced
	video, audio *webrtc.TrackLocalStaticRTP   // what it publishes, once it asked to
	sending      bool                          // the tracks are on the transceivers an offer named
	pc           *webrtc.PeerConnection        // its one peer connection: it publishes and subscribes on it
	fail         chan error                    // an offer that could not be answered

	tracks        []*arrivals // what it receives; under mu
	receivedBytes atomic.Int64
	connected     chan struct{}
}

var loadAPI = func() *webrtc.API {
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		panic(err)
	}
	s := webrtc.SettingEngine{}
	s.SetIncludeLoopbackCandidate(true)
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4})
	s.SetInterfaceFilter(func(name string) bool { return name == "lo" })
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(s))
}()

// joinCall joins room as name, publishes, and subscribes to everyone else
// in the room; it runs beside the others' (so it fails with an error, since
// only the benchmark's goroutine may stop it).
func joinCall(b *testing.B, url, room, name string) (*loadClient, error) {
	c, err := newLoadClient(b, url, room, name)
	if err != nil {
		return nil, fmt.Errorf("%s in %s joins: %w", name, room, err)
	}
	if err := c.publish(); err != nil {
		return nil, fmt.Errorf("%s in %s publishes: %w", name, room, err)
	}
	if err := c.subscribeAll(); err != nil {
		return nil, fmt.Errorf("%s in %s subscribes: %w", name, room, err)
	}
	return c, nil
}

func newLoadClient(b *testing.B, url, room, name string) (*loadClient, error) {
	body, _ := json.Marshal(map[string]string{"room": room, "name": name})
	res, err := http.Post(url+"/api/session", "application/json", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("POST /api/session: %s", res.Status)
	}
	var session struct{ SessionID, Token string }
	if err := json.NewDecoder(res.Body).Decode(&session); err != nil {
		return nil, err
	}

	conn, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(url, "http")+"/api/signal", nil)
	if err != nil {
		return nil, err
	}
	conn.SetReadLimit(1 << 20)
	c := &loadClient{conn: conn, api: loadAPI, waiters: map[string]chan local.Message{}, connected: make(chan struct{}, 64), fail: make(chan error, 1)}
	b.Cleanup(func() { _ = conn.CloseNow() })
	if c.pc, err = c.api.NewPeerConnection(webrtc.Configuration{}); err != nil {
		return nil, err
	}
	b.Cleanup(func() { _ = c.pc.Close() })
	c.pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		c.connected <- struct{}{}
		a := &arrivals{}
		c.mu.Lock()
		c.tracks = append(c.tracks, a)
		c.mu.Unlock()
		buf := make([]byte, 1500)
		for {
			n, _, err := track.Read(buf)
			if err != nil {
				return
			}
			if n >= 12 {
				a.add(uint16(buf[2])<<8 | uint16(buf[3])) // the sequence number
			}
			c.receivedBytes.Add(int64(n))
		}
	})
	go c.read()
	return c, c.write(local.Message{Type: local.TypeConnect, Token: session.Token, SessionID: session.SessionID, Encrypted: true})
}

func (c *loadClient) read() {
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			return
		}
		var m local.Message
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		c.mu.Lock()
		switch m.Type {
		case local.TypeConnected:
			for _, s := range m.Streams {
				c.streams = append(c.streams, s.StreamID)
			}
		case local.TypeStreamCreated:
			c.streams = append(c.streams, m.Stream.StreamID)
		case local.TypePublished, local.TypeSubscribed, local.TypeError:
			if w := c.waiters[m.PC+m.ID]; w != nil {
				w <- m
			}
		}
		c.mu.Unlock()
		if m.Type == local.TypeOffer {
			if err := c.answer(m); err != nil {
				c.fail <- err
				return
			}
		}
	}
}

// answer answers the server's offer; the first that names the client's
// publication's transceivers gets its tracks, in the order named (audio,
// video), as the transceivers of each kind that nothing sends on yet.
func (c *loadClient) answer(offer local.Message) error {
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer.SDP}); err != nil {
		return err
	}
	c.mu.Lock()
	attach := !c.sending && c.video != nil && len(offer.Publications) > 0
	c.sending = c.sending || attach
	c.mu.Unlock()
	if attach {
		for _, track := range []*webrtc.TrackLocalStaticRTP{c.audio, c.video} {
			if _, err := c.pc.AddTrack(track); err != nil {
				return err
			}
		}
	}
	answer, err := c.pc.CreateAnswer(nil)
	if err != nil {
		return err
	}
	done := webrtc.GatheringCompletePromise(c.pc)
	if err := c.pc.SetLocalDescription(answer); err != nil {
		return err
	}
	<-done
	data, err := json.Marshal(local.Message{Type: local.TypeAnswer, SDP: c.pc.LocalDescription().SDP})
	if err != nil {
		return err
	}
	return c.conn.Write(context.Background(), websocket.MessageText, data)
}

func (c *loadClient) write(m local.Message) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return c.conn.Write(context.Background(), websocket.MessageText, data)
}

// request sends m and waits for the answer to its pc id or subscription id.
func (c *loadClient) request(m local.Message) error {
	w := make(chan local.Message, 1)
	c.mu.Lock()
	c.waiters[m.PC+m.ID] = w
	c.mu.Unlock()
	if err := c.write(m); err != nil {
		return err
	}
	select {
	case reply := <-w:
		if reply.Type == local.TypeError {
			return fmt.Errorf("%s %s refused: %s", m.Type, m.PC+m.ID, reply.Message)
		}
		return nil
	case <-time.After(20 * time.Second):
		return fmt.Errorf("no answer to %s %s", m.Type, m.PC+m.ID)
	}
}

func (c *loadClient) publish() error {
	video, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "load")
	if err != nil {
		return err
	}
	audio, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus}, "audio", "load")
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.video, c.audio = video, audio
	c.mu.Unlock()
	return c.request(local.Message{Type: local.TypePublish, PC: "pub", Encrypted: true, Stream: &local.Stream{HasAudio: true, HasVideo: true}})
}

// subscribeAll subscribes to every other stream in the room, once all are announced.
func (c *loadClient) subscribeAll() error {
	var streams []string
	for deadline := time.Now().Add(20 * time.Second); len(streams) < capacityPeople-1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return fmt.Errorf("%d of the %d other streams were announced", len(streams), capacityPeople-1)
		}
		c.mu.Lock()
		streams = append([]string{}, c.streams...)
		c.mu.Unlock()
	}
	for i, id := range streams {
		if err := c.request(local.Message{Type: local.TypeSubscribe, ID: fmt.Sprint("sub", i), StreamID: id, Encrypted: true}); err != nil {
			return err
		}
	}
	return nil
}

// waitMedia waits until media flows on every subscription (both tracks).
func (c *loadClient) waitMedia(b *testing.B) {
	for range 2 * (capacityPeople - 1) {
		select {
		case <-c.connected:
		case err := <-c.fail:
			b.Fatalf("answering the server's offer: %v", err)
		case <-time.After(30 * time.Second):
			b.Fatal("media did not start on every subscription")
		}
	}
}

// send writes RTP at the call's rates until stop.
func (c *loadClient) send(stop chan struct{}) {
	video := time.NewTicker(time.Second / videoPacketsPerSec)
	audio := time.NewTicker(time.Second / audioPacketsPerSec)
	defer video.Stop()
	defer audio.Stop()
	vp := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96}, Payload: make([]byte, videoPayloadBytes)}
	ap := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 111}, Payload: make([]byte, audioPayloadBytes)}
	for {
		select {
		case <-stop:
			return
		case <-video.C:
			vp.SequenceNumber++
			vp.Timestamp += 90000 / videoPacketsPerSec
			_ = c.video.WriteRTP(vp)
		case <-audio.C:
			ap.SequenceNumber++
			ap.Timestamp += 960
			_ = c.audio.WriteRTP(ap)
		}
	}
}

// Loss is counted from sequence numbers, across their wrap, from a restart.
func TestArrivalsCountWhatWasLost(t *testing.T) {
	var a arrivals
	for _, seq := range []uint16{65533, 65534, 65535, 0, 2, 1, 4} { // 3 lost, 1 late
		a.add(seq)
	}
	expected, received := a.count()
	assert.Equal(t, int64(8), expected)
	assert.Equal(t, int64(7), received)

	a.restart()
	a.add(10)
	a.add(11)
	expected, received = a.count()
	assert.Equal(t, int64(2), expected)
	assert.Equal(t, int64(2), received)
}
