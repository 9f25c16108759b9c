package e2e

import (
	"bytes"
	"context"
	"encoding/json"
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
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"e2eecall/server/local"
)

// BenchmarkCapacity loads bin/e2eecall with synthetic participants that
// speak the real signaling: rooms of 4, each person sending VP8-sized RTP at
// about 500 kbit/s (45 packets a second) and Opus-sized RTP (50 a second),
// and receiving the other three. The server runs on core 0, the generator on
// core 1, so the server's CPU is its own. Room counts come from
// CAPACITY_ROOMS (default "1,10,20"), the window from CAPACITY_WINDOW
// (default 10s), the people in a room from CAPACITY_PEOPLE (default 4).
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
	srv := startServer(b, "-max-rooms", strconv.Itoa(rooms+1), "-max-participants", strconv.Itoa(max(capacityPeople, 9)),
		"-max-sockets-per-address", "0", "-sessions-per-minute", "0")
	if err := exec.Command("taskset", "-a", "-p", "-c", "0", strconv.Itoa(srv.cmd.Process.Pid)).Run(); err != nil {
		b.Logf("taskset is missing: the server is not pinned to a core (%v)", err)
	}

	start := time.Now()
	var people []*loadClient
	for r := range rooms {
		for i := range capacityPeople {
			people = append(people, newLoadClient(b, srv.URL, fmt.Sprintf("load-%d", r), fmt.Sprint("P", i)))
		}
	}
	for _, c := range people {
		c.publish(b)
	}
	for _, c := range people {
		c.subscribeAll(b)
	}
	stop := make(chan struct{})
	var senders sync.WaitGroup
	for _, c := range people {
		senders.Go(func() { c.send(stop) })
	}
	for _, c := range people {
		c.waitMedia(b)
	}
	setup := time.Since(start)
	time.Sleep(2 * time.Second) // let the first key frames and NACKs pass before measuring
	for _, c := range people {
		c.received.Store(0)
		c.sent.Store(0)
	}
	serverCPU, selfCPU := processCPU(b, srv.cmd.Process.Pid), processCPU(b, os.Getpid())
	time.Sleep(window)
	serverCPU, selfCPU = processCPU(b, srv.cmd.Process.Pid)-serverCPU, processCPU(b, os.Getpid())-selfCPU
	var sent, received, bytes int64
	for _, c := range people {
		sent += c.sent.Load()
		received += c.received.Load()
		bytes += c.receivedBytes.Load()
	}
	rss := rssMiB(b, srv.cmd.Process.Pid)
	goroutines := health(b, srv).Goroutines
	close(stop)
	senders.Wait()

	expected := sent * int64(capacityPeople-1)
	loss := 0.0
	if expected > 0 {
		loss = 100 * (1 - float64(received)/float64(expected))
	}
	seconds := window.Seconds()
	b.ReportMetric(100*serverCPU/seconds, "%server-cpu")
	b.ReportMetric(100*selfCPU/seconds, "%generator-cpu")
	b.ReportMetric(rss, "MiB-rss")
	b.ReportMetric(float64(goroutines), "goroutines")
	b.ReportMetric(float64(received)/seconds, "forwarded-pkts/s")
	b.ReportMetric(float64(bytes)*8/seconds/1e6, "Mbit/s")
	b.ReportMetric(max(loss, 0), "%loss")
	b.ReportMetric(1e6*serverCPU/float64(max(received, 1)), "µs-cpu/pkt")
	b.ReportMetric(setup.Seconds(), "s-setup")
	if selfCPU/seconds > 0.9 {
		b.Logf("the generator used %.0f%% of its core: figures may be generator-bound", 100*selfCPU/seconds)
	}
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

	sent, received, receivedBytes atomic.Int64
	connected                     chan struct{}
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

func newLoadClient(b *testing.B, url, room, name string) *loadClient {
	body, _ := json.Marshal(map[string]string{"room": room, "name": name})
	res, err := http.Post(url+"/api/session", "application/json", bytes.NewReader(body))
	require.NoError(b, err)
	defer res.Body.Close()
	require.Equal(b, http.StatusOK, res.StatusCode)
	var session struct{ SessionID, Token string }
	require.NoError(b, json.NewDecoder(res.Body).Decode(&session))

	conn, _, err := websocket.Dial(context.Background(), "ws"+strings.TrimPrefix(url, "http")+"/api/signal", nil)
	require.NoError(b, err)
	conn.SetReadLimit(1 << 20)
	c := &loadClient{conn: conn, api: loadAPI, waiters: map[string]chan local.Message{}, connected: make(chan struct{}, 64), fail: make(chan error, 1)}
	b.Cleanup(func() { _ = conn.CloseNow() })
	c.pc = c.newPC(b)
	c.pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		c.connected <- struct{}{}
		buf := make([]byte, 1500)
		for {
			n, _, err := track.Read(buf)
			if err != nil {
				return
			}
			c.received.Add(1)
			c.receivedBytes.Add(int64(n))
		}
	})
	go c.read()
	c.write(b, local.Message{Type: local.TypeConnect, Token: session.Token, SessionID: session.SessionID, Encrypted: true})
	return c
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

func (c *loadClient) write(b *testing.B, m local.Message) {
	data, err := json.Marshal(m)
	require.NoError(b, err)
	require.NoError(b, c.conn.Write(context.Background(), websocket.MessageText, data))
}

// request sends m and waits for the answer to its pc id or subscription id.
func (c *loadClient) request(b *testing.B, m local.Message) local.Message {
	w := make(chan local.Message, 1)
	c.mu.Lock()
	c.waiters[m.PC+m.ID] = w
	c.mu.Unlock()
	c.write(b, m)
	select {
	case reply := <-w:
		require.NotEqual(b, local.TypeError, reply.Type, reply.Message)
		return reply
	case <-time.After(20 * time.Second):
		b.Fatalf("no answer to %s %s", m.Type, m.PC+m.ID)
		return local.Message{}
	}
}

func (c *loadClient) newPC(b *testing.B) *webrtc.PeerConnection {
	pc, err := c.api.NewPeerConnection(webrtc.Configuration{})
	require.NoError(b, err)
	b.Cleanup(func() { _ = pc.Close() })
	return pc
}

func (c *loadClient) publish(b *testing.B) {
	video, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "load")
	require.NoError(b, err)
	audio, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus}, "audio", "load")
	require.NoError(b, err)
	c.mu.Lock()
	c.video, c.audio = video, audio
	c.mu.Unlock()
	c.request(b, local.Message{Type: local.TypePublish, PC: "pub", Encrypted: true, Stream: &local.Stream{HasAudio: true, HasVideo: true}})
}

func (c *loadClient) subscribeAll(b *testing.B) {
	require.Eventually(b, func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return len(c.streams) == capacityPeople-1
	}, 20*time.Second, 10*time.Millisecond, "every other stream is announced")
	c.mu.Lock()
	streams := append([]string{}, c.streams...)
	c.mu.Unlock()
	for i, id := range streams {
		c.request(b, local.Message{Type: local.TypeSubscribe, ID: fmt.Sprint("sub", i), StreamID: id, Encrypted: true})
	}
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
			if c.video.WriteRTP(vp) == nil {
				c.sent.Add(1)
			}
		case <-audio.C:
			ap.SequenceNumber++
			ap.Timestamp += 960
			if c.audio.WriteRTP(ap) == nil {
				c.sent.Add(1)
			}
		}
	}
}
