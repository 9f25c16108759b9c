package local

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestConnectTellsWhoIsThereAndTellsThemAboutYou(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "hello", "Ada")
	_, _, _, streamID := ada.publish("pub1")
	grace := s.join(t, "hello", "Grace")

	connected := grace.expect(TypeConnected)
	assert.True(t, connected.E2EE)
	assert.Equal(t, grace.sessionID, connected.SessionID)
	assert.Equal(t, "Grace", connected.Connection.Data)
	require.Len(t, connected.Connections, 1)
	assert.Equal(t, "Ada", connected.Connections[0].Data)
	require.Len(t, connected.Streams, 1)
	assert.Equal(t, streamID, connected.Streams[0].StreamID)

	created := ada.expect(TypeConnectionCreated)
	assert.Equal(t, "Grace", created.Connection.Data)
	assert.Equal(t, connected.ConnectionID, created.Connection.ConnectionID)
}

func TestTokensAreRefused(t *testing.T) {
	s := newTestServer(t, Config{TokenKey: []byte(strings.Repeat("k", 32))})
	good, err := s.b.Join(context.Background(), "tokens", "Ada")
	require.NoError(t, err)
	other, err := s.b.Join(context.Background(), "another-room", "Ada")
	require.NoError(t, err)
	forger := &tokens{key: []byte(strings.Repeat("x", 32)), ttl: time.Hour, now: time.Now}
	forged, err := forger.mint(good.SessionID, "Mallory")
	require.NoError(t, err)
	past := &tokens{key: s.b.tokens.key, ttl: time.Minute, now: func() time.Time { return time.Now().Add(-time.Hour) }}
	expired, err := past.mint(good.SessionID, "Ada")
	require.NoError(t, err)
	none, err := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"session_id": good.SessionID}).SignedString(jwt.UnsafeAllowNoneSignatureType)
	require.NoError(t, err)

	tests := []struct{ name, token, reason string }{
		{"missing", "", "not valid"},
		{"malformed", "not.a.token", "not valid"},
		{"expired", expired, "expired"},
		{"forged", forged, "not valid"},
		{"unsigned", none, "not valid"},
		{"for another session", other.Token, "another session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := s.dial(t)
			c.send(Message{Type: TypeConnect, Token: tt.token, SessionID: good.SessionID, Encrypted: true})
			e := c.expect(TypeError)
			assert.Equal(t, 1004, e.Code)
			assert.Equal(t, "OT_AUTHENTICATION_ERROR", e.Name)
			code, reason := c.closeStatus()
			assert.Equal(t, websocket.StatusCode(CloseAuthentication), code)
			assert.Contains(t, reason, tt.reason)
		})
	}
}

func TestLimits(t *testing.T) {
	t.Run("rooms", func(t *testing.T) {
		s := newTestServer(t, Config{MaxRooms: 1})
		s.join(t, "first", "Ada")
		_, err := s.b.Join(context.Background(), "second", "Grace")
		require.Error(t, err, "the session API refuses a room over the limit")
		assert.Contains(t, err.Error(), "as many calls as it can")
	})
	t.Run("participants", func(t *testing.T) {
		s := newTestServer(t, Config{MaxParticipants: 2})
		s.join(t, "small", "Ada")
		s.join(t, "small", "Grace")
		session, err := s.b.Join(context.Background(), "small", "Linus")
		require.NoError(t, err)
		c := s.dial(t)
		c.send(Message{Type: TypeConnect, Token: session.Token, SessionID: session.SessionID, Encrypted: true})
		assert.Equal(t, 1027, c.expect(TypeError).Code)
		code, reason := c.closeStatus()
		assert.Equal(t, websocket.StatusCode(CloseLimit), code)
		assert.Contains(t, reason, "full")
	})
	t.Run("message size", func(t *testing.T) {
		s := newTestServer(t, Config{})
		c := s.join(t, "big", "Ada")
		_ = c.sendRaw(`{"type":"signal","id":"1","data":"` + strings.Repeat("a", MaxMessageBytes) + `"}`)
		code, _ := c.closeStatus()
		assert.Equal(t, websocket.StatusCode(CloseLimit), code)
	})
	t.Run("message rate", func(t *testing.T) {
		s := newTestServer(t, Config{})
		c := s.join(t, "chatty", "Ada")
		for i := 0; i < MessageBurst+50; i++ {
			if c.sendRaw(`{"type":"streamProperty","pc":"none","hasAudio":true}`) != nil {
				break
			}
		}
		code, reason := c.closeStatus()
		assert.Equal(t, websocket.StatusCode(CloseLimit), code)
		assert.Contains(t, reason, "too many messages")
	})
	t.Run("signal size", func(t *testing.T) {
		s := newTestServer(t, Config{})
		c := s.join(t, "signals", "Ada")
		c.send(Message{Type: TypeSignal, ID: "s1", SignalType: "chat", Data: strings.Repeat("a", MaxSignalData+1)})
		e := c.expect(TypeError)
		assert.Equal(t, 413, e.Code)
		assert.Equal(t, "s1", e.ID)
	})
}

func TestAMalformedMessageClosesOnlyItsSender(t *testing.T) {
	for name, bad := range map[string]string{
		"not JSON":       `{nope`,
		"unknown type":   `{"type":"explode"}`,
		"unknown field":  `{"type":"disconnect","bomb":1}`,
		"missing fields": `{"type":"publish","pc":"p1"}`,
		"connect twice":  `{"type":"connect","token":"x","sessionId":"y"}`,
	} {
		t.Run(name, func(t *testing.T) {
			s := newTestServer(t, Config{})
			ada := s.join(t, "room", "Ada")
			mallory := s.join(t, "room", "Mallory")
			ada.expect(TypeConnectionCreated)

			require.NoError(t, mallory.sendRaw(bad))
			code, reason := mallory.closeStatus()
			assert.Equal(t, websocket.StatusCode(CloseProtocol), code)
			assert.NotEmpty(t, reason, "the close says why")

			gone := ada.expect(TypeConnectionDestroyed)
			assert.Equal(t, "Mallory", gone.Connection.Data)
			grace := s.join(t, "room", "Grace")
			assert.Equal(t, "Grace", ada.waitFor("Grace arrives", func(m Message) bool {
				return m.Type == TypeConnectionCreated && m.Connection.Data == "Grace"
			}).Connection.Data, "Ada is still in the call")
			grace.send(Message{Type: TypeSignal, ID: "s1", SignalType: "chat", Data: "hi"})
			assert.Equal(t, "hi", ada.expect(TypeSignal).Data)
		})
	}
}

func TestPublishingOrSubscribingWithoutASecretIsRefused(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "nosecret", "Ada")
	grace := s.join(t, "nosecret", "Grace")
	_, _, _, streamID := ada.publish("pub1")

	grace.send(Message{Type: TypePublish, PC: "p2", Stream: &Stream{Name: "x"}})
	e := grace.waitFor("publish error", func(m Message) bool { return m.Type == TypeError && m.PC == "p2" })
	assert.Equal(t, 1500, e.Code)
	assert.Equal(t, "OT_STREAM_CREATE_FAILED", e.Name)
	assert.Equal(t, msgPublishNoSecret, e.Message)

	grace.send(Message{Type: TypeSubscribe, ID: "s1", StreamID: streamID})
	e = grace.waitFor("subscribe error", func(m Message) bool { return m.Type == TypeError && m.ID == "s1" })
	assert.Equal(t, 1501, e.Code)
	assert.Equal(t, "OT_UNABLE_TO_SUBSCRIBE", e.Name)
	assert.Equal(t, msgSubscribeNoSecret, e.Message)
}

func TestMuteReachesTheOthers(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "mute", "Ada")
	grace := s.join(t, "mute", "Grace")
	_, _, _, streamID := ada.publish("pub1")
	off := false
	ada.send(Message{Type: TypeStreamProperty, PC: "pub1", HasAudio: &off})
	changed := grace.expect(TypeStreamPropertyChanged)
	assert.Equal(t, streamID, changed.StreamID)
	assert.Equal(t, "hasAudio", changed.ChangedProperty)
	assert.True(t, *changed.OldValue)
	assert.False(t, *changed.NewValue)
}

func TestAVanishedParticipantIsGoneForEveryoneAfterTheReconnectGrace(t *testing.T) {
	const reconnect = 700 * time.Millisecond
	s := newTestServer(t, Config{ReconnectGrace: reconnect})
	ada := s.join(t, "vanish", "Ada")
	grace := s.join(t, "vanish", "Grace")
	_, _, _, streamID := ada.publish("pub1")
	grace.expect(TypeStreamCreated)

	start := time.Now()
	require.NoError(t, ada.conn.CloseNow()) // the tab is killed: no close handshake
	interrupted := grace.expect(TypeConnectionInterrupted)
	assert.Equal(t, ada.connectionID(), interrupted.ConnectionID)
	destroyed := grace.expect(TypeStreamDestroyed)
	gone := grace.expect(TypeConnectionDestroyed)
	took := time.Since(start)
	assert.GreaterOrEqual(t, took, reconnect, "kept for the grace")
	assert.Less(t, took, reconnect+DisconnectGrace)
	assert.Equal(t, streamID, destroyed.Stream.StreamID)
	assert.Equal(t, ReasonNetworkDisconnected, destroyed.Reason)
	assert.Equal(t, ReasonNetworkDisconnected, gone.Reason)
}

func TestLeavingIsClean(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "leave", "Ada")
	grace := s.join(t, "leave", "Grace")
	ada.publish("pub1")
	grace.expect(TypeStreamCreated)
	ada.send(Message{Type: TypeDisconnect})
	code, _ := ada.closeStatus()
	assert.Equal(t, websocket.StatusNormalClosure, code)
	assert.Equal(t, ReasonClientDisconnected, grace.expect(TypeStreamDestroyed).Reason)
	assert.Equal(t, ReasonClientDisconnected, grace.expect(TypeConnectionDestroyed).Reason)
}

func TestNoGoroutineOrPeerConnectionOutlivesItsParticipant(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	t.Run("100 join and leave cycles", func(t *testing.T) {
		s := newTestServer(t, Config{})
		for i := 0; i < 100; i++ {
			c := s.join(t, "cycles", "Ada")
			if i%25 == 0 { // every 25th cycle with media, the rest signaling only
				_, _, _, streamID := c.publish("pub1")
				other := s.join(t, "cycles", "Grace")
				sub := other.subscribe("sub1", streamID)
				other.send(Message{Type: TypeDisconnect})
				other.closeStatus()
				require.NoError(t, sub.Close())
			}
			c.send(Message{Type: TypeDisconnect})
			c.closeStatus()
			if c.pc != nil {
				require.NoError(t, c.pc.Close())
			}
		}
		require.Eventually(t, func() bool {
			s.b.mu.Lock()
			defer s.b.mu.Unlock()
			return len(s.b.rooms) == 0
		}, 5*time.Second, 10*time.Millisecond, "every room is gone")
	})
}
