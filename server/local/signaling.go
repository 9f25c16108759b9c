package local

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"e2eecall/server/clientaddr"
)

// participant is one browser in a call: who it is, what it publishes and
// receives. It speaks through one socket at a time; when the network takes
// the socket away, everything else is kept for ReconnectGrace, so that the
// browser can resume on a new socket.
type participant struct {
	b         *Backend
	id        string
	info      Connection
	room      *room
	resumeKey string // proves a resuming socket is this participant's browser

	handling sync.Mutex // one message at a time, whichever socket it came on
	leaving  sync.Once

	mu        sync.Mutex
	sock      *socket     // nil while away
	away      *time.Timer // while away: ends the participant when the grace passes
	awayFrom  string      // while away: the address its last socket came from
	over      bool        // it has left or is leaving for good
	departure string      // the reason others are told

	// Messages add to these; a stream being destroyed removes from them.
	publications  map[string]*stream       // by pc id, from "publish" on (live once its offer is answered)
	subscriptions map[string]*subscription // by subscription id
	peer          *peer                    // made at the first publication or subscription
}

func (b *Backend) serveSignal(w http.ResponseWriter, r *http.Request) {
	s := newSocket(b, clientaddr.Key(r.RemoteAddr))
	defer s.cancel()
	refusal := b.admit(s)
	if refusal == nil {
		defer b.release(s)
	}
	pings := rate.NewLimiter(PingsPerSecond, PingBurst)
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{ // same-origin only
		OnPingReceived: func(context.Context, []byte) bool {
			if pings.Allow() {
				return true
			}
			s.end(CloseLimit, "too many pings: at most 2 a second")
			return false
		},
	})
	if err != nil {
		return
	}
	conn.SetReadLimit(-1) // read enforces MaxMessageBytes itself, to close with CloseLimit rather than 1009
	s.conn = conn
	if refusal != nil {
		b.log.Warn("connection refused", "address", s.addr, "error", refusal.Error())
		s.fail(CloseLimit, errConnectionLimit, refusal.Error())
		s.write()
		return
	}
	go s.write()
	if p := s.handshake(); p != nil {
		p.serve(s)
		p.socketEnded(s)
	}
	<-s.done
}

// serve reads the socket's messages until it ends.
func (p *participant) serve(s *socket) {
	limiter := rate.NewLimiter(MessagesPerSecond, MessageBurst)
	for {
		data, err := s.read()
		if err != nil {
			return
		}
		if !limiter.Allow() {
			s.end(CloseLimit, "too many messages: slow down")
			return
		}
		m, err := DecodeMessage(data)
		if err != nil {
			s.end(CloseProtocol, err.Error())
			return
		}
		p.handling.Lock()
		p.handle(m)
		p.handling.Unlock()
	}
}

// handshake waits for "connect", checks the token, and enters the room as a
// new participant or resumes one; it returns nil if the socket ended instead.
func (s *socket) handshake() *participant {
	timer := time.AfterFunc(HandshakeTimeout, func() { s.end(CloseProtocol, "no connect message within 10 s") })
	data, err := s.read()
	timer.Stop()
	if err != nil {
		return nil
	}
	m, err := DecodeMessage(data)
	if err == nil && m.Type != TypeConnect {
		err = errors.New(`the first message must be "connect"`)
	}
	if err != nil {
		s.end(CloseProtocol, err.Error())
		return nil
	}
	claims, err := s.b.tokens.verify(m.Token, m.SessionID)
	if err != nil {
		s.fail(CloseAuthentication, errAuthentication, err.Error())
		return nil
	}
	if m.ConnectionID != "" {
		p, err := s.b.resume(m.SessionID, m.ConnectionID, m.ResumeKey, s)
		if err != nil {
			s.fail(CloseResumeFailed, errConnectFailed, err.Error())
			return nil
		}
		s.b.log.Info("participant resumed", "session", p.room.sessionID, "connection", p.id)
		return p
	}
	p := &participant{
		b: s.b, id: rand.Text(), resumeKey: rand.Text(), sock: s,
		departure:     ReasonNetworkDisconnected,
		publications:  map[string]*stream{},
		subscriptions: map[string]*subscription{},
	}
	p.info = Connection{ConnectionID: p.id, CreationTime: time.Now().UnixMilli(), Data: claims.ConnectionData}
	r, err := s.b.enter(p, m.SessionID)
	switch {
	case errors.Is(err, errShuttingDown):
		s.fail(websocket.StatusGoingAway, errConnectFailed, err.Error())
		return nil
	case err != nil:
		s.fail(CloseLimit, errConnectionLimit, err.Error())
		return nil
	}
	p.room = r
	s.b.log.Info("participant joined", "session", r.sessionID, "connection", p.id)
	return p
}

// send queues m on the participant's socket; while it is away, m is dropped
// (the browser learns where the call is from "connected" when it resumes).
func (p *participant) send(m Message) {
	p.mu.Lock()
	s := p.sock
	p.mu.Unlock()
	if s != nil {
		s.send(m)
	}
}

// present says whether the participant has a socket (it is not away).
func (p *participant) present() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sock != nil
}

// end makes the participant leave for good: its socket, if it has one,
// closes with status and reason.
func (p *participant) end(status websocket.StatusCode, reason string) {
	p.mu.Lock()
	p.over = true
	s := p.sock
	p.mu.Unlock()
	if s != nil {
		s.end(status, reason) // its reader ends, and socketEnded makes p leave
		return
	}
	p.leave()
}

// socketEnded decides, when s has closed, whether the participant left or
// may come back: only a socket the network took away gets the grace.
// (Locks: the backend's, then a room's, then a participant's; so the
// backend is never called with p.mu held.)
func (p *participant) socketEnded(s *socket) {
	p.mu.Lock()
	if p.sock != s {
		p.mu.Unlock()
		return // a resumed socket replaced it
	}
	p.sock = nil
	if s.clean.Load() {
		p.departure = ReasonClientDisconnected
	}
	mayResume := !p.over && s.lost.Load()
	p.mu.Unlock()
	if !mayResume || !p.b.holdAway(s.addr) {
		p.end(websocket.StatusNormalClosure, "")
		return
	}
	p.mu.Lock()
	if p.sock != nil || p.over { // resumed or ended meanwhile
		p.mu.Unlock()
		p.b.releaseAway(s.addr)
		return
	}
	p.awayFrom = s.addr
	p.away = time.AfterFunc(p.b.reconnectGrace, p.expire)
	peer := p.peer
	p.mu.Unlock()
	if peer != nil {
		peer.pause()
	}
	p.room.broadcast(p, Message{Type: TypeConnectionInterrupted, ConnectionID: p.id})
	p.b.log.Info("participant away", "session", p.room.sessionID, "connection", p.id)
}

// expire ends a participant whose grace passed without it coming back.
func (p *participant) expire() {
	p.mu.Lock()
	resumed := p.sock != nil
	p.mu.Unlock()
	if !resumed {
		p.end(websocket.StatusNormalClosure, "")
	}
}

// attach makes s the participant's socket: it comes back from away, or
// takes over from a socket the server has not seen drop yet. The room calls
// it under its lock, so that "connected" goes out before anything else. If
// p was away, it returns the address it was counted under, for the caller
// to release.
func (p *participant) attach(s *socket) (ok bool, wasAwayFrom string) {
	p.mu.Lock()
	if p.over {
		p.mu.Unlock()
		return false, ""
	}
	old := p.sock
	p.sock = s
	if p.away != nil {
		p.away.Stop()
		p.away = nil
		wasAwayFrom = p.awayFrom
	}
	p.mu.Unlock()
	if old != nil {
		old.vanish() // the browser has moved on to s
	}
	return true, wasAwayFrom
}

// leave removes everything of the participant's from the call, once.
func (p *participant) leave() {
	p.leaving.Do(func() {
		p.mu.Lock()
		p.over = true
		pubs, subs := p.publications, p.subscriptions
		p.publications, p.subscriptions = map[string]*stream{}, map[string]*subscription{}
		wasAway := p.away != nil
		if wasAway {
			p.away.Stop()
			p.away = nil
		}
		peer := p.peer
		departure := p.departure
		p.mu.Unlock()
		if wasAway {
			p.b.releaseAway(p.awayFrom)
		}
		for _, s := range pubs {
			p.destroyStream(s, departure)
		}
		for _, sub := range subs {
			sub.stream.mu.Lock()
			delete(sub.stream.subs, sub)
			sub.stream.mu.Unlock()
		}
		if peer != nil {
			peer.close()
		}
		p.b.leave(p, p.room, departure)
		p.b.log.Info("participant left", "session", p.room.sessionID, "connection", p.id, "reason", departure)
	})
}

// resumeMatches says, in constant time, whether key is the participant's.
func (p *participant) resumeMatches(key string) bool {
	return subtle.ConstantTimeCompare([]byte(key), []byte(p.resumeKey)) == 1
}
