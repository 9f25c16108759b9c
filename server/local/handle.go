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
		if sub := p.subscription(m.PC); sub != nil {
			if err := sub.answer(m.SDP); err != nil {
				p.sendError(m, CodeUnableToSubscribe, "OT_UNABLE_TO_SUBSCRIBE", "the answer was not accepted: "+err.Error())
			}
		}
	case TypeCandidate:
		p.candidate(m)
	case TypeUnsubscribe:
		p.mu.Lock()
		sub := p.subscriptions[m.PC]
		delete(p.subscriptions, m.PC)
		p.mu.Unlock()
		if sub != nil {
			sub.close()
		}
	case TypeSignal:
		p.signal(m)
	case TypeDisconnect:
		p.departure = ReasonClientDisconnected
		p.end(websocket.StatusNormalClosure, "disconnected")
	}
}

func (p *participant) sendError(req Message, code int, name, message string) {
	p.b.log.Warn("request refused", "session", p.room.sessionID, "connection", p.id, "type", req.Type, "code", code, "error", message)
	p.send(Message{Type: TypeError, PC: req.PC, ID: req.ID, Code: code, Name: name, Message: message})
}

func (p *participant) publish(m Message) {
	const code, name = CodeUnableToPublish, "OT_STREAM_CREATE_FAILED"
	if !m.Encrypted {
		p.sendError(m, code, name, msgPublishNoSecret)
		return
	}
	p.mu.Lock()
	_, taken := p.publications[m.PC]
	_, takenBySub := p.subscriptions[m.PC]
	count := len(p.publications)
	p.mu.Unlock()
	switch {
	case taken || takenBySub:
		p.sendError(m, code, name, "the pc id is already in use")
		return
	case count >= maxPublications:
		p.sendError(m, code, name, fmt.Sprintf("a participant can publish at most %d streams", maxPublications))
		return
	}
	s, answer, err := p.newPublication(m.PC, m.SDP, *m.Stream)
	if err != nil {
		p.sendError(m, code, name, "the offer was not accepted: "+err.Error())
		return
	}
	p.mu.Lock()
	p.publications[m.PC] = s
	p.mu.Unlock()
	p.room.addStream(s)
	p.b.log.Info("stream published", "session", p.room.sessionID, "connection", p.id, "stream", s.info.StreamID)
	info := s.info
	p.send(Message{Type: TypePublished, PC: m.PC, StreamID: info.StreamID, SDP: answer})
	p.room.broadcast(p, Message{Type: TypeStreamCreated, Stream: &info})
}

func (p *participant) unpublish(pcID string) {
	p.mu.Lock()
	s := p.publications[pcID]
	delete(p.publications, pcID)
	p.mu.Unlock()
	if s != nil {
		p.destroyStream(s, ReasonClientDisconnected)
	}
}

// destroyStream ends a stream for everyone: its subscriptions close and the
// others are told.
func (p *participant) destroyStream(s *stream, reason string) {
	if p.room.takeStream(s.info.StreamID) == nil {
		return
	}
	s.mu.Lock()
	subs := make([]*subscription, 0, len(s.subs))
	for sub := range s.subs {
		subs = append(subs, sub)
	}
	s.mu.Unlock()
	for _, sub := range subs {
		sub.owner.mu.Lock()
		delete(sub.owner.subscriptions, sub.pcID)
		sub.owner.mu.Unlock()
		sub.close()
	}
	_ = s.pc.Close()
	info := s.info
	p.room.broadcast(p, Message{Type: TypeStreamDestroyed, Stream: &info, Reason: reason})
}

func (p *participant) streamProperty(m Message) {
	p.mu.Lock()
	s := p.publications[m.PC]
	p.mu.Unlock()
	if s == nil {
		return
	}
	for property, value := range map[string]*bool{"hasAudio": m.HasAudio, "hasVideo": m.HasVideo} {
		if value == nil {
			continue
		}
		old, changed := p.room.setStreamProperty(s, property, *value)
		if changed {
			p.room.broadcast(p, Message{Type: TypeStreamPropertyChanged, StreamID: s.info.StreamID,
				ChangedProperty: property, OldValue: &old, NewValue: value})
		}
	}
}

func (p *participant) subscribe(m Message) {
	const code, name = CodeUnableToSubscribe, "OT_UNABLE_TO_SUBSCRIBE"
	if !m.Encrypted {
		p.sendError(m, code, name, msgSubscribeNoSecret)
		return
	}
	s := p.room.stream(m.StreamID)
	p.mu.Lock()
	_, taken := p.subscriptions[m.PC]
	_, takenByPub := p.publications[m.PC]
	p.mu.Unlock()
	switch {
	case s == nil:
		p.sendError(m, code, name, "the stream is not in this session (any more)")
		return
	case s.owner == p:
		p.sendError(m, code, name, "subscribe to other people's streams; your own is on your screen already")
		return
	case taken || takenByPub:
		p.sendError(m, code, name, "the pc id is already in use")
		return
	}
	sub, offer, err := p.newSubscription(m.PC, s)
	if err != nil {
		p.sendError(m, code, name, "the subscription could not be set up: "+err.Error())
		return
	}
	s.mu.Lock()
	s.subs[sub] = struct{}{}
	s.mu.Unlock()
	p.mu.Lock()
	p.subscriptions[m.PC] = sub
	p.mu.Unlock()
	if p.room.stream(m.StreamID) == nil { // the publisher left meanwhile
		p.mu.Lock()
		delete(p.subscriptions, m.PC)
		p.mu.Unlock()
		sub.close()
		p.sendError(m, code, name, "the stream is not in this session (any more)")
		return
	}
	p.b.log.Info("stream subscribed", "session", p.room.sessionID, "connection", p.id, "stream", s.info.StreamID)
	p.send(Message{Type: TypeSubscribed, PC: m.PC, StreamID: s.info.StreamID, SDP: offer})
}

func (p *participant) subscription(pcID string) *subscription {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.subscriptions[pcID]
}

func (p *participant) candidate(m Message) {
	c := webrtc.ICECandidateInit{Candidate: m.Candidate.Candidate, SDPMid: m.Candidate.SDPMid,
		SDPMLineIndex: m.Candidate.SDPMLineIndex, UsernameFragment: m.Candidate.UsernameFragment}
	p.mu.Lock()
	s := p.publications[m.PC]
	sub := p.subscriptions[m.PC]
	p.mu.Unlock()
	var err error
	switch {
	case s != nil:
		err = s.pc.AddICECandidate(c)
	case sub != nil:
		err = sub.addCandidate(c)
	}
	if err != nil {
		p.b.log.Debug("ignoring a candidate", "connection", p.id, "error", err)
	}
}

func (p *participant) signal(m Message) {
	switch {
	case utf8.RuneCountInString(m.SignalType) > MaxSignalType:
		p.sendError(m, CodeSignalTooLarge, "OT_INVALID_PARAMETER", fmt.Sprintf("the signal type is longer than %d characters", MaxSignalType))
		return
	case len(m.Data) > MaxSignalData:
		p.sendError(m, CodeSignalTooLarge, "OT_INVALID_PARAMETER", fmt.Sprintf("the signal data is larger than %d bytes", MaxSignalData))
		return
	}
	out := Message{Type: TypeSignal, SignalType: m.SignalType, Data: m.Data, From: p.id}
	if m.To != "" {
		to := p.room.participant(m.To)
		if to == nil {
			p.sendError(m, CodeSignalNotFound, "OT_NOT_FOUND", "the connection to signal is not in this session")
			return
		}
		to.send(out)
	} else {
		p.room.broadcast(p, out)
	}
	p.send(Message{Type: TypeSignalSent, ID: m.ID})
}
