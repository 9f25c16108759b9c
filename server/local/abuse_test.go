package local

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// These tests play a hostile client with a valid token: whatever it does,
// its own resources stay bounded, it is released when it leaves, and the
// server keeps serving another room meanwhile.

// resources is what a client can make the server hold.
type resources struct{ goroutines, fds int }

func measure(t *testing.T) resources {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	require.NoError(t, err)
	return resources{goroutines: runtime.NumGoroutine(), fds: len(fds)}
}

// settled measures once goroutines and descriptors stop changing (peer
// connections start goroutines for a while after they connect).
func settled(t *testing.T) resources {
	t.Helper()
	last := measure(t)
	var now resources
	require.Eventually(t, func() bool {
		now = measure(t)
		same := now == last
		last = now
		return same
	}, 10*time.Second, 200*time.Millisecond)
	return now
}

// connected waits for a peer connection's media to connect.
func connected(t *testing.T, pc *webrtc.PeerConnection) {
	t.Helper()
	require.Eventually(t, func() bool { return pc.ConnectionState() == webrtc.PeerConnectionStateConnected },
		10*time.Second, 20*time.Millisecond, "the media connection did not connect")
}

// settlesBackTo waits until goroutines and descriptors are back near base.
func settlesBackTo(t *testing.T, base resources) {
	t.Helper()
	var now resources
	ok := assert.Eventually(t, func() bool {
		now = measure(t)
		return now.goroutines <= base.goroutines+5 && now.fds <= base.fds+2
	}, 15*time.Second, 50*time.Millisecond)
	if !ok {
		t.Errorf("still held after the attacker left: %+v, baseline %+v", now, base)
	}
}

// anotherRoomWorks checks that a call in another room still sets up media.
func anotherRoomWorks(t *testing.T, s *testServer, room string) {
	t.Helper()
	ada := s.join(t, room, "Ada")
	grace := s.join(t, room, "Grace")
	pub, _, _, streamID := ada.publish("pub1")
	sub := grace.subscribe("sub1", streamID)
	connected(t, pub)
	connected(t, sub)
	// They leave before closing their peer connections: a connection closed
	// while the server's side is still connecting counts as media that never
	// worked, which ends its participant (4004) before it can say goodbye.
	ada.send(Message{Type: TypeDisconnect})
	grace.send(Message{Type: TypeDisconnect})
	ada.closeStatus()
	grace.closeStatus()
	require.NoError(t, sub.Close())
	require.NoError(t, pub.Close())
}

// refusal waits for the error answering the request with id.
func (c *client) refusal(id string) Message {
	c.t.Helper()
	return c.waitFor("error for "+id, func(m Message) bool { return m.Type == TypeError && (m.PC == id || m.ID == id) })
}

func TestSubscribingToOneStreamManyTimesIsRefused(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "flood", "Ada")
	pub, _, _, streamID := ada.publish("pub1")
	connected(t, pub)
	base := settled(t)

	mallory := s.join(t, "flood", "Mallory")
	mallory.send(Message{Type: TypeSubscribe, ID: "s0", StreamID: streamID, Encrypted: true})
	mallory.expect(TypeOffer)
	for i := 1; i <= 150; i++ {
		mallory.send(Message{Type: TypeSubscribe, ID: fmt.Sprint("s", i), StreamID: streamID, Encrypted: true})
	}
	e := mallory.refusal("s150")
	assert.Equal(t, 1501, e.Code)
	assert.Contains(t, e.Message, "subscribed to this stream already")
	held := measure(t)
	t.Logf("one unanswered subscription and 150 refused: %+v over a baseline of %+v", held, base)
	assert.Less(t, held.fds-base.fds, 20, "descriptors for one subscription, not 151")
	assert.Len(t, mallory.messagesOf(TypeOffer), 1, "one offer, not 151")

	anotherRoomWorks(t, s, "elsewhere")
	mallory.send(Message{Type: TypeDisconnect})
	mallory.closeStatus()
	settlesBackTo(t, base)
}

func TestAnUnansweredOfferEndsTheConnection(t *testing.T) {
	s := newTestServer(t, Config{})
	s.b.answerTimeout = 300 * time.Millisecond
	ada := s.join(t, "expiry", "Ada")
	pub, _, _, streamID := ada.publish("pub1")
	connected(t, pub)
	base := settled(t)

	// An answered offer does not expire: Grace stays past the timeout.
	grace := s.join(t, "expiry", "Grace")
	connected(t, grace.subscribe("s1", streamID))
	time.Sleep(2 * s.b.answerTimeout) // longer than the timeout, which must not fire
	grace.send(Message{Type: TypeSignal, ID: "alive", SignalType: "t", Data: "x"})
	grace.expect(TypeSignalSent)

	mallory := s.join(t, "expiry", "Mallory")
	mallory.send(Message{Type: TypeSubscribe, ID: "s1", StreamID: streamID, Encrypted: true})
	mallory.expect(TypeOffer)
	code, reason := mallory.closeStatus()
	assert.Equal(t, websocket.StatusCode(CloseProtocol), code)
	assert.Contains(t, reason, "no answer")
	grace.send(Message{Type: TypeDisconnect})
	grace.closeStatus()
	settlesBackTo(t, base)
}

func TestSubscriptionsAreBoundedPerParticipant(t *testing.T) {
	const max = 3
	publishers := max/MaxPublications + 1
	s := newTestServer(t, Config{MaxParticipants: publishers + 1})
	s.b.maxSubscriptions = max
	var streams []string
	for i := range publishers {
		p := s.join(t, "many", fmt.Sprint("P", i))
		for j := range MaxPublications {
			_, _, _, id := p.publish(fmt.Sprint("pub", j))
			streams = append(streams, id)
		}
	}
	mallory := s.join(t, "many", "Mallory")
	for i, id := range streams {
		mallory.send(Message{Type: TypeSubscribe, ID: fmt.Sprint("s", i), StreamID: id, Encrypted: true})
	}
	last := fmt.Sprint("s", len(streams)-1)
	mallory.waitFor("the last answer", func(m Message) bool { return m.ID == last })
	offers, refused := 0, 0
	for _, m := range mallory.messages() {
		switch m.Type {
		case TypeSubscribed:
			offers++
		case TypeError:
			refused++
			assert.Contains(t, m.Message, fmt.Sprintf("at most %d streams", max))
		}
	}
	assert.Equal(t, max, offers)
	assert.Equal(t, len(streams)-max, refused)
}

func TestCandidatesBeforeTheAnswerAreBounded(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "candidates", "Ada")
	_, _, _, streamID := ada.publish("pub1")
	mallory := s.join(t, "candidates", "Mallory")
	mallory.send(Message{Type: TypeSubscribe, ID: "s1", StreamID: streamID, Encrypted: true})
	mallory.expect(TypeOffer)

	line := "candidate:1 1 udp 2130706431 192.0.2.1 5000 typ host generation 0 " + strings.Repeat("x", MaxCandidateBytes-80)
	for range 150 {
		mallory.send(Message{Type: TypeCandidate, Candidate: &ICECandidate{Candidate: line}})
	}
	mallory.send(Message{Type: TypeSignal, ID: "sync", SignalType: "t", Data: "x"}) // messages are handled in order
	mallory.expect(TypeSignalSent)
	down := s.b.participantNamed(t, "Mallory").peer
	require.NotNil(t, down, "%+v", mallory.messages())
	down.mu.Lock()
	queued := len(down.candidates)
	down.mu.Unlock()
	assert.Equal(t, MaxPendingCandidate, queued)

	mallory.send(Message{Type: TypeCandidate, Candidate: &ICECandidate{Candidate: strings.Repeat("x", MaxCandidateBytes+1)}})
	code, reason := mallory.closeStatus()
	assert.Equal(t, websocket.StatusCode(CloseProtocol), code)
	assert.Contains(t, reason, "candidate")
}

// participantNamed finds a connected participant by display name.
func (b *Backend) participantNamed(t *testing.T, name string) *participant {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.rooms {
		for _, p := range r.everyone() {
			if p.info.Data == name {
				return p
			}
		}
	}
	t.Fatalf("no participant named %s", name)
	return nil
}

func TestAStreamCarriesItsPublishersNameFromTheToken(t *testing.T) {
	for _, asked := range []string{"Alice", "", "Al\nice", "\x1b[31mAlice", "\u202eecilA", strings.Repeat("A", 100)} {
		s := newTestServer(t, Config{})
		mallory := s.join(t, "names", "Mallory")
		ada := s.join(t, "names", "Ada")
		mallory.send(Message{Type: TypePublish, PC: "p1", Encrypted: true, Stream: &Stream{Name: asked, HasVideo: true}})
		mallory.answerOffer()
		assert.Equal(t, "Mallory", ada.expect(TypeStreamCreated).Stream.Name, "asked for %q", asked)
	}
	s := newTestServer(t, Config{})
	mallory := s.join(t, "names", "Mallory")
	mallory.send(Message{Type: TypePublish, PC: "p1", Encrypted: true, Stream: &Stream{Name: strings.Repeat("A", MaxStreamNameBytes+1)}})
	code, _ := mallory.closeStatus()
	assert.Equal(t, websocket.StatusCode(CloseProtocol), code)
}

// TestJoinsAtOnceAreEachAnnouncedOnce joins people nine at a time, many
// times, while some of them publish: everyone hears "connected" first, and
// of every other connection and stream exactly once.
func TestJoinsAtOnceAreEachAnnouncedOnce(t *testing.T) {
	s := newTestServer(t, Config{MaxSocketsPerAddress: -1})
	for round := range 30 {
		room := fmt.Sprint("race", round)
		clients := make([]*client, 9)
		var wg sync.WaitGroup
		for i := range clients {
			wg.Go(func() {
				session, err := s.b.Join(context.Background(), room, fmt.Sprint("P", i))
				require.NoError(t, err)
				c := s.dial(t)
				c.send(Message{Type: TypeConnect, Token: session.Token, SessionID: session.SessionID, Encrypted: true})
				clients[i] = c
			})
		}
		wg.Wait()
		for _, c := range clients {
			c.expect(TypeConnected)
		}
		// Everyone has heard of everyone once the last arrival is announced;
		// a signal from each, sent after, marks the end of what it hears.
		for i, c := range clients {
			c.send(Message{Type: TypeSignal, ID: "done", SignalType: "done", Data: fmt.Sprint(i)})
		}
		for j, c := range clients {
			c.expect(TypeSignalSent)
			for i := range clients {
				if i != j {
					c.waitFor("everyone's last signal", func(m Message) bool { return m.Type == TypeSignal && m.Data == fmt.Sprint(i) })
				}
			}
		}
		for i, c := range clients {
			msgs := c.messages()
			require.Equal(t, TypeConnected, msgs[0].Type, "round %d client %d: the first message", round, i)
			self := msgs[0].ConnectionID
			heard := map[string]int{}
			for _, conn := range msgs[0].Connections {
				heard[conn.ConnectionID]++
			}
			for _, m := range msgs[1:] {
				if m.Type == TypeConnectionCreated {
					heard[m.Connection.ConnectionID]++
				}
			}
			assert.Len(t, heard, len(clients)-1, "round %d client %d hears of everyone else", round, i)
			for id, n := range heard {
				assert.NotEqual(t, self, id, "round %d client %d hears of itself", round, i)
				assert.Equal(t, 1, n, "round %d client %d hears of %s %d times", round, i, id, n)
			}
		}
		for _, c := range clients {
			c.send(Message{Type: TypeDisconnect})
		}
	}
}

// TestStreamsPublishedWhilePeopleJoinAreEachAnnouncedOnce publishes and joins at once.
func TestStreamsPublishedWhilePeopleJoinAreEachAnnouncedOnce(t *testing.T) {
	s := newTestServer(t, Config{MaxSocketsPerAddress: -1})
	for round := range 10 {
		room := fmt.Sprint("streams", round)
		ada := s.join(t, room, "Ada")
		var wg sync.WaitGroup
		var streamID string
		wg.Go(func() { _, _, _, streamID = ada.publish("pub1") })
		joiners := make([]*client, 4)
		for i := range joiners {
			wg.Go(func() { joiners[i] = s.join(t, room, fmt.Sprint("J", i)) })
		}
		wg.Wait()
		ada.send(Message{Type: TypeSignal, ID: "done", SignalType: "done", Data: "done"})
		for i, c := range joiners {
			c.waitFor("Ada's last signal", func(m Message) bool { return m.Type == TypeSignal && m.Data == "done" })
			n := 0
			msgs := c.messages()
			for _, st := range msgs[0].Streams {
				if st.StreamID == streamID {
					n++
				}
			}
			for _, m := range msgs[1:] {
				if m.Type == TypeStreamCreated && m.Stream.StreamID == streamID {
					n++
				}
			}
			assert.Equal(t, 1, n, "round %d joiner %d hears of Ada's stream %d times", round, i, n)
		}
	}
}

// freezingProxy forwards TCP to target until freeze, after which it holds
// both connections open and forwards nothing: a laptop whose lid closed.
type freezingProxy struct {
	addr   string
	frozen chan struct{}
	done   chan struct{}
}

func newFreezingProxy(t *testing.T, target string) *freezingProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &freezingProxy{addr: ln.Addr().String(), frozen: make(chan struct{}), done: make(chan struct{})}
	var conns []net.Conn
	var mu sync.Mutex
	t.Cleanup(func() {
		close(p.done)
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			go p.pipe(in, out)
			go p.pipe(out, in)
		}
	}()
	return p
}

func (p *freezingProxy) pipe(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if err != nil {
			return
		}
		select {
		case <-p.frozen:
			<-p.done // hold on, forwarding nothing, until the test ends
		default:
		}
		if _, err := dst.Write(buf[:n]); err != nil {
			return
		}
	}
}

func TestAVanishedClientIsGoneWithinTheGraces(t *testing.T) {
	const reconnect = 500 * time.Millisecond
	s := newTestServer(t, Config{ReconnectGrace: reconnect})
	proxy := newFreezingProxy(t, strings.TrimPrefix(s.url, "ws://"))
	grace := s.join(t, "vanish", "Grace")
	through := &testServer{b: s.b, url: "ws://" + proxy.addr}
	through.join(t, "vanish", "Ada")
	grace.expect(TypeConnectionCreated)

	close(proxy.frozen)
	start := time.Now()
	grace.expect(TypeConnectionInterrupted)
	interrupted := time.Since(start)
	gone := grace.expect(TypeConnectionDestroyed)
	took := time.Since(start)
	t.Logf("interrupted for the others after %v, gone after %v", interrupted.Round(10*time.Millisecond), took.Round(10*time.Millisecond))
	assert.Equal(t, ReasonNetworkDisconnected, gone.Reason)
	assert.LessOrEqual(t, interrupted, DisconnectGrace+500*time.Millisecond)
	assert.LessOrEqual(t, took, DisconnectGrace+reconnect+500*time.Millisecond)
}

func TestFramesThatBreakTheTransportRulesClose(t *testing.T) {
	tests := []struct {
		name   string
		typ    websocket.MessageType
		frame  []byte
		status websocket.StatusCode
	}{
		{"over 64 KiB", websocket.MessageText, []byte(`{"type":"signal","id":"1","data":"` + strings.Repeat("a", MaxMessageBytes) + `"}`), CloseLimit},
		{"not UTF-8", websocket.MessageText, []byte("{\"type\":\"signal\",\"id\":\"1\",\"data\":\"\xff\xfe\"}"), websocket.StatusInvalidFramePayloadData},
		{"binary", websocket.MessageBinary, []byte(`{"type":"disconnect"}`), CloseProtocol},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Config{})
			c := s.join(t, "frames", "Mallory")
			_ = c.conn.Write(context.Background(), tt.typ, tt.frame)
			code, _ := c.closeStatus()
			assert.Equal(t, tt.status, code)
		})
	}
}

func TestAPingFloodCloses(t *testing.T) {
	s := newTestServer(t, Config{})
	c := s.join(t, "pings", "Mallory")
	for range PingBurst + 20 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := c.conn.Ping(ctx) // the client's reader answers, so pongs come back while allowed
		cancel()
		if err != nil {
			break
		}
	}
	code, reason := c.closeStatus()
	assert.Equal(t, websocket.StatusCode(CloseLimit), code)
	assert.Contains(t, reason, "pings")
}

func TestSocketsFromOneAddressAreBounded(t *testing.T) {
	s := newTestServer(t, Config{MaxSocketsPerAddress: 3})
	for i := range 3 {
		s.join(t, fmt.Sprint("room", i), "Mallory")
	}
	session, err := s.b.Join(context.Background(), "room9", "Mallory")
	require.NoError(t, err)
	c := s.dial(t)
	e := c.expect(TypeError)
	assert.Equal(t, 1027, e.Code)
	assert.Equal(t, "OT_CONNECTION_LIMIT_EXCEEDED", e.Name)
	assert.Contains(t, e.Message, "too many connections from your network address")
	code, _ := c.closeStatus()
	assert.Equal(t, websocket.StatusCode(CloseLimit), code)

	// Another address is served meanwhile.
	other := dialFrom(t, s.url, "127.0.0.2")
	other.send(Message{Type: TypeConnect, Token: session.Token, SessionID: session.SessionID, Encrypted: true})
	assert.Equal(t, session.SessionID, other.expect(TypeConnected).SessionID)
}

// dialFrom opens a signaling socket from another loopback address.
func dialFrom(t *testing.T, url, localIP string) *client {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(localIP)}}
	httpClient := &http.Client{Transport: &http.Transport{DialContext: dialer.DialContext}}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPClient: httpClient})
	require.NoError(t, err)
	c := &client{t: t, conn: conn, arrived: make(chan struct{}, 1), closed: make(chan struct{})}
	go c.read()
	t.Cleanup(func() { _ = conn.CloseNow() })
	return c
}

func TestRefusalsAreLoggedWithoutTheToken(t *testing.T) {
	var buf syncBuffer
	s := newTestServer(t, Config{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	c := s.dial(t)
	c.send(Message{Type: TypeConnect, Token: "eyJhbGciOiJIUzI1NiJ9.secret-looking.token", SessionID: "s"})
	c.closeStatus()
	c = s.join(t, "logs", "Ada")
	_ = c.sendRaw(`{"type":"explode"}`)
	c.closeStatus()
	require.Eventually(t, func() bool { return strings.Count(buf.String(), "connection closed") == 2 }, 5*time.Second, 10*time.Millisecond)
	logged := buf.String()
	assert.Contains(t, logged, "status=4001")
	assert.Contains(t, logged, "status=4002")
	assert.NotContains(t, logged, "secret-looking")
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestASlowReaderIsDroppedBeforeItsQueueGrows has Mallory never read while
// Ada sends her the largest signals allowed.
func TestASlowReaderIsDroppedBeforeItsQueueGrows(t *testing.T) {
	s := newTestServer(t, Config{ReconnectGrace: 300 * time.Millisecond}) // a reader this slow may be a network gone: it gets the grace
	ada := s.join(t, "slow", "Ada")
	session, err := s.b.Join(context.Background(), "slow", "Mallory")
	require.NoError(t, err)
	conn, _, err := websocket.Dial(context.Background(), s.url, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.CloseNow() })
	data, err := json.Marshal(Message{Type: TypeConnect, Token: session.Token, SessionID: session.SessionID, Encrypted: true})
	require.NoError(t, err)
	require.NoError(t, conn.Write(context.Background(), websocket.MessageText, data)) // and never reads again
	ada.expect(TypeConnectionCreated)
	mallory := s.b.participantNamed(t, "Mallory")
	mallory.mu.Lock()
	sock := mallory.sock
	mallory.mu.Unlock()

	big := strings.Repeat("x", MaxSignalData)
	pace := rate.NewLimiter(MessagesPerSecond*3/4, 1) // within Ada's message rate
	for i := 0; i < 3000 && sock.ctx.Err() == nil; i++ {
		require.NoError(t, pace.Wait(context.Background()))
		ada.send(Message{Type: TypeSignal, ID: fmt.Sprint(i), SignalType: "chat", Data: big})
	}
	require.Error(t, sock.ctx.Err(), "Mallory was dropped")
	assert.LessOrEqual(t, sock.queued.Load(), int64(OutboxBytes+MaxMessageBytes), "the queue stayed within its bound")
	assert.Equal(t, ReasonNetworkDisconnected, ada.expect(TypeConnectionDestroyed).Reason)
}
