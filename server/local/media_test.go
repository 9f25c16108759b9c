package local

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// payloads records the payloads a subscriber's track delivers.
type payloads struct {
	mu  sync.Mutex
	got map[string][][]byte // by mime type
}

func (p *payloads) record(pc *webrtc.PeerConnection) {
	p.got = map[string][][]byte{}
	pc.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			pkt, _, err := track.ReadRTP()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.got[track.Codec().MimeType] = append(p.got[track.Codec().MimeType], append([]byte(nil), pkt.Payload...))
			p.mu.Unlock()
		}
	})
}

// count is how many payloads of mime arrived.
func (p *payloads) count(mime string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.got[mime])
}

func (p *payloads) contains(mime string, want []byte) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, b := range p.got[mime] {
		if bytes.Equal(b, want) {
			return true
		}
	}
	return false
}

// ciphertext is a payload that looks like an encrypted frame: the codec's
// clear header bytes, then bytes nobody but the participants can read.
func ciphertext(kind string, i int) []byte {
	return []byte(fmt.Sprintf("%s-frame-%04d-\x00\xff\x10 encrypted bytes the SFU must not touch", kind, i))
}

// sendUntil sends numbered packets of both kinds at the pace of real media
// until done says so; it returns how many it sent.
func sendUntil(t *testing.T, done func(sent int) bool, video, audio *webrtc.TrackLocalStaticRTP) int {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	i := 0
	for ; i == 0 || !done(i); i++ {
		require.True(t, time.Now().Before(deadline), "media did not arrive")
		sendPacket(t, i, video, audio)
	}
	return i
}

func sendPacket(t *testing.T, i int, video, audio *webrtc.TrackLocalStaticRTP) {
	t.Helper()
	require.NoError(t, video.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, Marker: true, SequenceNumber: uint16(i), Timestamp: uint32(i * 3000)}, Payload: ciphertext("vp8", i)}))
	require.NoError(t, audio.WriteRTP(&rtp.Packet{Header: rtp.Header{Version: 2, SequenceNumber: uint16(i), Timestamp: uint32(i * 960)}, Payload: ciphertext("opus", i)}))
	time.Sleep(20 * time.Millisecond) // the pace of real media
}

func TestSubscriberReceivesThePublishersPayloadsUntouched(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "media", "Ada")
	grace := s.join(t, "media", "Grace")
	_, video, audio, streamID := ada.publish("pub1")

	created := grace.expect(TypeStreamCreated)
	assert.Equal(t, streamID, created.Stream.StreamID)
	assert.Equal(t, "Ada", created.Stream.Name, "the name from the token, not the \"cam\" asked for")
	assert.Equal(t, ada.waitFor("ada's id", func(m Message) bool { return m.Type == TypeConnected }).ConnectionID, created.Stream.ConnectionID)
	assert.True(t, created.Stream.Encrypted && created.Stream.HasAudio && created.Stream.HasVideo)
	assert.Equal(t, "camera", created.Stream.VideoType)
	assert.NotZero(t, created.Stream.CreationTime)

	sub := grace.subscribe("sub1", streamID)
	var got payloads
	got.record(sub)

	const after = 10 // packets sent once media flows, to compare one for one
	start := sendUntil(t, func(sent int) bool {
		return got.contains(webrtc.MimeTypeVP8, ciphertext("vp8", sent-1)) && got.contains(webrtc.MimeTypeOpus, ciphertext("opus", sent-1))
	}, video, audio)
	for i := start; i < start+after; i++ {
		sendPacket(t, i, video, audio)
	}
	require.Eventually(t, func() bool {
		return got.contains(webrtc.MimeTypeVP8, ciphertext("vp8", start+after-1)) && got.contains(webrtc.MimeTypeOpus, ciphertext("opus", start+after-1))
	}, 5*time.Second, 20*time.Millisecond)
	for i := start; i < start+after; i++ {
		assert.True(t, got.contains(webrtc.MimeTypeVP8, ciphertext("vp8", i)), "video payload %d arrives byte for byte", i)
		assert.True(t, got.contains(webrtc.MimeTypeOpus, ciphertext("opus", i)), "audio payload %d arrives byte for byte", i)
	}
}

// countPLIs counts the key frame requests that reach a publisher.
func countPLIs(pc *webrtc.PeerConnection) func() int {
	var mu sync.Mutex
	n := 0
	for _, sender := range pc.GetSenders() {
		readRTCP(sender, func(p rtcp.Packet) bool {
			if _, ok := p.(*rtcp.PictureLossIndication); ok {
				mu.Lock()
				n++
				mu.Unlock()
			}
			return false
		})
	}
	return func() int { mu.Lock(); defer mu.Unlock(); return n }
}

// readRTCP hands each RTCP packet that sender receives to handle, on a
// goroutine of its own, until handle says it is done or the sender closes.
func readRTCP(sender *webrtc.RTPSender, handle func(rtcp.Packet) (done bool)) {
	go func() {
		for {
			packets, _, err := sender.ReadRTCP()
			if err != nil {
				return
			}
			for _, p := range packets {
				if handle(p) {
					return
				}
			}
		}
	}()
}

func TestKeyFrameRequestsAreAskedOnJoinAndRateLimited(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "pli", "Ada")
	grace := s.join(t, "pli", "Grace")
	pub, video, audio, streamID := ada.publish("pub1")
	plis := countPLIs(pub)

	// Video flows before anyone subscribes: the server asks once when it starts.
	sendUntil(t, func(int) bool { return plis() >= 1 }, video, audio)
	before := plis()

	sub := grace.subscribe("sub1", streamID)
	var got payloads
	got.record(sub)
	sendUntil(t, func(sent int) bool {
		return got.contains(webrtc.MimeTypeVP8, ciphertext("vp8", sent-1)) && plis() > before
	}, video, audio)
	assert.Greater(t, plis(), before, "a joining subscriber makes the server ask the publisher for a key frame")

	// The subscriber asks 20 times a second for 2 s (as a browser that
	// cannot decrypt does); the publisher is asked at most every 500 ms.
	var videoSSRC uint32
	for _, r := range sub.GetReceivers() {
		if r.Track() != nil && r.Track().Kind() == webrtc.RTPCodecTypeVideo {
			videoSSRC = uint32(r.Track().SSRC())
		}
	}
	require.NotZero(t, videoSSRC)
	before = plis()
	start := time.Now()
	for time.Since(start) < 2*time.Second {
		require.NoError(t, sub.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: videoSSRC}}))
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond) // the last forwarded request in flight
	forwarded := plis() - before
	elapsed := time.Since(start)
	assert.GreaterOrEqual(t, forwarded, 2, "requests are forwarded, not dropped")
	assert.LessOrEqual(t, forwarded, int(elapsed/pliInterval)+1, "at most one per %v in %v", pliInterval, elapsed)
}

// TestOnePeerConnectionCarriesEverySubscription subscribes to three
// streams, then drops one and takes it again: every stream arrives on the one peer
// connection, and the freed transceivers are reused rather than added.
func TestOnePeerConnectionCarriesEverySubscription(t *testing.T) {
	s := newTestServer(t, Config{})
	grace := s.join(t, "one-pc", "Grace")
	type publisher struct {
		video, audio *webrtc.TrackLocalStaticRTP
		streamID     string
	}
	var pubs []publisher
	for _, name := range []string{"Ada", "Alan", "Edsger"} {
		c := s.join(t, "one-pc", name)
		_, video, audio, streamID := c.publish("pub1")
		pubs = append(pubs, publisher{video, audio, streamID})
	}
	var down *webrtc.PeerConnection
	for i, p := range pubs {
		down = grace.subscribe(fmt.Sprint("s", i), p.streamID)
	}
	var mu sync.Mutex
	videoFrom := map[string]int{} // packets by stream id
	down.OnTrack(func(track *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		for {
			if _, _, err := track.ReadRTP(); err != nil {
				return
			}
			if track.Kind() == webrtc.RTPCodecTypeVideo {
				mu.Lock()
				videoFrom[track.StreamID()]++
				mu.Unlock()
			}
		}
	})
	sendUntil(t, func(sent int) bool {
		for _, p := range pubs[1:] {
			sendPacket(t, sent, p.video, p.audio)
		}
		mu.Lock()
		defer mu.Unlock()
		return len(videoFrom) == len(pubs)
	}, pubs[0].video, pubs[0].audio)
	require.Len(t, down.GetTransceivers(), 6, "three streams, an audio and a video transceiver each")

	grace.send(Message{Type: TypeUnsubscribe, ID: "s1"})
	grace.answerOffer()
	grace.subscribe("s3", pubs[1].streamID)
	assert.Len(t, down.GetTransceivers(), 6, "the freed transceivers were reused")
	assert.Len(t, grace.messagesOf(TypeOffer), 5, "an offer for each change")
}
