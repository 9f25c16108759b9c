package local

import (
	"sort"
	"sync"
)

// room is one session's call: who is in it and what they publish.
type room struct {
	sessionID string

	mu           sync.Mutex
	participants map[string]*participant // by connection id
	streams      map[string]*stream      // by stream id
}

func newRoom(sessionID string) *room {
	return &room{sessionID: sessionID, participants: map[string]*participant{}, streams: map[string]*stream{}}
}

func (r *room) add(p *participant, max int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.participants) >= max {
		return errRoomFull
	}
	r.participants[p.id] = p
	return nil
}

// remove takes p out and says how many are left.
func (r *room) remove(p *participant) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.participants, p.id)
	return len(r.participants)
}

func (r *room) members() []*participant {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]*participant, 0, len(r.participants))
	for _, p := range r.participants {
		out = append(out, p)
	}
	return out
}

// broadcast sends m to everyone but from.
func (r *room) broadcast(from *participant, m Message) {
	for _, p := range r.members() {
		if p != from {
			p.send(m)
		}
	}
}

// snapshot is who is here and what they publish, for a participant who
// arrives: everyone but p, oldest first.
func (r *room) snapshot(p *participant) ([]*Connection, []*Stream) {
	r.mu.Lock()
	defer r.mu.Unlock()
	conns := []*Connection{}
	for _, o := range r.participants {
		if o != p {
			c := o.info
			conns = append(conns, &c)
		}
	}
	sort.Slice(conns, func(i, j int) bool { return conns[i].CreationTime < conns[j].CreationTime })
	streams := []*Stream{}
	for _, s := range r.streams {
		info := s.info
		streams = append(streams, &info)
	}
	sort.Slice(streams, func(i, j int) bool { return streams[i].CreationTime < streams[j].CreationTime })
	return conns, streams
}

func (r *room) addStream(s *stream) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.streams[s.info.StreamID] = s
}

// takeStream removes a stream; it returns nil if it was already gone.
func (r *room) takeStream(id string) *stream {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.streams[id]
	delete(r.streams, id)
	return s
}

func (r *room) stream(id string) *stream {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.streams[id]
}

// setStreamProperty changes hasAudio or hasVideo and says what it was.
func (r *room) setStreamProperty(s *stream, property string, value bool) (old bool, changed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	field := &s.info.HasAudio
	if property == "hasVideo" {
		field = &s.info.HasVideo
	}
	old = *field
	*field = value
	return old, old != value
}

func (r *room) participant(id string) *participant {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.participants[id]
}
