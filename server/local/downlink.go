package local

import (
	"errors"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"golang.org/x/time/rate"
)

// downlink is the one peer connection that carries every stream a
// participant receives. The server adds and removes the streams' tracks and
// offers each change; the client answers. One offer is out at a time:
// changes made meanwhile go into the next one, sent when the answer comes.
type downlink struct {
	p        *participant
	pc       *webrtc.PeerConnection
	incoming *incomingStreams // the browser's reports on the tracks it receives

	mu         sync.Mutex
	offering   bool        // an offer is out, waiting for its answer
	lastOffer  string      // that offer, to send again when the participant resumes
	stale      bool        // the tracks changed since that offer
	restartICE bool        // the next offer restarts ICE
	answered   bool        // the client has answered at least once
	expiry     *time.Timer // ends the participant if the answer does not come
	candidates []webrtc.ICECandidateInit
	closed     bool
}

// subscription is one participant receiving one stream on its downlink.
type subscription struct {
	id      string
	stream  *stream
	owner   *participant
	senders []*webrtc.RTPSender
	started bool // a key frame was asked for once its media could flow; under owner.mu
}

// newDownlink makes the participant's receiving peer connection.
func (p *participant) newDownlink() (*downlink, error) {
	incoming := newIncomingStreams(p.tooManyStreams)
	pc, err := p.b.downlinkAPI.newPeerConnection(incoming)
	if err != nil {
		return nil, err
	}
	d := &downlink{p: p, pc: pc, incoming: incoming}
	p.watchMedia(pc, d.requestKeyFrames, d.restart)
	return d, nil
}

// add starts sending the stream's tracks to the participant; the next offer
// carries them.
func (d *downlink) add(sub *subscription) error {
	for _, track := range []*fanout{sub.stream.audio, sub.stream.video} {
		sender, err := d.pc.AddTrack(track)
		if err != nil {
			d.remove(sub)
			return err
		}
		sub.senders = append(sub.senders, sender)
		d.incoming.handleReports(senderSSRC(sender), subscriberReports(sub.stream, track))
	}
	return nil
}

// remove stops sending the stream's tracks; their transceivers are reused
// by later subscriptions, so the session description does not grow.
func (d *downlink) remove(sub *subscription) {
	for _, sender := range sub.senders {
		_ = d.pc.RemoveTrack(sender) // fails only once the connection is closed
		d.incoming.stopReports(senderSSRC(sender))
	}
	sub.senders = nil
}

// senderSSRC is the SSRC a sender sends on: the server's senders have one
// encoding each.
func senderSSRC(sender *webrtc.RTPSender) uint32 {
	return uint32(sender.GetParameters().Encodings[0].SSRC)
}

// negotiate offers the current tracks, or, while an offer is out, marks
// that another one is needed once it is answered.
func (d *downlink) negotiate() {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return
	}
	if d.offering {
		d.stale = true
		d.mu.Unlock()
		return
	}
	d.offering = true
	d.stale = false
	options := &webrtc.OfferOptions{ICERestart: d.restartICE}
	d.restartICE = false
	d.mu.Unlock()

	offer, err := d.pc.CreateOffer(options)
	if err == nil {
		var sdp string
		if sdp, err = setLocalAndGather(d.pc, offer); err == nil {
			d.mu.Lock()
			d.lastOffer = sdp
			d.expectAnswer()
			d.mu.Unlock()
			d.p.send(Message{Type: TypeOffer, SDP: sdp})
			return
		}
	}
	if !d.isClosed() {
		d.p.b.log.Warn("offering the participant's streams", "connection", d.p.id, "error", err)
		d.p.end(CloseMediaFailed, "the server could not offer your media")
	}
}

// expectAnswer ends the participant if the offer is not answered in time;
// while it is away, the time starts when it resumes. The caller holds d.mu.
func (d *downlink) expectAnswer() {
	if d.expiry != nil {
		d.expiry.Stop()
	}
	if !d.closed && d.p.present() {
		d.expiry = time.AfterFunc(d.p.b.answerTimeout, func() {
			d.p.end(CloseProtocol, "no answer to the server's offer within 10 s")
		})
	}
}

// pause stops waiting for an answer while the participant is away.
func (d *downlink) pause() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.expiry != nil {
		d.expiry.Stop()
	}
}

// resume catches a participant that came back up: the offer it may have
// missed is sent again, and ICE restarts if its media stopped.
func (d *downlink) resume() {
	stopped := d.mediaStopped()
	d.mu.Lock()
	if d.offering {
		sdp := d.lastOffer
		d.expectAnswer()
		if stopped {
			d.restartICE, d.stale = true, true
		}
		d.mu.Unlock()
		d.p.send(Message{Type: TypeOffer, SDP: sdp})
		return
	}
	d.mu.Unlock()
	if stopped {
		d.restart()
	}
}

// mediaStopped says whether ICE lost the browser after it had connected.
func (d *downlink) mediaStopped() bool {
	state := d.pc.ICEConnectionState()
	return state == webrtc.ICEConnectionStateFailed || state == webrtc.ICEConnectionStateDisconnected
}

// restart offers an ICE restart, now or after the offer that is out.
func (d *downlink) restart() {
	d.mu.Lock()
	d.restartICE = true
	d.mu.Unlock()
	d.negotiate()
}

var errNoOffer = errors.New("there is no offer to answer")

// answer applies the client's answer, then sends the next offer if the
// tracks changed meanwhile.
func (d *downlink) answer(sdp string) error {
	d.mu.Lock()
	if !d.offering {
		d.mu.Unlock()
		return errNoOffer
	}
	d.mu.Unlock()
	if err := d.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		return err
	}
	d.mu.Lock()
	d.offering = false
	d.expiry.Stop()
	first := !d.answered
	d.answered = true
	pending := d.candidates
	d.candidates = nil
	again := d.stale
	d.mu.Unlock()
	if first {
		for _, c := range pending {
			_ = d.pc.AddICECandidate(c) // a bad candidate only fails itself
		}
	}
	d.requestKeyFrames()
	if again {
		d.negotiate()
	}
	return nil
}

var errTooManyCandidates = errors.New("too many candidates before the answer")

// addCandidate takes a trickled candidate; before the first answer it waits,
// at most MaxPendingCandidate of them.
func (d *downlink) addCandidate(c webrtc.ICECandidateInit) error {
	d.mu.Lock()
	if !d.answered {
		defer d.mu.Unlock()
		if len(d.candidates) >= MaxPendingCandidate {
			return errTooManyCandidates
		}
		d.candidates = append(d.candidates, c)
		return nil
	}
	d.mu.Unlock()
	return d.pc.AddICECandidate(c)
}

// requestKeyFrames asks the publisher of each stream that has just started
// to flow here for a key frame, so that its video shows at once.
func (d *downlink) requestKeyFrames() {
	if d.pc.ConnectionState() != webrtc.PeerConnectionStateConnected {
		return
	}
	var starting []*stream
	d.p.mu.Lock()
	for _, sub := range d.p.subscriptions {
		if !sub.started && len(sub.senders) > 0 {
			sub.started = true
			starting = append(starting, sub.stream)
		}
	}
	d.p.mu.Unlock()
	for _, s := range starting {
		s.requestKeyFrame(true)
	}
}

func (d *downlink) isClosed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

func (d *downlink) close() {
	d.mu.Lock()
	d.closed = true
	if d.expiry != nil {
		d.expiry.Stop()
	}
	d.candidates = nil
	d.mu.Unlock()
	_ = d.pc.Close()
}

// maxResendsPerSecond bounds the packets resent to one subscriber's track,
// about what a video stream sends: a browser that reports everything lost
// cannot make the server send more than twice the stream.
const maxResendsPerSecond = 300

// takeUpTo takes up to n tokens from l, as many as it has, and says how many.
func takeUpTo(l *rate.Limiter, n int) int {
	now := time.Now()
	n = min(n, int(l.TokensAt(now)))
	if n <= 0 || !l.AllowN(now, n) {
		return 0
	}
	return n
}

// subscriberReports handles what a subscriber's browser reports about one
// track: lost packets are resent from the track's history, and key frame
// requests are passed on to the publisher.
func subscriberReports(s *stream, track *fanout) func(report []byte) {
	resends := rate.NewLimiter(maxResendsPerSecond, maxResendsPerSecond)
	return func(report []byte) {
		packets, err := rtcp.Unmarshal(report)
		if err != nil {
			return
		}
		for _, pkt := range packets {
			switch pkt := pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				s.requestKeyFrame(false)
			case *rtcp.TransportLayerNack:
				var lost []uint16
				for _, pair := range pkt.Nacks {
					lost = append(lost, pair.PacketList()...)
				}
				if n := takeUpTo(resends, len(lost)); n > 0 {
					track.resend(webrtc.SSRC(pkt.MediaSSRC), lost[:n])
				}
			}
		}
	}
}
