package local

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

// testServer runs a backend behind a real HTTP server.
type testServer struct {
	b   *Backend
	url string
}

func newTestServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	b, err := New(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(b.Signaling())
	t.Cleanup(func() {
		require.NoError(t, b.Close())
		srv.Close()
	})
	return &testServer{b: b, url: "ws" + strings.TrimPrefix(srv.URL, "http")}
}

// client is a participant speaking the protocol, as the browser library does.
type client struct {
	t         *testing.T
	conn      *websocket.Conn
	sessionID string
	token     string
	mu        sync.Mutex
	received  []Message
	arrived   chan struct{}
	closed    chan struct{}
	closeErr  error
	api       *webrtc.API
	pc        *webrtc.PeerConnection                   // the participant's one peer connection, made at the first offer
	answered  map[string]bool                          // the offers answered, by SDP
	tracks    map[string][]*webrtc.TrackLocalStaticRTP // what each publication sends (audio, video), by pc id
	senders   map[string][]*webrtc.RTPSender           // the senders of the publications the latest offer lists
}

// dial opens a socket without connecting to a session.
func (s *testServer) dial(t *testing.T) *client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, s.url, nil)
	require.NoError(t, err)
	conn.SetReadLimit(1 << 20)
	c := &client{t: t, conn: conn, arrived: make(chan struct{}, 1), closed: make(chan struct{}), answered: map[string]bool{},
		tracks: map[string][]*webrtc.TrackLocalStaticRTP{}, senders: map[string][]*webrtc.RTPSender{}}
	go c.read()
	t.Cleanup(func() { _ = conn.CloseNow() })
	return c
}

// join gets a token for room and connects with it.
func (s *testServer) join(t *testing.T, room, name string) *client {
	t.Helper()
	session, err := s.b.Join(context.Background(), room, name)
	require.NoError(t, err)
	c := s.dial(t)
	c.sessionID, c.token = session.SessionID, session.Token
	c.send(Message{Type: TypeConnect, Token: session.Token, SessionID: session.SessionID, Encrypted: true})
	c.expect(TypeConnected)
	return c
}

// resume connects a new socket as c's participant, as the browser library
// does after its socket dropped; the new client has c's token and peer
// connection.
func (s *testServer) resume(t *testing.T, c *client) *client {
	t.Helper()
	first := c.expect(TypeConnected)
	n := s.dial(t)
	n.sessionID, n.token, n.api, n.pc, n.tracks, n.senders = c.sessionID, c.token, c.api, c.pc, c.tracks, c.senders
	n.send(Message{Type: TypeConnect, Token: c.token, SessionID: c.sessionID, Encrypted: true,
		ConnectionID: first.ConnectionID, ResumeKey: first.ResumeKey})
	return n
}

func (c *client) read() {
	defer close(c.closed)
	for {
		_, data, err := c.conn.Read(context.Background())
		if err != nil {
			c.mu.Lock()
			c.closeErr = err
			c.mu.Unlock()
			return
		}
		var m Message
		require.NoError(c.t, json.Unmarshal(data, &m))
		c.mu.Lock()
		c.received = append(c.received, m)
		c.mu.Unlock()
		select {
		case c.arrived <- struct{}{}:
		default:
		}
	}
}

func (c *client) send(m Message) {
	c.t.Helper()
	data, err := json.Marshal(m)
	require.NoError(c.t, err)
	require.NoError(c.t, c.conn.Write(context.Background(), websocket.MessageText, data))
}

func (c *client) sendRaw(data string) error {
	return c.conn.Write(context.Background(), websocket.MessageText, []byte(data))
}

// waitFor returns the first message received that matches, waiting up to 10 s.
func (c *client) waitFor(what string, match func(Message) bool) Message {
	c.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		c.mu.Lock()
		for _, m := range c.received {
			if match(m) {
				c.mu.Unlock()
				return m
			}
		}
		c.mu.Unlock()
		select {
		case <-c.arrived:
		case <-c.closed:
			c.mu.Lock()
			for _, m := range c.received {
				if match(m) {
					c.mu.Unlock()
					return m
				}
			}
			err := c.closeErr
			c.mu.Unlock()
			c.t.Fatalf("waiting for %s: the socket closed: %v", what, err)
		case <-deadline:
			c.t.Fatalf("waiting for %s: not received; got %v", what, types(c.messages()))
		}
	}
}

func (c *client) expect(typ string) Message {
	c.t.Helper()
	return c.waitFor(typ, func(m Message) bool { return m.Type == typ })
}

// messagesOf is every message of type typ received so far.
func (c *client) messagesOf(typ string) []Message {
	var of []Message
	for _, m := range c.messages() {
		if m.Type == typ {
			of = append(of, m)
		}
	}
	return of
}

// types lists the messages' types, for failure messages.
func types(ms []Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Type
	}
	return out
}

func (c *client) messages() []Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Message{}, c.received...)
}

// closeStatus waits for the server to close the socket and returns how.
func (c *client) closeStatus() (websocket.StatusCode, string) {
	c.t.Helper()
	select {
	case <-c.closed:
	case <-time.After(10 * time.Second):
		c.t.Fatal("the server did not close the socket")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var ce websocket.CloseError
	if errors.As(c.closeErr, &ce) {
		return ce.Code, ce.Reason
	}
	return -1, c.closeErr.Error()
}

// newPeer is a pion PeerConnection as a browser's, on loopback.
func newPeer(t *testing.T) *webrtc.PeerConnection {
	t.Helper()
	pc, err := browserAPI(t).NewPeerConnection(webrtc.Configuration{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = pc.Close() })
	return pc
}

func browserAPI(t *testing.T) *webrtc.API {
	t.Helper()
	m := &webrtc.MediaEngine{}
	require.NoError(t, m.RegisterDefaultCodecs())
	s := webrtc.SettingEngine{}
	s.SetIncludeLoopbackCandidate(true)
	return webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(s))
}

// gathered sets desc and returns it with its candidates.
func gathered(t *testing.T, pc *webrtc.PeerConnection, desc webrtc.SessionDescription) string {
	t.Helper()
	done := webrtc.GatheringCompletePromise(pc)
	require.NoError(t, pc.SetLocalDescription(desc))
	<-done
	return pc.LocalDescription().SDP
}

// publish asks to publish VP8 and Opus tracks, answers the offer that
// gives them their transceivers, and returns them with the stream id.
func (c *client) publish(pcID string) (*webrtc.PeerConnection, *webrtc.TrackLocalStaticRTP, *webrtc.TrackLocalStaticRTP, string) {
	c.t.Helper()
	video, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", pcID)
	require.NoError(c.t, err)
	audio, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus}, "audio", pcID)
	require.NoError(c.t, err)
	c.tracks[pcID] = []*webrtc.TrackLocalStaticRTP{audio, video}
	c.send(Message{Type: TypePublish, PC: pcID, Encrypted: true, Stream: &Stream{Name: "cam", HasAudio: true, HasVideo: true}})
	c.answerOffer()
	published := c.waitFor("published "+pcID, func(m Message) bool { return m.Type == TypePublished && m.PC == pcID })
	return c.pc, video, audio, published.StreamID
}

// subscribe asks for a stream and answers the offer that follows; it
// returns the peer connection that all subscriptions arrive on.
func (c *client) subscribe(id, streamID string) *webrtc.PeerConnection {
	c.t.Helper()
	c.send(Message{Type: TypeSubscribe, ID: id, StreamID: streamID, Encrypted: true})
	c.waitFor("subscribed "+id, func(m Message) bool { return m.Type == TypeSubscribed && m.ID == id })
	return c.answerOffer()
}

// connectionID is the client's connection id, from "connected".
func (c *client) connectionID() string {
	c.t.Helper()
	return c.expect(TypeConnected).ConnectionID
}

// answerOffer answers the server's next offer not answered yet, as the
// browser library does: each publication it lists is sent on the
// transceivers it names, and a publication it no longer lists stops.
func (c *client) answerOffer() *webrtc.PeerConnection {
	c.t.Helper()
	offer := c.waitFor("an offer", func(m Message) bool { return m.Type == TypeOffer && !c.answered[m.SDP] })
	c.answered[offer.SDP] = true
	if c.pc == nil {
		c.api = browserAPI(c.t)
		pc, err := c.api.NewPeerConnection(webrtc.Configuration{})
		require.NoError(c.t, err)
		c.t.Cleanup(func() { _ = pc.Close() })
		c.pc = pc
	}
	require.NoError(c.t, c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer.SDP}))
	listed := map[string]bool{}
	for _, pub := range offer.Publications {
		listed[pub.PC] = true
		if c.senders[pub.PC] != nil || c.tracks[pub.PC] == nil {
			continue
		}
		for i, track := range c.tracks[pub.PC] {
			c.senders[pub.PC] = append(c.senders[pub.PC], c.sendOn([]string{pub.AudioMid, pub.VideoMid}[i], track))
		}
	}
	for pcID, senders := range c.senders {
		if !listed[pcID] {
			for _, sender := range senders {
				require.NoError(c.t, c.pc.RemoveTrack(sender))
			}
			delete(c.senders, pcID)
		}
	}
	answer, err := c.pc.CreateAnswer(nil)
	require.NoError(c.t, err)
	c.send(Message{Type: TypeAnswer, SDP: gathered(c.t, c.pc, answer)})
	return c.pc
}

// sendOn sends track on the transceiver with mid.
func (c *client) sendOn(mid string, track webrtc.TrackLocal) *webrtc.RTPSender {
	c.t.Helper()
	for _, t := range c.pc.GetTransceivers() {
		if t.Mid() == mid {
			sender, err := c.api.NewRTPSender(track, c.pc.SCTP().Transport())
			require.NoError(c.t, err)
			require.NoError(c.t, t.SetSender(sender, track))
			return sender
		}
	}
	c.t.Fatalf("the offer has no transceiver %q", mid)
	return nil
}
