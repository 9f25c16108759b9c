package local

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/transport/v5/packetio"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// madeUpSSRCs is a video track whose packets carry whatever SSRC the test
// gives them, as a hostile client's could.
type madeUpSSRCs struct {
	*webrtc.TrackLocalStaticRTP
	mu     sync.Mutex
	writer webrtc.TrackLocalWriter
}

func (m *madeUpSSRCs) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	m.mu.Lock()
	m.writer = ctx.WriteStream()
	m.mu.Unlock()
	return m.TrackLocalStaticRTP.Bind(ctx)
}

func (m *madeUpSSRCs) write(ssrc uint32) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, err := m.writer.WriteRTP(&rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, SSRC: ssrc}, ciphertext("vp8", 0))
	return err
}

// reportsOnMadeUpSSRCs sends receiver reports about 31 SSRCs at a time that
// nobody declared, until the connection closes or 155,000 are sent.
func reportsOnMadeUpSSRCs(pc *webrtc.PeerConnection) {
	for range 5000 {
		rr := &rtcp.ReceiverReport{SSRC: rand.Uint32()}
		for range 31 {
			rr.Reports = append(rr.Reports, rtcp.ReceptionReport{SSRC: rand.Uint32()})
		}
		if pc.WriteRTCP([]rtcp.Packet{rr}) != nil {
			return
		}
	}
}

// pion keeps a stream for every SSRC a client sends on or reports on until
// the connection closes: before the server declared which it takes, 20,000
// such reports grew it by 330 MB.
func TestMadeUpSSRCsEndTheParticipant(t *testing.T) {
	tests := []struct {
		name   string
		flood  func(t *testing.T, s *testServer, mallory *client)
		logged string // pion's line about it, if pion writes one
	}{
		{"reports from a publisher", func(t *testing.T, s *testServer, mallory *client) {
			pub, _, _, _ := mallory.publish("pub1")
			connected(t, pub)
			reportsOnMadeUpSSRCs(pub)
		}, ""},
		{"reports from a subscriber", func(t *testing.T, s *testServer, mallory *client) {
			ada := s.join(t, "flood", "Ada")
			_, _, _, streamID := ada.publish("pub1")
			down := mallory.subscribe("sub1", streamID)
			connected(t, down)
			reportsOnMadeUpSSRCs(down)
		}, ""},
		{"media from a publisher", func(t *testing.T, s *testServer, mallory *client) {
			pub, _, _, _ := mallory.publish("pub1")
			connected(t, pub)
			track, err := webrtc.NewTrackLocalStaticRTP(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8}, "video", "cam")
			require.NoError(t, err)
			madeUp := &madeUpSSRCs{TrackLocalStaticRTP: track}
			var video *webrtc.RTPSender
			for _, sender := range pub.GetSenders() {
				if sender.Track().Kind() == webrtc.RTPCodecTypeVideo {
					video = sender
				}
			}
			require.NoError(t, video.ReplaceTrack(madeUp))
			for range 100_000 {
				if madeUp.write(rand.Uint32()) != nil {
					return
				}
			}
		}, `msg="pion reported an error" scope=pc error="Incoming unhandled RTP ssrc`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			s := newTestServer(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			mallory := s.join(t, "flood", "Mallory")
			tt.flood(t, s, mallory)

			code, reason := mallory.closeStatus()
			assert.Equal(t, websocket.StatusCode(CloseLimit), code)
			assert.Contains(t, reason, "more than 64 streams it had not declared")
			anotherRoomWorks(t, s, "elsewhere")
			assert.Contains(t, logs.String(), "status=4003")
			if tt.logged != "" {
				assert.Contains(t, logs.String(), tt.logged, "pion's errors go to the server's log, where they are rate-limited")
			}
		})
	}
}

// A subscriber's reports on the tracks it receives still reach the server:
// a key frame request for each of two streams on one peer connection reaches that
// stream's publisher, and reports on a track it no longer receives do not.
func TestReportsOnEachSubscribedTrackAreHandled(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "reports", "Ada")
	bob := s.join(t, "reports", "Bob")
	grace := s.join(t, "reports", "Grace")
	adaPC, adaVideo, adaAudio, adaStream := ada.publish("pub1")
	bobPC, bobVideo, bobAudio, bobStream := bob.publish("pub1")
	adaPLIs, bobPLIs := countPLIs(adaPC), countPLIs(bobPC)
	grace.subscribe("a", adaStream)
	down := grace.subscribe("b", bobStream)

	var mu sync.Mutex
	arrived := map[string]uint32{} // the SSRC each stream's video arrives on
	down.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		if track.Kind() == webrtc.RTPCodecTypeVideo {
			mu.Lock()
			arrived[track.StreamID()] = uint32(track.SSRC())
			mu.Unlock()
		}
		for {
			if _, _, err := track.ReadRTP(); err != nil {
				return
			}
		}
	})
	videoSSRC := func(streamID string) uint32 {
		mu.Lock()
		defer mu.Unlock()
		return arrived[streamID]
	}
	i := 0
	require.Eventually(t, func() bool {
		sendPacket(t, i, adaVideo, adaAudio)
		sendPacket(t, i, bobVideo, bobAudio)
		i++
		return videoSSRC(adaStream) != 0 && videoSSRC(bobStream) != 0
	}, 10*time.Second, 50*time.Millisecond, "both videos arrive")
	time.Sleep(time.Second) // past the key frame requests made as the subscriptions started

	askKeyFrame := func(streamID string) {
		t.Helper()
		time.Sleep(pliInterval) // past the rate limit
		require.NoError(t, down.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: videoSSRC(streamID)}}))
	}
	adaBefore, bobBefore := adaPLIs(), bobPLIs()
	askKeyFrame(bobStream)
	require.Eventually(t, func() bool { return bobPLIs() > bobBefore }, 5*time.Second, 20*time.Millisecond, "Bob is asked for a key frame")
	askKeyFrame(adaStream)
	require.Eventually(t, func() bool { return adaPLIs() > adaBefore }, 5*time.Second, 20*time.Millisecond, "Ada is asked for a key frame")

	adaSSRC := videoSSRC(adaStream)
	grace.send(Message{Type: TypeUnsubscribe, ID: "a"})
	grace.answerOffer()
	time.Sleep(pliInterval)
	adaBefore = adaPLIs()
	require.NoError(t, down.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: adaSSRC}}))
	time.Sleep(time.Second)
	assert.Equal(t, adaBefore, adaPLIs(), "a report on a track Grace no longer receives asks Ada for nothing")
}

// An answer that sends, as Chrome writes it: its SSRCs are read, and only
// SSRCs that no line declared count towards the limit.
func TestAnAnswersSSRCsAreTheOnesRead(t *testing.T) {
	in := newIncomingStreams(func() { t.Error("ended for one undeclared stream") })
	in.declare("m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n" +
		"a=ssrc-group:FID 1111 2222\r\n" +
		"a=ssrc:1111 cname:x\r\n" +
		"a=ssrc:1111 msid:cam video\r\n" +
		"m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" +
		"a=ssrc:3333 cname:x\r\n")
	for _, ssrc := range []uint32{1111, 2222, 3333} {
		assert.IsType(t, &readThrough{}, in.buffer(packetio.RTPBufferPacket, ssrc), "media on %d", ssrc)
		assert.IsType(t, &readThrough{}, in.buffer(packetio.RTCPBufferPacket, ssrc), "reports on %d", ssrc)
	}
	assert.Zero(t, in.undeclared)
	assert.IsType(t, dropped{}, in.buffer(packetio.RTPBufferPacket, 4444), "an SSRC no line declared")
	assert.Equal(t, 1, in.undeclared)
}

// What an answer declares is bounded: extra a=ssrc lines get no buffers.
func TestAnAnswerDeclaresAtMostSixteenSSRCs(t *testing.T) {
	in := newIncomingStreams(func() {})
	var answer strings.Builder
	for ssrc := 1; ssrc <= 5000; ssrc++ {
		fmt.Fprintf(&answer, "a=ssrc:%d cname:x\r\n", ssrc)
	}
	in.declare(answer.String())
	assert.IsType(t, &readThrough{}, in.buffer(packetio.RTPBufferPacket, 16))
	assert.IsType(t, dropped{}, in.buffer(packetio.RTPBufferPacket, 17))
	assert.Len(t, in.declared, 16)
}

// Each answer says what the client sends now: SSRCs an earlier answer sent
// on and this one leaves out are forgotten, the server's own senders are not.
func TestALaterAnswerReplacesWhatIsSent(t *testing.T) {
	in := newIncomingStreams(func() {})
	in.handleReports(7, func([]byte) {})
	in.declare("a=ssrc:1 cname:x\r\na=ssrc:2 cname:x\r\n")
	in.declare("a=ssrc:2 cname:x\r\na=ssrc:3 cname:x\r\na=ssrc:7 cname:x\r\n")
	assert.IsType(t, dropped{}, in.buffer(packetio.RTPBufferPacket, 1), "an SSRC no longer sent on")
	assert.IsType(t, &readThrough{}, in.buffer(packetio.RTPBufferPacket, 2))
	assert.IsType(t, &readThrough{}, in.buffer(packetio.RTPBufferPacket, 3))
	assert.IsType(t, reportHandler{}, in.buffer(packetio.RTCPBufferPacket, 7), "the server's sender keeps its handler")
	in.declare("")
	assert.Len(t, in.declared, 1, "only the server's sender")
}

// Stopped senders' SSRCs are remembered for a while, not for ever.
func TestStoppedSendersAreForgottenInTime(t *testing.T) {
	in := newIncomingStreams(func() {})
	for ssrc := uint32(1); ssrc <= 1000; ssrc++ {
		in.handleReports(ssrc, func([]byte) {})
		in.stopReports(ssrc)
	}
	assert.Len(t, in.declared, 256)
	assert.IsType(t, dropped{}, in.buffer(packetio.RTCPBufferPacket, 1000), "a report on a sender that just stopped")
	assert.Zero(t, in.undeclared)
	in.buffer(packetio.RTCPBufferPacket, 1)
	assert.Equal(t, 1, in.undeclared, "a report on a sender stopped long ago")
}

// A publisher's sender reports reach pion's receiver reports, read through
// the track's receiver as they arrive: the reports the server sends back
// name the last one (LSR), from which the browser learns the round trip
// time.
func TestAPublishersSenderReportsAreAnswered(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "sender-reports", "Ada")
	pc, video, audio, _ := ada.publish("cam")
	connected(t, pc)
	sender := ada.senders["cam"][1]
	ssrc := uint32(sender.GetParameters().Encodings[0].SSRC)
	const ntp = uint64(0x0000_1234_5678_0000)

	answered := firstRTCP(sender, func(pkt rtcp.Packet) bool {
		rr, ok := pkt.(*rtcp.ReceiverReport)
		return ok && slices.ContainsFunc(rr.Reports, func(r rtcp.ReceptionReport) bool {
			return r.SSRC == ssrc && r.LastSenderReport == uint32(ntp>>16)
		})
	})
	deadline := time.After(10 * time.Second)
	for i := 0; ; i++ {
		sendPacket(t, i, video, audio) // the server reads reports once the track has arrived
		if i%10 == 0 {
			require.NoError(t, pc.WriteRTCP([]rtcp.Packet{&rtcp.SenderReport{SSRC: ssrc, NTPTime: ntp, RTPTime: uint32(i * 3000)}}))
		}
		select {
		case <-answered:
			return
		case <-deadline:
			t.Fatal("no receiver report named the sender report")
		default:
		}
	}
}

// A publisher's media is read through pion's interceptors as it arrives:
// the server asks the publisher again for a packet that never came (NACK).
func TestAPublishersLostPacketsAreAskedFor(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "nacks", "Ada")
	pc, video, audio, _ := ada.publish("cam")
	connected(t, pc)
	sender := ada.senders["cam"][1]

	const lost = 7 // of every 10 packets, the one ending in 7 is never sent
	nacked := firstRTCP(sender, func(pkt rtcp.Packet) bool {
		_, ok := pkt.(*rtcp.TransportLayerNack)
		return ok
	})
	deadline := time.After(10 * time.Second)
	for i := 0; ; i++ {
		if i%10 != lost {
			sendPacket(t, i, video, audio)
		}
		select {
		case nack := <-nacked:
			for _, pair := range nack.(*rtcp.TransportLayerNack).Nacks {
				for _, seq := range pair.PacketList() {
					assert.Equal(t, lost, int(seq)%10, "asked for packet %d, which was sent", seq)
				}
			}
			return
		case <-deadline:
			t.Fatal("the server asked for no lost packet")
		default:
		}
	}
}

// What is written before the track arrives is read, in order, when it does;
// after that, each packet is read as it is written; a stream whose reads
// fail is read no further.
func TestAStreamIsReadAsItIsWritten(t *testing.T) {
	r := newReadThrough(rtpBufferBytes)
	write := func(b byte) {
		t.Helper()
		_, err := r.Write([]byte{b})
		require.NoError(t, err)
	}
	write(1)
	write(2)
	var got []byte
	buf := make([]byte, 10)
	r.through(func() error {
		n, err := r.Read(buf)
		got = append(got, buf[:n]...)
		return err
	})
	assert.Equal(t, []byte{1, 2}, got, "what came before the track")
	write(3)
	assert.Equal(t, []byte{1, 2, 3}, got, "read as it is written")
	assert.Zero(t, r.Count())

	failing := newReadThrough(rtpBufferBytes)
	failing.through(func() error { return io.ErrClosedPipe })
	done := make(chan struct{})
	go func() {
		_, _ = failing.Write([]byte{1})
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a write waited for reads that kept failing")
	}
}

// firstRTCP gives the first RTCP packet that sender receives and match accepts.
func firstRTCP(sender *webrtc.RTPSender, match func(rtcp.Packet) bool) <-chan rtcp.Packet {
	found := make(chan rtcp.Packet, 1)
	readRTCP(sender, func(pkt rtcp.Packet) bool {
		if !match(pkt) {
			return false
		}
		found <- pkt
		return true
	})
	return found
}
