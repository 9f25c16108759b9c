package local

import (
	"sync"
	"testing"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"
)

// subscriberContext is what pion gives a track when a subscriber's
// connection binds it; its writer records what the track sends.
type subscriberContext struct {
	id   string
	ssrc webrtc.SSRC
	mu   sync.Mutex
	sent []rtp.Packet
}

func (c *subscriberContext) CodecParameters() []webrtc.RTPCodecParameters {
	return []webrtc.RTPCodecParameters{{RTPCodecCapability: opus, PayloadType: 109}, {RTPCodecCapability: vp8, PayloadType: 98}}
}
func (c *subscriberContext) HeaderExtensions() []webrtc.RTPHeaderExtensionParameter { return nil }
func (c *subscriberContext) SSRC() webrtc.SSRC                                      { return c.ssrc }
func (c *subscriberContext) SSRCRetransmission() webrtc.SSRC                        { return 0 }
func (c *subscriberContext) SSRCForwardErrorCorrection() webrtc.SSRC                { return 0 }
func (c *subscriberContext) WriteStream() webrtc.TrackLocalWriter                   { return c }
func (c *subscriberContext) ID() string                                             { return c.id }
func (c *subscriberContext) RTCPReader() interceptor.RTCPReader                     { return nil }
func (c *subscriberContext) Write(b []byte) (int, error)                            { return len(b), nil }
func (c *subscriberContext) WriteRTP(h *rtp.Header, payload []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, rtp.Packet{Header: *h, Payload: append([]byte(nil), payload...)})
	return len(payload), nil
}

func (c *subscriberContext) packets() []rtp.Packet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]rtp.Packet(nil), c.sent...)
}

func videoPacket(seq uint16) *rtp.Packet {
	return &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: seq, Timestamp: uint32(seq) * 3000, SSRC: 1}, Payload: ciphertext("vp8", int(seq))}
}

// twoSubscribers binds a video fanout to Ada's and Grace's connections.
func twoSubscribers(t *testing.T) (f *fanout, ada, grace *subscriberContext) {
	f = newFanout(vp8, "video", "stream")
	ada, grace = &subscriberContext{id: "a", ssrc: 111}, &subscriberContext{id: "g", ssrc: 222}
	for _, c := range []*subscriberContext{ada, grace} {
		codec, err := f.Bind(c)
		require.NoError(t, err)
		assert.Equal(t, webrtc.PayloadType(98), codec.PayloadType, "the subscriber's own VP8 payload type")
	}
	return f, ada, grace
}

func TestAFanoutSendsEachSubscriberItsOwnSSRCAndPayloadType(t *testing.T) {
	f, ada, grace := twoSubscribers(t)
	f.write(videoPacket(7))
	require.NoError(t, f.Unbind(ada))
	f.write(videoPacket(8))

	require.Len(t, ada.packets(), 1, "nothing after Unbind")
	require.Len(t, grace.packets(), 2)
	for _, c := range []*subscriberContext{ada, grace} {
		got := c.packets()[0]
		assert.Equal(t, uint32(c.ssrc), got.SSRC)
		assert.Equal(t, uint8(98), got.PayloadType)
		assert.Equal(t, uint16(7), got.SequenceNumber, "the publisher's sequence numbers, which NACKs name")
		assert.Equal(t, ciphertext("vp8", 7), got.Payload, "the payload untouched")
	}
}

func TestLostPacketsAreResentToTheSubscriberThatLostThem(t *testing.T) {
	f, ada, grace := twoSubscribers(t)
	for seq := uint16(65530); seq != 6; seq++ { // across the wrap of sequence numbers
		f.write(videoPacket(seq))
	}
	f.resend(222, []uint16{65534, 1, 999})

	assert.Len(t, ada.packets(), 12, "Ada lost nothing and gets nothing again")
	resent := grace.packets()[12:]
	require.Len(t, resent, 2, "the two kept packets of the three asked for")
	for i, seq := range []uint16{65534, 1} {
		assert.Equal(t, seq, resent[i].SequenceNumber)
		assert.Equal(t, uint32(222), resent[i].SSRC)
		assert.Equal(t, ciphertext("vp8", int(seq)), resent[i].Payload)
	}

	audio := newFanout(opus, "audio", "stream")
	assert.Nil(t, audio.history, "audio is not kept: browsers do not ask for it again")
}

func TestTheHistoryKeepsOnlyTheLastWindowAndAtMostMaxHistory(t *testing.T) {
	var h history
	for seq := range uint16(maxHistory + 100) {
		h.keep(videoPacket(seq))
	}
	assert.Len(t, h.packets, maxHistory)
	assert.Equal(t, uint16(100), h.packets[0].header.SequenceNumber, "the oldest went first")

	old := time.Now().Add(-historyWindow - time.Millisecond)
	for i := range h.packets {
		h.packets[i].at = old
	}
	h.keep(videoPacket(5000))
	assert.Len(t, h.packets, 1, "packets older than the window are dropped")
	assert.LessOrEqual(t, len(h.spare), maxSpare, "reused buffers are bounded too")
	var found []uint16
	h.each([]uint16{100, 5000}, func(header rtp.Header, _ []byte) { found = append(found, header.SequenceNumber) })
	assert.Equal(t, []uint16{5000}, found)
}

func TestResendsAreBoundedPerSecond(t *testing.T) {
	l := rate.NewLimiter(maxResendsPerSecond, maxResendsPerSecond)
	assert.Equal(t, 17, takeUpTo(l, 17))
	assert.Equal(t, maxResendsPerSecond-17, takeUpTo(l, 10_000), "no more than the burst")
	assert.Zero(t, takeUpTo(l, 10_000), "then nothing until tokens come back")
}
