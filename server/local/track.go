package local

import (
	"errors"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// historyWindow is how long a video packet is kept for a subscriber that
// lost it. A browser asks again for a lost packet for a few round trips and
// then asks for a key frame instead; 2 s covers round trips of up to half a
// second several times over.
const historyWindow = 2 * time.Second

// maxHistory bounds a track's kept packets whatever its bitrate: 2 s of
// video at about 10 Mbit/s.
const maxHistory = 2048

// maxSpare is how many buffers of dropped packets a history keeps for reuse.
const maxSpare = 64

// fanout is one published track as every subscriber receives it: each
// packet is written to every subscriber's peer connection with that
// connection's SSRC and payload type. A video fanout keeps the packets of
// the last historyWindow once, for all its subscribers, and resends the ones
// a subscriber reports lost (NACK).
type fanout struct {
	id, streamID string
	codec        webrtc.RTPCodecCapability
	kind         webrtc.RTPCodecType

	mu       sync.RWMutex
	bindings []binding

	history *history // nil for audio, which browsers do not ask to resend
}

// binding is the track as one subscriber's peer connection sends it.
type binding struct {
	id          string // the TrackLocalContext's, for Unbind
	ssrc        webrtc.SSRC
	payloadType webrtc.PayloadType
	writer      webrtc.TrackLocalWriter
}

func newFanout(codec webrtc.RTPCodecCapability, id, streamID string) *fanout {
	f := &fanout{id: id, streamID: streamID, codec: codec, kind: webrtc.RTPCodecTypeAudio}
	if strings.HasPrefix(codec.MimeType, "video/") {
		f.kind = webrtc.RTPCodecTypeVideo
		f.history = &history{}
	}
	return f
}

// Bind is called by pion when a subscriber's connection starts sending the track.
func (f *fanout) Bind(ctx webrtc.TrackLocalContext) (webrtc.RTPCodecParameters, error) {
	for _, codec := range ctx.CodecParameters() {
		if strings.EqualFold(codec.MimeType, f.codec.MimeType) {
			f.mu.Lock()
			f.bindings = append(f.bindings, binding{id: ctx.ID(), ssrc: ctx.SSRC(), payloadType: codec.PayloadType, writer: ctx.WriteStream()})
			f.mu.Unlock()
			return codec, nil
		}
	}
	return webrtc.RTPCodecParameters{}, webrtc.ErrUnsupportedCodec
}

// Unbind is called by pion when a subscriber's connection stops sending the track.
func (f *fanout) Unbind(ctx webrtc.TrackLocalContext) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, b := range f.bindings {
		if b.id == ctx.ID() {
			f.bindings = append(f.bindings[:i], f.bindings[i+1:]...)
			return nil
		}
	}
	return errors.New("the track was not bound to that connection")
}

func (f *fanout) ID() string                { return f.id }
func (f *fanout) RID() string               { return "" }
func (f *fanout) StreamID() string          { return f.streamID }
func (f *fanout) Kind() webrtc.RTPCodecType { return f.kind }

// write sends one packet from the publisher to every subscriber. A
// subscriber whose connection is closing misses it; the others do not.
func (f *fanout) write(pkt *rtp.Packet) {
	if f.history != nil {
		f.history.keep(pkt)
	}
	f.mu.RLock()
	defer f.mu.RUnlock()
	for _, b := range f.bindings {
		writeTo(b, pkt.Header, pkt.Payload)
	}
}

// resend sends the subscriber with ssrc the packets it lost that are still kept.
func (f *fanout) resend(ssrc webrtc.SSRC, lost []uint16) {
	if f.history == nil {
		return
	}
	f.mu.RLock()
	var to *binding
	for i := range f.bindings {
		if f.bindings[i].ssrc == ssrc {
			to = &f.bindings[i]
		}
	}
	if to == nil {
		f.mu.RUnlock()
		return
	}
	b := *to
	f.mu.RUnlock()
	f.history.each(lost, func(header rtp.Header, payload []byte) {
		writeTo(b, header, payload)
	})
}

func writeTo(b binding, header rtp.Header, payload []byte) {
	header.SSRC = uint32(b.ssrc)
	header.PayloadType = uint8(b.payloadType)
	if _, err := b.writer.WriteRTP(&header, payload); err != nil && !errors.Is(err, io.ErrClosedPipe) {
		return // this subscriber's connection is going; the others are not affected
	}
}

// history is a video track's packets of the last historyWindow, oldest first.
type history struct {
	mu      sync.Mutex
	packets []kept
	spare   [][]byte // payload buffers of dropped packets, for reuse
}

type kept struct {
	at      time.Time
	header  rtp.Header
	payload []byte
}

func (h *history) keep(pkt *rtp.Packet) {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	drop := 0
	for drop < len(h.packets) && (now.Sub(h.packets[drop].at) > historyWindow || len(h.packets)-drop >= maxHistory) {
		if len(h.spare) < maxSpare {
			h.spare = append(h.spare, h.packets[drop].payload[:0])
		}
		drop++
	}
	if drop > 0 {
		h.packets = append(h.packets[:0], h.packets[drop:]...)
	}
	var buf []byte
	if n := len(h.spare); n > 0 {
		buf, h.spare = h.spare[n-1], h.spare[:n-1]
	}
	header := pkt.Header
	header.CSRC = append([]uint32(nil), header.CSRC...)
	header.Extensions = nil
	h.packets = append(h.packets, kept{at: now, header: header, payload: append(buf, pkt.Payload...)})
}

// each calls fn for every kept packet whose sequence number is in lost.
// NACKs ask for recent packets, so the search starts at the newest.
func (h *history) each(lost []uint16, fn func(rtp.Header, []byte)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, seq := range lost {
		for i := len(h.packets) - 1; i >= 0; i-- {
			if h.packets[i].header.SequenceNumber == seq {
				fn(h.packets[i].header, h.packets[i].payload)
				break
			}
		}
	}
}
