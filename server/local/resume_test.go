package local

import (
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestADroppedSocketResumesWithEverythingKept drops Grace's socket in a
// call: Ada sees her interrupted, not gone; Grace comes back on a new socket
// with the same connection id, learns what changed meanwhile, and her media
// never stopped.
func TestADroppedSocketResumesWithEverythingKept(t *testing.T) {
	s := newTestServer(t, Config{ReconnectGrace: 5 * time.Second})
	ada := s.join(t, "resume", "Ada")
	grace := s.join(t, "resume", "Grace")
	_, video, audio, streamID := ada.publish("pub1")
	down := grace.subscribe("s1", streamID)
	var got payloads
	got.record(down)
	sendUntil(t, func(sent int) bool { return got.contains("video/VP8", ciphertext("vp8", sent-1)) }, video, audio)

	require.NoError(t, grace.conn.CloseNow()) // the network drops the socket: no close frame
	interrupted := ada.expect(TypeConnectionInterrupted)
	assert.Equal(t, grace.connectionID(), interrupted.ConnectionID)

	// Meanwhile Alan joins and publishes; Grace hears of it only when she is back.
	alan := s.join(t, "resume", "Alan")
	_, _, _, alansStream := alan.publish("pub1")

	back := s.resume(t, grace)
	connected := back.expect(TypeConnected)
	assert.True(t, connected.Resumed)
	assert.Equal(t, grace.connectionID(), connected.ConnectionID, "the same connection id")
	var streams []string
	for _, st := range connected.Streams {
		streams = append(streams, st.StreamID)
	}
	assert.ElementsMatch(t, []string{streamID, alansStream}, streams, "the call as it is now")
	assert.Len(t, connected.Connections, 2, "Ada and Alan, not herself")
	assert.Equal(t, grace.connectionID(), ada.expect(TypeConnectionResumed).ConnectionID)

	// Her subscription was kept: media flows on, and she can subscribe again on the new socket.
	mark := got.count("video/VP8")
	sendUntil(t, func(sent int) bool {
		return got.contains("video/VP8", ciphertext("vp8", sent-1)) && got.count("video/VP8") > mark
	}, video, audio)
	back.subscribe("s2", alansStream)
	for _, m := range ada.messages() {
		assert.NotEqual(t, TypeConnectionDestroyed, m.Type, "Ada never saw Grace leave")
	}
}

// TestConnectedListsWhoIsAway has Grace and Alan drop at once: whoever gets
// "connected" while Alan is away, resuming (Grace) or joining (Bea), learns
// it there, since the "connectionInterrupted" went out before they could
// hear it; once Alan is back, nobody is listed.
func TestConnectedListsWhoIsAway(t *testing.T) {
	s := newTestServer(t, Config{ReconnectGrace: 5 * time.Second})
	ada := s.join(t, "resume-away", "Ada")
	grace := s.join(t, "resume-away", "Grace")
	alan := s.join(t, "resume-away", "Alan")
	alanID, graceID := alan.connectionID(), grace.connectionID()
	require.NoError(t, grace.conn.CloseNow())
	require.NoError(t, alan.conn.CloseNow())
	for _, id := range []string{graceID, alanID} {
		ada.waitFor("both interrupted", func(m Message) bool { return m.Type == TypeConnectionInterrupted && m.ConnectionID == id })
	}

	graceBack := s.resume(t, grace)
	assert.Equal(t, []string{alanID}, graceBack.expect(TypeConnected).Interrupted, "Grace resumes: Alan is still away")
	bea := s.join(t, "resume-away", "Bea")
	assert.Equal(t, []string{alanID}, bea.expect(TypeConnected).Interrupted, "a joiner learns Alan is away")

	alanBack := s.resume(t, alan)
	assert.Empty(t, alanBack.expect(TypeConnected).Interrupted, "Alan resumes: nobody is away")
	assert.Equal(t, alanID, bea.expect(TypeConnectionResumed).ConnectionID)
	cy := s.join(t, "resume-away", "Cy")
	assert.Empty(t, cy.expect(TypeConnected).Interrupted, "a joiner after: nobody is away")
}

func TestResumingNeedsTheResumeKey(t *testing.T) {
	s := newTestServer(t, Config{ReconnectGrace: 5 * time.Second})
	ada := s.join(t, "resume-key", "Ada")
	grace := s.join(t, "resume-key", "Grace")
	require.NoError(t, grace.conn.CloseNow())
	ada.expect(TypeConnectionInterrupted)

	// Ada knows Grace's connection id and has a token for the room, not Grace's key.
	mallory := s.dial(t)
	mallory.send(Message{Type: TypeConnect, Token: ada.token, SessionID: ada.sessionID, Encrypted: true,
		ConnectionID: grace.connectionID(), ResumeKey: ada.expect(TypeConnected).ResumeKey})
	e := mallory.expect(TypeError)
	assert.Equal(t, "OT_CONNECT_FAILED", e.Name)
	code, _ := mallory.closeStatus()
	assert.Equal(t, websocket.StatusCode(CloseResumeFailed), code)

	back := s.resume(t, grace)
	assert.True(t, back.expect(TypeConnected).Resumed, "the right key still works")
}

func TestAfterTheGraceResumingFails(t *testing.T) {
	const reconnect = 300 * time.Millisecond
	s := newTestServer(t, Config{ReconnectGrace: reconnect})
	ada := s.join(t, "resume-late", "Ada")
	grace := s.join(t, "resume-late", "Grace")
	grace.connectionID()
	require.NoError(t, grace.conn.CloseNow())
	assert.Equal(t, ReasonNetworkDisconnected, ada.expect(TypeConnectionDestroyed).Reason)

	late := s.resume(t, grace)
	e := late.expect(TypeError)
	assert.Contains(t, e.Message, "grace period")
	code, _ := late.closeStatus()
	assert.Equal(t, websocket.StatusCode(CloseResumeFailed), code)
}

// TestAnOfferMissedWhileAwayIsSentAgain has Grace's socket drop right after
// she asks for a stream, before the offer reaches her.
func TestAnOfferMissedWhileAwayIsSentAgain(t *testing.T) {
	s := newTestServer(t, Config{ReconnectGrace: 5 * time.Second})
	s.b.answerTimeout = 1500 * time.Millisecond // time enough to answer, on a busy machine too
	ada := s.join(t, "resume-offer", "Ada")
	grace := s.join(t, "resume-offer", "Grace")
	_, _, _, streamID := ada.publish("pub1")
	grace.send(Message{Type: TypeSubscribe, ID: "s1", StreamID: streamID, Encrypted: true})
	grace.expect(TypeOffer)
	require.NoError(t, grace.conn.CloseNow())
	ada.expect(TypeConnectionInterrupted)
	time.Sleep(2 * s.b.answerTimeout) // the answer timeout does not run while she is away

	back := s.resume(t, grace)
	back.expect(TypeConnected)
	connected(t, back.answerOffer())
}

func TestLeavingOnPurposeGetsNoGrace(t *testing.T) {
	s := newTestServer(t, Config{ReconnectGrace: time.Minute})
	ada := s.join(t, "resume-leave", "Ada")
	grace := s.join(t, "resume-leave", "Grace")
	require.NoError(t, grace.conn.Close(websocket.StatusGoingAway, "tab closed"))
	gone := ada.expect(TypeConnectionDestroyed)
	assert.Equal(t, ReasonClientDisconnected, gone.Reason)
	assert.Empty(t, ada.messagesOf(TypeConnectionInterrupted))
}

// TestAnOfferMadeWhileAwayWaitsForTheResume has Ada stop publishing while
// Grace, who receives her, is away: the offer that removes Ada's tracks is
// not timed until Grace is back, and reaches her then.
func TestAnOfferMadeWhileAwayWaitsForTheResume(t *testing.T) {
	s := newTestServer(t, Config{ReconnectGrace: 5 * time.Second})
	s.b.answerTimeout = 1500 * time.Millisecond
	ada := s.join(t, "resume-later", "Ada")
	grace := s.join(t, "resume-later", "Grace")
	_, _, _, streamID := ada.publish("pub1")
	connected(t, grace.subscribe("s1", streamID))
	require.NoError(t, grace.conn.CloseNow())
	ada.expect(TypeConnectionInterrupted)
	ada.send(Message{Type: TypeUnpublish, PC: "pub1"})
	ada.answerOffer()
	time.Sleep(2 * s.b.answerTimeout) // longer than an answer may take once she is back

	back := s.resume(t, grace)
	assert.Empty(t, back.expect(TypeConnected).Streams, "Ada's stream is gone")
	back.answerOffer()
	back.send(Message{Type: TypeSignal, ID: "alive", SignalType: "t", Data: "x"})
	back.expect(TypeSignalSent)
}

// TestICERestartsKeepMediaFlowing restarts ICE on the publisher's peer
// connection, then on the subscriber's, as the server does after a network
// change: the new ICE credentials are taken and media flows on.
func TestICERestartsKeepMediaFlowing(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "restart-ice", "Ada")
	grace := s.join(t, "restart-ice", "Grace")
	pub, video, audio, streamID := ada.publish("pub1")
	down := grace.subscribe("s1", streamID)
	var got payloads
	got.record(down)
	flows := func() {
		t.Helper()
		mark := got.count("video/VP8")
		sendUntil(t, func(sent int) bool { return got.count("video/VP8") > mark+5 }, video, audio)
	}
	flows()

	before := iceUfrag(pub.RemoteDescription().SDP)
	s.b.participantNamed(t, "Ada").peer.restart()
	ada.answerOffer()
	assert.NotEqual(t, before, iceUfrag(pub.RemoteDescription().SDP), "the server offered the publisher new ICE credentials")
	flows()

	downBefore := iceUfrag(down.RemoteDescription().SDP)
	s.b.participantNamed(t, "Grace").peer.restart()
	grace.answerOffer()
	assert.NotEqual(t, downBefore, iceUfrag(down.RemoteDescription().SDP), "the server offered new ICE credentials")
	flows()
}

// iceUfrag is the first a=ice-ufrag of an SDP.
func iceUfrag(sdp string) string {
	for _, line := range strings.Split(sdp, "\r\n") {
		if u, ok := strings.CutPrefix(line, "a=ice-ufrag:"); ok {
			return u
		}
	}
	return ""
}
