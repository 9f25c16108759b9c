package local

import (
	"slices"
	"sort"
	"sync"
)

// room is one session's call: who is in it and what they publish.
//
// Every change is made and announced under the room's lock, so that each
// participant hears of each connection and stream exactly once, and hears
// "connected" before anything else, however joins and publishes interleave.
// Announcing only queues messages (participant.send never blocks).
type room struct {
	sessionID string

	mu           sync.Mutex
	participants map[string]*participant // by connection id
	streams      map[string]*stream      // by stream id
}

func newRoom(sessionID string) *room {
	return &room{sessionID: sessionID, participants: map[string]*participant{}, streams: map[string]*stream{}}
}

// join adds p: p gets "connected" with who is here, who of them is away and
// what they publish, and everyone else gets "connectionCreated".
func (r *room) join(p *participant, max int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.participants) >= max {
		return errRoomFull
	}
	conns, streams, away := r.snapshot()
	self := p.info
	p.send(Message{Type: TypeConnected, ConnectionID: p.id, SessionID: r.sessionID, E2EE: true,
		Connection: &self, Connections: conns, Streams: streams, Interrupted: away,
		ResumeKey: p.resumeKey, ResumeWithin: p.b.reconnectGrace.Milliseconds()})
	r.announce(p, Message{Type: TypeConnectionCreated, Connection: &self})
	r.participants[p.id] = p
	return nil
}

// resume gives p, which is in the room, the socket s: p gets "connected"
// with who is here, who of them is away and what they publish now, and
// everyone else gets
// "connectionResumed". It says false if p has left meanwhile, and returns
// the address p was counted under while away, if it was.
func (r *room) resume(p *participant, s *socket) (ok bool, wasAwayFrom string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.participants[p.id] != p {
		return false, ""
	}
	if ok, wasAwayFrom = p.attach(s); !ok {
		return false, ""
	}
	conns, streams, away := r.snapshot() // p has its socket again: it is not among the away
	self := p.info
	p.send(Message{Type: TypeConnected, ConnectionID: p.id, SessionID: r.sessionID, E2EE: true, Resumed: true,
		Connection: &self, Connections: slices.DeleteFunc(conns, func(c *Connection) bool { return c.ConnectionID == p.id }),
		Streams: slices.DeleteFunc(streams, func(s *Stream) bool { return s.ConnectionID == p.id }), Interrupted: away,
		ResumeKey: p.resumeKey, ResumeWithin: p.b.reconnectGrace.Milliseconds()})
	r.announce(p, Message{Type: TypeConnectionResumed, ConnectionID: p.id})
	return true, wasAwayFrom
}

// everyone is every participant in the room.
func (r *room) everyone() []*participant {
	r.mu.Lock()
	defer r.mu.Unlock()
	all := make([]*participant, 0, len(r.participants))
	for _, p := range r.participants {
		all = append(all, p)
	}
	return all
}

// leave takes p out, tells the others why, and says how many are left.
func (r *room) leave(p *participant, reason string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.participants[p.id]; ok {
		delete(r.participants, p.id)
		self := p.info
		r.announce(p, Message{Type: TypeConnectionDestroyed, Connection: &self, Reason: reason})
	}
	return len(r.participants)
}

// announce sends m to everyone but from. The caller holds the lock.
func (r *room) announce(from *participant, m Message) {
	for _, p := range r.participants {
		if p != from {
			p.send(m)
		}
	}
}

// broadcast sends m to everyone but from.
func (r *room) broadcast(from *participant, m Message) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.announce(from, m)
}

// snapshot is who is here and what they publish, oldest first, and the
// connection ids of those who are away (sorted), which "connected" carries
// because a participant hears "connectionInterrupted" only while it has a
// socket. The caller holds the lock.
func (r *room) snapshot() (conns []*Connection, streams []*Stream, away []string) {
	conns = []*Connection{}
	for _, o := range r.participants {
		c := o.info
		conns = append(conns, &c)
		if !o.present() {
			away = append(away, o.id)
		}
	}
	sort.Slice(conns, func(i, j int) bool { return conns[i].CreationTime < conns[j].CreationTime })
	slices.Sort(away)
	streams = []*Stream{}
	for _, s := range r.streams {
		info := s.info
		streams = append(streams, &info)
	}
	sort.Slice(streams, func(i, j int) bool { return streams[i].CreationTime < streams[j].CreationTime })
	return conns, streams, away
}

// addStream adds s and tells everyone but its owner.
func (r *room) addStream(s *stream) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.streams[s.info.StreamID] = s
	info := s.info
	r.announce(s.owner, Message{Type: TypeStreamCreated, Stream: &info})
}

// takeStream removes a stream and tells everyone but its owner; it returns
// nil if the stream was already gone.
func (r *room) takeStream(id, reason string) *stream {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.streams[id]
	if s == nil {
		return nil
	}
	delete(r.streams, id)
	info := s.info
	r.announce(s.owner, Message{Type: TypeStreamDestroyed, Stream: &info, Reason: reason})
	return s
}

func (r *room) stream(id string) *stream {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.streams[id]
}

// setStreamProperty changes hasAudio or hasVideo and tells everyone but the
// owner, if it changed.
func (r *room) setStreamProperty(s *stream, property string, value bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	field := &s.info.HasAudio
	if property == "hasVideo" {
		field = &s.info.HasVideo
	}
	old := *field
	if old == value {
		return
	}
	*field = value
	r.announce(s.owner, Message{Type: TypeStreamPropertyChanged, StreamID: s.info.StreamID,
		ChangedProperty: property, OldValue: &old, NewValue: &value})
}

func (r *room) participant(id string) *participant {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.participants[id]
}
