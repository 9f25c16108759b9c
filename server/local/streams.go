package local

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/pion/rtp"
	"github.com/pion/transport/v5/packetio"
	"github.com/pion/webrtc/v4"
)

// Buffer limits for declared streams, as pion's own.
const (
	rtpBufferBytes  = 1000 * 1000
	rtcpBufferBytes = 100 * 1000
)

// incomingStreams makes the buffers of one peer connection's incoming RTP
// and RTCP streams (pion's SettingEngine.BufferFactory). pion keeps a
// stream, with a buffer of up to 1 MB, for every SSRC a client sends media
// or reports on, declared or not, until the connection closes: a client
// that made up SSRCs grew the server by 330 MB in 20,000 reports. Here only
// declared SSRCs get a buffer; media and reports on any other are dropped,
// and a client that keeps making them up is ended.
//
// Media and reports are handled as they arrive, so that no goroutine waits
// on each track: a subscriber's reports on a track it receives (see
// handleReports), and a publisher's media and reports on a track it sends
// (see readThrough).
type incomingStreams struct {
	tooMany func() // ends the participant; called once, on its own goroutine

	mu         sync.Mutex
	declared   map[uint32]ssrcUse
	published  map[clientStream]*readThrough
	stopped    []uint32 // SSRCs of stopped senders, oldest first
	undeclared int
}

// maxSendingSSRCs is how many SSRCs an answer may send on: each
// publication's audio and video, each with a retransmission and an error
// correction SSRC, have 6. pion buffers up to 1 MB for each.
const maxSendingSSRCs = 8 * MaxPublications

// maxStoppedSSRCs is how many stopped senders' SSRCs are remembered, so that
// a browser's last reports on them are dropped without counting as
// undeclared.
const maxStoppedSSRCs = 256

// clientStream is one of the client's SSRCs, its media or its reports.
type clientStream struct {
	ssrc uint32
	kind packetio.BufferPacketType
}

// ssrcUse is what becomes of the packets on one declared SSRC. The zero
// value: pion reads its media and its reports.
type ssrcUse struct {
	reports func(report []byte) // handles its reports as they arrive; its media is dropped
	dropped bool                // its media and reports are dropped: a sender that stopped
}

func newIncomingStreams(tooMany func()) *incomingStreams {
	return &incomingStreams{tooMany: tooMany, declared: map[uint32]ssrcUse{}, published: map[clientStream]*readThrough{}}
}

// declare takes the SSRCs that the client's answer sends on (a=ssrc and
// a=ssrc-group lines), at most maxSendingSSRCs; those of its earlier answers
// that this one leaves out are forgotten.
func (in *incomingStreams) declare(sdp string) {
	sending := map[uint32]bool{}
	for line := range strings.Lines(sdp) {
		fields := strings.Fields(line)
		switch {
		case len(fields) > 0 && strings.HasPrefix(fields[0], "a=ssrc:"):
			addSSRC(sending, strings.TrimPrefix(fields[0], "a=ssrc:"))
		case len(fields) > 1 && strings.HasPrefix(fields[0], "a=ssrc-group:"):
			for _, ssrc := range fields[1:] {
				addSSRC(sending, ssrc)
			}
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	for ssrc, use := range in.declared {
		if !sending[ssrc] && use.reports == nil && !use.dropped { // the client's, not the server's senders
			delete(in.declared, ssrc)
			delete(in.published, clientStream{ssrc, packetio.RTPBufferPacket})
			delete(in.published, clientStream{ssrc, packetio.RTCPBufferPacket})
		}
	}
	for ssrc := range sending {
		if _, ok := in.declared[ssrc]; !ok { // not one of the server's own
			in.declared[ssrc] = ssrcUse{}
		}
	}
}

func addSSRC(set map[uint32]bool, s string) {
	if ssrc, err := strconv.ParseUint(s, 10, 32); err == nil && len(set) < maxSendingSSRCs {
		set[uint32(ssrc)] = true
	}
}

// handleReports passes each RTCP packet about a sender's SSRC to handle, on
// pion's goroutine that decrypts them; handle must not block.
func (in *incomingStreams) handleReports(ssrc uint32, handle func(report []byte)) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.declared[ssrc] = ssrcUse{reports: handle}
}

// stopReports drops the reports on a sender's SSRC from now on: a browser
// may still report on it for a moment.
func (in *incomingStreams) stopReports(ssrc uint32) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.declared[ssrc] = ssrcUse{dropped: true}
	in.stopped = append(in.stopped, ssrc)
	if len(in.stopped) > maxStoppedSSRCs {
		if oldest := in.stopped[0]; in.declared[oldest].dropped {
			delete(in.declared, oldest)
		}
		in.stopped = in.stopped[1:]
	}
}

// forwardThrough has each packet of a published track forwarded to its
// subscribers, and each report on it read, as pion writes them, so that
// pion's interceptors see both.
func (in *incomingStreams) forwardThrough(remote *webrtc.TrackRemote, receiver *webrtc.RTPReceiver, to *fanout) {
	ssrc := uint32(remote.SSRC())
	in.mu.Lock()
	media, reports := in.published[clientStream{ssrc, packetio.RTPBufferPacket}], in.published[clientStream{ssrc, packetio.RTCPBufferPacket}]
	in.mu.Unlock()
	if media != nil {
		buf := make([]byte, 1500)
		var pkt rtp.Packet
		media.through(func() error {
			n, _, err := remote.Read(buf)
			if err == nil {
				forwardPacket(&pkt, buf[:n], to)
			}
			return err
		})
	}
	if reports != nil {
		buf := make([]byte, 1500)
		reports.through(func() error {
			_, _, err := receiver.Read(buf)
			return err
		})
	}
}

// buffer is called by pion, with its stream lock held, for each new stream.
func (in *incomingStreams) buffer(kind packetio.BufferPacketType, ssrc uint32) io.ReadWriteCloser {
	in.mu.Lock()
	defer in.mu.Unlock()
	use, declared := in.declared[ssrc]
	switch {
	case !declared:
		in.undeclared++
		if in.undeclared == MaxUndeclaredSSRCs+1 {
			go in.tooMany()
		}
		return dropped{}
	case use.dropped:
		return dropped{}
	case use.reports != nil && kind == packetio.RTCPBufferPacket:
		return reportHandler{in: in, ssrc: ssrc}
	case use.reports != nil:
		return dropped{} // media on an SSRC the server sends on
	default:
		limit := rtpBufferBytes
		if kind == packetio.RTCPBufferPacket {
			limit = rtcpBufferBytes
		}
		r := newReadThrough(limit)
		in.published[clientStream{ssrc, kind}] = r
		return r
	}
}

// reportHandler passes each report to its SSRC's handler as pion writes
// it; nothing reads it.
type reportHandler struct {
	dropped
	in   *incomingStreams
	ssrc uint32
}

func (h reportHandler) Write(p []byte) (int, error) {
	h.in.mu.Lock()
	handle := h.in.declared[h.ssrc].reports
	h.in.mu.Unlock()
	if handle != nil {
		handle(p)
	}
	return len(p), nil
}

// readThrough is a stream the client sends on: pion's own buffer until the
// stream's track arrives, then read through pion as pion writes it, on
// pion's goroutine that decrypts it, so that no goroutine waits on each
// track's media and reports (pion's interceptors see each only as it is read).
type readThrough struct {
	*packetio.Buffer

	mu   sync.Mutex   // held while reading
	read func() error // reads one packet through pion; nil until the track arrives
}

// newReadThrough holds up to limit bytes until the track arrives, as pion's own buffers do.
func newReadThrough(limit int) *readThrough {
	b := packetio.NewBuffer()
	b.SetLimitSize(limit)
	return &readThrough{Buffer: b}
}

// through reads what is buffered, and from then on each packet as it is written.
func (r *readThrough) through(read func() error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.read = read
	r.drain()
}

func (r *readThrough) Read(p []byte) (int, error) {
	n, _, err := r.Buffer.Read(p, nil)
	return n, err
}

func (r *readThrough) ReadWithAttributes(p []byte, attrs packetio.Attributes) (int, packetio.Attributes, error) {
	return r.Buffer.Read(p, attrs)
}

func (r *readThrough) Write(p []byte) (int, error) { return r.WriteWithAttributes(p, nil) }

func (r *readThrough) WriteWithAttributes(p []byte, attrs packetio.Attributes) (int, error) {
	n, err := r.Buffer.Write(p, attrs)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.drain()
	return n, err
}

// drain reads every buffered packet, with r.mu held. pion may have one more
// packet of its own, kept from before the track arrived: it reads that
// first.
func (r *readThrough) drain() {
	if r.read == nil {
		return
	}
	for r.Count() > 0 {
		if r.read() != nil {
			return // the stream is closed
		}
	}
}

// dropped is a stream whose packets go nowhere, and that nobody reads.
type dropped struct{}

func (dropped) Write(p []byte) (int, error) { return len(p), nil }
func (dropped) Read([]byte) (int, error)    { return 0, io.EOF }
func (dropped) Close() error                { return nil }

// tooManyStreams ends a participant whose browser makes up SSRCs.
func (p *participant) tooManyStreams() {
	p.end(CloseLimit, fmt.Sprintf("your browser sent media or reports on more than %d streams it had not declared", MaxUndeclaredSSRCs))
}
