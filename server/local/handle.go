package local

import (
	"fmt"
	"unicode/utf8"

	"github.com/coder/websocket"
	"github.com/pion/webrtc/v4"
)

// Errors as OpenTok.js reports them for an end-to-end encrypted session.
const (
	msgPublishNoSecret   = "IncompatibleEncryptionSettings: Tried to publish a stream to an encrypted session without enabling encryption"
	msgSubscribeNoSecret = "Tried to subscribe to an encrypted stream without enabling encryption"
)

// handle acts on one message from the participant.
func (p *participant) handle(m Message) {
	switch m.Type {
	case TypeConnect:
		p.end(CloseProtocol, "already connected")
	case TypePublish:
		p.publish(m)
	case TypeUnpublish:
		p.unpublish(m.PC)
	case TypeStreamProperty:
		p.streamProperty(m)
	case TypeSubscribe:
		p.subscribe(m)
	case TypeAnswer:
		p.answer(m)
	case TypeCandidate:
		p.candidate(m)
	case TypeUnsubscribe:
		if sub := p.takeSubscription(m.ID, nil); sub != nil {
			p.unsubscribe(sub)
		}
	case TypeSignal:
		p.signal(m)
	case TypeDisconnect:
		p.departure = ReasonClientDisconnected
		p.end(websocket.StatusNormalClosure, "disconnected")
	}
}

// refuse answers one request with an error; the connection stays.
func (p *participant) refuse(req Message, e otError, message string) {
	p.b.log.Warn("request refused", "session", p.room.sessionID, "connection", p.id, "type", req.Type, "code", e.Code, "error", message)
	p.send(Message{Type: TypeError, PC: req.PC, ID: req.ID, Code: e.Code, Name: e.Name, Message: message})
}

// publish makes the stream a client asks for and offers it the transceivers
// to send it on; the stream joins the room when the client answers (goLive).
func (p *participant) publish(m Message) {
	if !m.Encrypted {
		p.refuse(m, errStreamCreate, msgPublishNoSecret)
		return
	}
	p.mu.Lock()
	_, taken := p.publications[m.PC]
	count := len(p.publications)
	p.mu.Unlock()
	switch {
	case taken:
		p.refuse(m, errStreamCreate, "the pc id is already in use")
		return
	case count >= MaxPublications:
		p.refuse(m, errStreamCreate, fmt.Sprintf("a participant can publish at most %d streams", MaxPublications))
		return
	}
	s, err := p.newPublication(m.PC, *m.Stream)
	if err != nil {
		p.refuse(m, errStreamCreate, "the stream was not accepted: "+err.Error())
		return
	}
	peer, err := p.peerConn()
	if err == nil {
		err = peer.receive(s)
	}
	if err != nil {
		p.refuse(m, errStreamCreate, "the stream could not be set up: "+err.Error())
		return
	}
	p.mu.Lock()
	left := p.over
	if !left {
		p.publications[m.PC] = s // for leave() to end
	}
	p.mu.Unlock()
	if !left {
		peer.negotiate()
	}
}

// goLive puts a publication in the room once the client has answered the
// offer that asked it to send the stream, and tells the client its id.
func (p *participant) goLive(s *stream) {
	if s.ended.Load() {
		return
	}
	p.mu.Lock()
	s.live = true
	p.mu.Unlock()
	p.room.addStream(s)
	if s.ended.Load() { // unpublished meanwhile, before it was in the room to take out
		p.room.takeStream(s.info.StreamID, ReasonClientDisconnected)
		return
	}
	p.send(Message{Type: TypePublished, PC: s.pcID, StreamID: s.info.StreamID})
	p.b.log.Info("stream published", "session", p.room.sessionID, "connection", p.id, "stream", s.info.StreamID)
}

func (p *participant) unpublish(pcID string) {
	p.mu.Lock()
	s := p.publications[pcID]
	delete(p.publications, pcID)
	p.mu.Unlock()
	if s != nil {
		p.destroyStream(s, ReasonClientDisconnected)
		p.peer.negotiate() // the client stops sending on its transceivers
	}
}

// destroyStream ends a stream for everyone, once: the others are told, its
// subscriptions close, and its transceivers are freed for a later
// publication.
func (p *participant) destroyStream(s *stream, reason string) {
	if s.ended.Swap(true) {
		return
	}
	p.room.takeStream(s.info.StreamID, reason) // nil if it never joined the room
	s.mu.Lock()
	subs := make([]*subscription, 0, len(s.subs))
	for sub := range s.subs {
		subs = append(subs, sub)
	}
	s.mu.Unlock()
	for _, sub := range subs {
		if sub.owner.takeSubscription(sub.id, sub) != nil {
			sub.owner.unsubscribe(sub)
		}
	}
	p.peer.release(s)
}

func (p *participant) streamProperty(m Message) {
	s := p.publication(m.PC)
	if s == nil {
		return
	}
	if m.HasAudio != nil {
		p.room.setStreamProperty(s, "hasAudio", *m.HasAudio)
	}
	if m.HasVideo != nil {
		p.room.setStreamProperty(s, "hasVideo", *m.HasVideo)
	}
}

func (p *participant) subscribe(m Message) {
	if !m.Encrypted {
		p.refuse(m, errUnableSubscribe, msgSubscribeNoSecret)
		return
	}
	s := p.room.stream(m.StreamID)
	p.mu.Lock()
	_, taken := p.subscriptions[m.ID]
	count := len(p.subscriptions)
	twice := false
	for _, sub := range p.subscriptions {
		twice = twice || sub.stream == s
	}
	p.mu.Unlock()
	switch {
	case s == nil:
		p.refuse(m, errUnableSubscribe, "the stream is not in this session (any more)")
		return
	case s.owner == p:
		p.refuse(m, errUnableSubscribe, "subscribe to other people's streams; your own is on your screen already")
		return
	case taken:
		p.refuse(m, errUnableSubscribe, "the subscription id is already in use")
		return
	case twice:
		p.refuse(m, errUnableSubscribe, "you are subscribed to this stream already")
		return
	case count >= p.b.maxSubscriptions:
		p.refuse(m, errUnableSubscribe, fmt.Sprintf("a participant can subscribe to at most %d streams", p.b.maxSubscriptions))
		return
	}
	peer, err := p.peerConn()
	if err != nil {
		p.refuse(m, errUnableSubscribe, "the subscription could not be set up: "+err.Error())
		return
	}
	sub := &subscription{id: m.ID, stream: s, owner: p}
	if err := peer.add(sub); err != nil {
		p.refuse(m, errUnableSubscribe, "the subscription could not be set up: "+err.Error())
		return
	}
	s.mu.Lock()
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	p.mu.Lock()
	p.subscriptions[m.ID] = sub
	p.mu.Unlock()
	if p.room.stream(m.StreamID) == nil { // the publisher left meanwhile
		if p.takeSubscription(m.ID, sub) != nil {
			p.unsubscribe(sub)
		}
		p.refuse(m, errUnableSubscribe, "the stream is not in this session (any more)")
		return
	}
	p.b.log.Info("stream subscribed", "session", p.room.sessionID, "connection", p.id, "stream", s.info.StreamID)
	p.send(Message{Type: TypeSubscribed, ID: m.ID, StreamID: s.info.StreamID})
	peer.negotiate()
}

// unsubscribe stops sending a subscription's stream, which the caller has
// taken out of p.subscriptions.
func (p *participant) unsubscribe(sub *subscription) {
	sub.stream.mu.Lock()
	delete(sub.stream.subs, sub)
	sub.stream.mu.Unlock()
	p.peer.remove(sub)
	p.peer.negotiate()
}

// publication is the stream published on pc id pcID, or nil.
func (p *participant) publication(pcID string) *stream {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.publications[pcID]
}

// takeSubscription removes the subscription with id (if it is want, when
// want is not nil) and returns it, or nil if it is not there.
func (p *participant) takeSubscription(id string, want *subscription) *subscription {
	p.mu.Lock()
	defer p.mu.Unlock()
	sub := p.subscriptions[id]
	if sub == nil || want != nil && sub != want {
		return nil
	}
	delete(p.subscriptions, id)
	return sub
}

// answer completes the server's latest offer. An answer that does not fit
// it means the client's media cannot follow the call any more.
func (p *participant) answer(m Message) {
	if p.peer == nil {
		p.end(CloseProtocol, "there is no offer to answer")
		return
	}
	if err := p.peer.answer(m.SDP); err != nil {
		p.end(CloseProtocol, "the answer was not accepted: "+truncate(err.Error(), 80))
	}
}

// candidate adds a trickled candidate to the participant's peer connection.
func (p *participant) candidate(m Message) {
	if p.peer == nil {
		return // there has been no offer to answer, so no candidate to trickle
	}
	c := webrtc.ICECandidateInit{Candidate: m.Candidate.Candidate, SDPMid: m.Candidate.SDPMid,
		SDPMLineIndex: m.Candidate.SDPMLineIndex, UsernameFragment: m.Candidate.UsernameFragment}
	if err := p.peer.addCandidate(c); err != nil {
		p.b.log.Debug("ignoring a candidate", "connection", p.id, "error", err)
	}
}

func (p *participant) signal(m Message) {
	switch {
	case utf8.RuneCountInString(m.SignalType) > MaxSignalType:
		p.refuse(m, errSignalTooLarge, fmt.Sprintf("the signal type is longer than %d characters", MaxSignalType))
		return
	case len(m.Data) > MaxSignalData:
		p.refuse(m, errSignalTooLarge, fmt.Sprintf("the signal data is larger than %d bytes", MaxSignalData))
		return
	}
	out := Message{Type: TypeSignal, SignalType: m.SignalType, Data: m.Data, From: p.id}
	if m.To != "" {
		to := p.room.participant(m.To)
		if to == nil {
			p.refuse(m, errSignalNotFound, "the connection to signal is not in this session")
			return
		}
		to.send(out)
	} else {
		p.room.broadcast(p, out)
	}
	p.send(Message{Type: TypeSignalSent, ID: m.ID})
}
