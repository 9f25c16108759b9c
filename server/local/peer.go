package local

import (
	"errors"
	"maps"
	"sync"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/webrtc/v4"
	"golang.org/x/time/rate"
)

// peer is the participant's one peer connection: the streams it publishes
// arrive on it and the streams it subscribes to leave on it. The server
// makes every change (a publication's transceivers, a subscription's tracks,
// an ICE restart) and offers it; the client answers. One offer is out at a
// time: changes made meanwhile go into the next one, sent when the answer
// comes.
type peer struct {
	p        *participant
	api      *webrtc.API // made pc; makes its senders for reused transceivers
	pc       *webrtc.PeerConnection
	incoming *incomingStreams // the SSRCs the client sends on, and its reports on the tracks it receives

	mu         sync.Mutex
	offering   bool        // an offer is out, waiting for its answer
	lastOffer  Message     // that offer, to send again when the participant resumes
	offered    []*stream   // publications that offer asks the client to send for the first time
	stale      bool        // something changed since that offer
	restartICE bool        // the next offer restarts ICE
	answered   bool        // the client has answered at least once
	expiry     *time.Timer // ends the participant if the answer does not come
	candidates []webrtc.ICECandidateInit
	inbounds   int                              // transceiver pairs made for publications
	inbound    reusable[inbound]                // pairs of ended publications
	outbound   reusable[*webrtc.RTPTransceiver] // transceivers of ended subscriptions
	closed     bool
}

// inbound is the pair of transceivers a publication's media arrives on.
type inbound struct {
	audio, video *webrtc.RTPTransceiver
}

// maxInbounds bounds the transceiver pairs of one peer connection: enough
// for MaxPublications while as many others end.
const maxInbounds = 2 * MaxPublications

// subscription is one participant receiving one stream on its peer connection.
type subscription struct {
	id      string
	stream  *stream
	owner   *participant
	sending []*webrtc.RTPTransceiver // its audio and video
	started bool                     // a key frame was asked for once its media could flow; under owner.mu
}

var errLeft = errors.New("the participant has left")

// peerConn is the participant's peer connection, made at its first
// publication or subscription.
func (p *participant) peerConn() (*peer, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.over {
		return nil, errLeft
	}
	if p.peer != nil {
		return p.peer, nil
	}
	incoming := newIncomingStreams(p.tooManyStreams)
	api, pc, err := p.b.peerAPI.newPeerConnection(incoming)
	if err != nil {
		return nil, err
	}
	c := &peer{p: p, api: api, pc: pc, incoming: incoming}
	pc.OnTrack(c.forwardPublished)
	p.watchMedia(pc, c.requestKeyFrames, c.restart)
	p.peer = c
	return c, nil
}

var errTooManyInbounds = errors.New("publications are changing faster than the browser answers")

// receive gives a publication the transceivers its media will arrive on:
// a free pair, or two new ones. The next offer asks the client to send on
// them.
func (c *peer) receive(s *stream) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if pair, ok := c.inbound.take(func(inbound) bool { return true }); ok {
		s.inbound = pair
		return nil
	}
	if c.inbounds >= maxInbounds {
		return errTooManyInbounds
	}
	recvonly := webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionRecvonly}
	audio, err := c.pc.AddTransceiverFromKind(webrtc.RTPCodecTypeAudio, recvonly)
	if err != nil {
		return err
	}
	video, err := c.pc.AddTransceiverFromKind(webrtc.RTPCodecTypeVideo, recvonly)
	if err != nil {
		return err
	}
	c.inbounds++
	s.inbound = inbound{audio, video}
	return nil
}

// release keeps an ended publication's transceivers for a later one.
func (c *peer) release(s *stream) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inbound.release(s.inbound)
}

// add starts sending the stream's tracks to the participant; the next offer
// carries them.
func (c *peer) add(sub *subscription) error {
	for _, track := range []*fanout{sub.stream.audio, sub.stream.video} {
		t, err := c.send(track)
		if err != nil {
			c.remove(sub)
			return err
		}
		sub.sending = append(sub.sending, t)
		c.incoming.handleReports(senderSSRC(t.Sender()), subscriberReports(sub.stream, track))
	}
	return nil
}

// send puts track on a transceiver of an ended subscription, or a new one.
// (pion's AddTrack would take a publication's transceiver as well.)
func (c *peer) send(track *fanout) (*webrtc.RTPTransceiver, error) {
	c.mu.Lock()
	t, reused := c.outbound.take(func(t *webrtc.RTPTransceiver) bool { return t.Kind() == track.kind })
	c.mu.Unlock()
	if !reused {
		return c.pc.AddTransceiverFromTrack(track, webrtc.RTPTransceiverInit{Direction: webrtc.RTPTransceiverDirectionSendonly})
	}
	sender, err := c.api.NewRTPSender(track, c.pc.SCTP().Transport()) // the connection's one DTLS transport
	if err == nil {
		err = t.SetSender(sender, track)
	}
	if err != nil {
		c.mu.Lock()
		c.outbound.release(t)
		c.mu.Unlock()
		return nil, err
	}
	return t, nil
}

// remove stops sending the stream's tracks; their transceivers are kept for
// later subscriptions.
func (c *peer) remove(sub *subscription) {
	for _, t := range sub.sending {
		sender := t.Sender()
		ssrc := senderSSRC(sender)
		_ = c.pc.RemoveTrack(sender) // fails only once the connection is closed
		c.incoming.stopReports(ssrc)
		c.mu.Lock()
		c.outbound.release(t)
		c.mu.Unlock()
	}
	sub.sending = nil
}

// senderSSRC is the SSRC a sender sends on: the server's senders have one
// encoding each.
func senderSSRC(sender *webrtc.RTPSender) uint32 {
	return uint32(sender.GetParameters().Encodings[0].SSRC)
}

// negotiate offers the current state, or, while an offer is out, marks
// that another one is needed once it is answered.
func (c *peer) negotiate() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	if c.offering {
		c.stale = true
		c.mu.Unlock()
		return
	}
	c.offering = true
	c.stale = false
	options := &webrtc.OfferOptions{ICERestart: c.restartICE}
	c.restartICE = false
	c.inbound.offering()
	c.outbound.offering()
	c.mu.Unlock()

	pubs, notLive := c.p.publicationsNow() // before the offer, which has their transceivers
	offer, err := c.pc.CreateOffer(options)
	if err == nil {
		var sdp string
		if sdp, err = setLocalAndGather(c.pc, offer); err == nil {
			m := Message{Type: TypeOffer, SDP: sdp, Publications: sendingOn(pubs)}
			c.mu.Lock()
			c.lastOffer = m
			c.offered = notLive
			c.expectAnswer()
			c.mu.Unlock()
			c.p.send(m)
			return
		}
	}
	if !c.isClosed() {
		c.p.b.log.Warn("offering the participant's media", "connection", c.p.id, "error", err)
		c.p.end(CloseMediaFailed, "the server could not offer your media")
	}
}

// publicationsNow lists the participant's publications, and those of them
// not in the room yet.
func (p *participant) publicationsNow() (all map[string]*stream, notLive []*stream) {
	p.mu.Lock()
	defer p.mu.Unlock()
	all = maps.Clone(p.publications)
	for _, s := range all {
		if !s.live {
			notLive = append(notLive, s)
		}
	}
	return all, notLive
}

// sendingOn lists publications with the mids of their transceivers, for the
// client to send each on its own.
func sendingOn(pubs map[string]*stream) []Publication {
	list := make([]Publication, 0, len(pubs))
	for pcID, s := range pubs {
		list = append(list, Publication{PC: pcID, AudioMid: s.inbound.audio.Mid(), VideoMid: s.inbound.video.Mid()})
	}
	return list
}

// expectAnswer ends the participant if the offer is not answered in time;
// while it is away, the time starts when it resumes. The caller holds c.mu.
func (c *peer) expectAnswer() {
	if c.expiry != nil {
		c.expiry.Stop()
	}
	if !c.closed && c.p.present() {
		c.expiry = time.AfterFunc(c.p.b.answerTimeout, func() {
			c.p.end(CloseProtocol, "no answer to the server's offer within 10 s")
		})
	}
}

// pause stops waiting for an answer while the participant is away.
func (c *peer) pause() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.expiry != nil {
		c.expiry.Stop()
	}
}

// resume catches a participant that came back up: the offer it may have
// missed is sent again, and ICE restarts if its media stopped.
func (c *peer) resume() {
	stopped := c.mediaStopped()
	c.mu.Lock()
	if c.offering {
		m := c.lastOffer
		c.expectAnswer()
		if stopped {
			c.restartICE, c.stale = true, true
		}
		c.mu.Unlock()
		c.p.send(m)
		return
	}
	c.mu.Unlock()
	if stopped {
		c.restart()
	}
}

// mediaStopped says whether ICE lost the browser after it had connected.
func (c *peer) mediaStopped() bool {
	state := c.pc.ICEConnectionState()
	return state == webrtc.ICEConnectionStateFailed || state == webrtc.ICEConnectionStateDisconnected
}

// restart offers an ICE restart, now or after the offer that is out.
func (c *peer) restart() {
	c.mu.Lock()
	c.restartICE = true
	c.mu.Unlock()
	c.negotiate()
}

var errNoOffer = errors.New("there is no offer to answer")

// answer applies the client's answer: the publications it sends for the
// first time join the room. Then it sends the next offer if something
// changed meanwhile.
func (c *peer) answer(sdp string) error {
	c.mu.Lock()
	if !c.offering {
		c.mu.Unlock()
		return errNoOffer
	}
	c.mu.Unlock()
	c.incoming.declare(sdp) // before pion starts the receivers
	if err := c.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		return err
	}
	c.mu.Lock()
	c.offering = false
	c.expiry.Stop()
	first := !c.answered
	c.answered = true
	pending := c.candidates
	c.candidates = nil
	again := c.stale
	live := c.offered
	c.offered = nil
	c.inbound.answered()
	c.outbound.answered()
	c.mu.Unlock()
	for _, s := range live {
		c.p.goLive(s)
	}
	if first {
		for _, candidate := range pending {
			_ = c.pc.AddICECandidate(candidate) // a bad candidate only fails itself
		}
	}
	c.requestKeyFrames()
	if again {
		c.negotiate()
	}
	return nil
}

var errTooManyCandidates = errors.New("too many candidates before the answer")

// addCandidate takes a trickled candidate; before the first answer it waits,
// at most MaxPendingCandidate of them.
func (c *peer) addCandidate(candidate webrtc.ICECandidateInit) error {
	c.mu.Lock()
	if !c.answered {
		defer c.mu.Unlock()
		if len(c.candidates) >= MaxPendingCandidate {
			return errTooManyCandidates
		}
		c.candidates = append(c.candidates, candidate)
		return nil
	}
	c.mu.Unlock()
	return c.pc.AddICECandidate(candidate)
}

// requestKeyFrames asks the publisher of each stream that has just started
// to flow here for a key frame, so that its video shows at once.
func (c *peer) requestKeyFrames() {
	if c.pc.ConnectionState() != webrtc.PeerConnectionStateConnected {
		return
	}
	var starting []*stream
	c.p.mu.Lock()
	for _, sub := range c.p.subscriptions {
		if !sub.started && len(sub.sending) > 0 {
			sub.started = true
			starting = append(starting, sub.stream)
		}
	}
	c.p.mu.Unlock()
	for _, s := range starting {
		s.requestKeyFrame(true)
	}
}

func (c *peer) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

func (c *peer) close() {
	c.mu.Lock()
	c.closed = true
	if c.expiry != nil {
		c.expiry.Stop()
	}
	c.candidates = nil
	c.mu.Unlock()
	_ = c.pc.Close()
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
