package local

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

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
// Reports are handled as they arrive, so that no goroutine waits on each
// track's RTCP: a subscriber's reports on a track it receives (see
// handleReports), and a publisher's on a track it sends (see
// publisherReports).
type incomingStreams struct {
	tooMany func() // ends the participant; called once, on its own goroutine

	mu         sync.Mutex
	declared   map[uint32]ssrcUse
	published  map[uint32]*publisherReports
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

// ssrcUse is what becomes of the packets on one declared SSRC. The zero
// value: pion reads its media and its reports.
type ssrcUse struct {
	reports func(report []byte) // handles its reports as they arrive; its media is dropped
	dropped bool                // its media and reports are dropped: a sender that stopped
}

func newIncomingStreams(tooMany func()) *incomingStreams {
	return &incomingStreams{tooMany: tooMany, declared: map[uint32]ssrcUse{}, published: map[uint32]*publisherReports{}}
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
			delete(in.published, ssrc)
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

// readReportsThrough has each report on a published track's SSRC read
// through its receiver, so that pion's interceptors see it.
func (in *incomingStreams) readReportsThrough(ssrc uint32, receiver *webrtc.RTPReceiver) {
	in.mu.Lock()
	reports := in.published[ssrc]
	in.mu.Unlock()
	if reports != nil {
		buf := make([]byte, 1500)
		reports.through(func() { _, _, _ = receiver.Read(buf) })
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
	case kind == packetio.RTPBufferPacket:
		return newPacketBuffer(rtpBufferBytes)
	default:
		reports := &publisherReports{}
		in.published[ssrc] = reports
		return reports
	}
}

// packetBuffer is pion's own buffer for a stream that pion reads.
type packetBuffer struct{ *packetio.Buffer }

func newPacketBuffer(limit int) *packetBuffer {
	b := packetio.NewBuffer()
	b.SetLimitSize(limit)
	return &packetBuffer{b}
}

func (b *packetBuffer) Read(p []byte) (int, error) {
	n, _, err := b.Buffer.Read(p, nil)
	return n, err
}

func (b *packetBuffer) Write(p []byte) (int, error) { return b.Buffer.Write(p, nil) }

func (b *packetBuffer) ReadWithAttributes(p []byte, attrs packetio.Attributes) (int, packetio.Attributes, error) {
	return b.Buffer.Read(p, attrs)
}

func (b *packetBuffer) WriteWithAttributes(p []byte, attrs packetio.Attributes) (int, error) {
	return b.Buffer.Write(p, attrs)
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

// publisherReports are a publisher's reports on a track it sends: its
// sender reports, which pion's receiver reports back to it need. pion's
// interceptors see a track's reports only as its receiver is read, which
// would take a goroutine per track, so each report is read through the
// receiver as pion writes it, on pion's goroutine that decrypts it.
type publisherReports struct {
	mu      sync.Mutex
	read    func() // reads the track's receiver once; nil until the track arrives
	pending []byte // the report being read through
}

func (r *publisherReports) through(read func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.read = read
}

func (r *publisherReports) Write(p []byte) (int, error) {
	r.mu.Lock()
	read := r.read
	if read != nil {
		r.pending = p
	}
	r.mu.Unlock()
	if read != nil {
		read() // which Reads p back
	}
	return len(p), nil
}

// Read gives the report being written, once.
func (r *publisherReports) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending == nil {
		return 0, io.EOF
	}
	n := copy(p, r.pending)
	r.pending = nil
	return n, nil
}

func (r *publisherReports) Close() error { return nil }

// dropped is a stream whose packets go nowhere, and that nobody reads.
type dropped struct{}

func (dropped) Write(p []byte) (int, error) { return len(p), nil }
func (dropped) Read([]byte) (int, error)    { return 0, io.EOF }
func (dropped) Close() error                { return nil }

// tooManyStreams ends a participant whose browser makes up SSRCs.
func (p *participant) tooManyStreams() {
	p.end(CloseLimit, fmt.Sprintf("your browser sent media or reports on more than %d streams it had not declared", MaxUndeclaredSSRCs))
}
