package local

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"

	"e2eecall/server/clientaddr"
)

// writeTimeout bounds one write to a client; one that cannot take a message
// in that time is dropped rather than slowing the room down.
const writeTimeout = 5 * time.Second

// participant is one browser in a call: its WebSocket and its peer connections.
type participant struct {
	b    *Backend
	conn *websocket.Conn
	id   string
	info Connection
	room *room

	ctx    context.Context // ends when the participant does
	cancel context.CancelFunc
	out    chan []byte
	queued atomic.Int64  // bytes in out
	done   chan struct{} // the writer has closed the socket

	endOnce     sync.Once
	closeCode   websocket.StatusCode
	closeReason string
	vanished    bool   // the client stopped answering: close without waiting for its close frame
	departure   string // the reason others are told

	// Only the reading goroutine adds to these; a stream being destroyed
	// removes from them, hence the lock.
	mu            sync.Mutex
	publications  map[string]*stream       // by pc id
	subscriptions map[string]*subscription // by subscription id
	down          *downlink                // made by the reading goroutine at the first subscription
}

// errEnded is returned by reads after the participant was ended for breaking a rule.
var errEnded = errors.New("participant ended")

func (b *Backend) serveSignal(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &participant{
		b: b, id: rand.Text(), ctx: ctx, cancel: cancel,
		out: make(chan []byte, OutboxMessages), done: make(chan struct{}),
		departure:     ReasonNetworkDisconnected,
		publications:  map[string]*stream{},
		subscriptions: map[string]*subscription{},
	}
	addr := clientaddr.Key(r.RemoteAddr)
	refusal := b.admit(p, addr)
	if refusal == nil {
		defer b.release(p, addr)
	}
	pings := rate.NewLimiter(PingsPerSecond, PingBurst)
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{ // same-origin only
		OnPingReceived: func(context.Context, []byte) bool {
			if pings.Allow() {
				return true
			}
			p.end(CloseLimit, "too many pings: at most 2 a second")
			return false
		},
	})
	if err != nil {
		return
	}
	conn.SetReadLimit(-1) // read enforces MaxMessageBytes itself, to close with CloseLimit rather than 1009
	p.conn = conn
	if refusal != nil {
		b.log.Warn("connection refused", "address", addr, "error", refusal.Error())
		p.fail(CloseLimit, errConnectionLimit, refusal.Error())
		p.write()
		return
	}
	go p.write()
	go p.ping()
	p.serve()
	<-p.done
}

// serve reads messages until the participant leaves, then tidies up.
func (p *participant) serve() {
	if err := p.handshake(); err != nil {
		return
	}
	defer p.leave()
	limiter := rate.NewLimiter(MessagesPerSecond, MessageBurst)
	for {
		data, err := p.read()
		if err != nil {
			return
		}
		if !limiter.Allow() {
			p.end(CloseLimit, "too many messages: slow down")
			return
		}
		m, err := DecodeMessage(data)
		if err != nil {
			p.end(CloseProtocol, err.Error())
			return
		}
		p.handle(m)
	}
}

// read returns the next message, or an error once the participant has
// ended: a frame that breaks the transport rules ends it here.
func (p *participant) read() ([]byte, error) {
	// No deadline: end() closes the socket (with a status and reason, which
	// a cancelled read context would not send), and that ends the read.
	typ, r, err := p.conn.Reader(context.Background())
	if err != nil {
		switch websocket.CloseStatus(err) {
		case websocket.StatusNormalClosure, websocket.StatusGoingAway:
			p.departure = ReasonClientDisconnected
		}
		p.end(websocket.StatusNormalClosure, "")
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxMessageBytes+1))
	switch {
	case err != nil:
		p.end(websocket.StatusNormalClosure, "")
		return nil, err
	case typ != websocket.MessageText:
		p.end(CloseProtocol, "binary frames are not part of the protocol")
	case len(data) > MaxMessageBytes:
		p.end(CloseLimit, "a message is at most 64 KiB")
	case !utf8.Valid(data):
		p.end(websocket.StatusInvalidFramePayloadData, "a text frame must be UTF-8")
	default:
		return data, nil
	}
	return nil, errEnded
}

// handshake waits for "connect", checks the token and enters the room.
func (p *participant) handshake() error {
	timer := time.AfterFunc(HandshakeTimeout, func() { p.end(CloseProtocol, "no connect message within 10 s") })
	data, err := p.read()
	timer.Stop()
	if err != nil {
		return err
	}
	m, err := DecodeMessage(data)
	if err == nil && m.Type != TypeConnect {
		err = errors.New(`the first message must be "connect"`)
	}
	if err != nil {
		p.end(CloseProtocol, err.Error())
		return err
	}
	claims, err := p.b.tokens.verify(m.Token, m.SessionID)
	if err != nil {
		p.fail(CloseAuthentication, errAuthentication, err.Error())
		return err
	}
	p.info = Connection{ConnectionID: p.id, CreationTime: time.Now().UnixMilli(), Data: claims.ConnectionData}
	r, err := p.b.enter(p, m.SessionID)
	switch {
	case errors.Is(err, errShuttingDown):
		p.fail(websocket.StatusGoingAway, errServerShutdown, err.Error())
		return err
	case err != nil:
		p.fail(CloseLimit, errConnectionLimit, err.Error())
		return err
	}
	p.room = r
	p.b.log.Info("participant joined", "session", r.sessionID, "connection", p.id)
	return nil
}

// fail tells the client why, with OpenTok's code, then closes.
func (p *participant) fail(status websocket.StatusCode, e otError, message string) {
	p.send(Message{Type: TypeError, Code: e.Code, Name: e.Name, Message: message})
	p.end(status, message)
}

// leave removes everything of the participant's from the call.
func (p *participant) leave() {
	p.mu.Lock()
	pubs, subs := p.publications, p.subscriptions
	p.publications, p.subscriptions = map[string]*stream{}, map[string]*subscription{}
	p.mu.Unlock()
	for _, s := range pubs {
		p.destroyStream(s, p.departure)
	}
	for _, sub := range subs {
		sub.stream.mu.Lock()
		delete(sub.stream.subs, sub)
		sub.stream.mu.Unlock()
	}
	if p.down != nil {
		p.down.close()
	}
	p.b.leave(p, p.room, p.departure)
	p.b.log.Info("participant left", "session", p.room.sessionID, "connection", p.id, "reason", p.departure)
}

// send queues m for the writer. A client that cannot keep up is dropped
// rather than slowing the room down.
func (p *participant) send(m Message) {
	data, err := json.Marshal(m)
	if err != nil {
		p.b.log.Error("encoding a message", "error", err)
		return
	}
	if p.queued.Add(int64(len(data))) > OutboxBytes {
		p.end(CloseLimit, "the connection is too slow to keep up with the call")
		return
	}
	select {
	case p.out <- data:
	case <-p.ctx.Done():
	default:
		p.end(CloseLimit, "the connection is too slow to keep up with the call")
	}
}

// end makes the participant leave: the writer sends what is queued, then
// closes the socket with status and reason. Only the first call counts.
func (p *participant) end(status websocket.StatusCode, reason string) {
	p.stop(status, reason, false)
}

// vanish ends a participant whose client stopped answering: the socket is
// closed at once, as waiting for its close frame would only delay the others.
func (p *participant) vanish() {
	p.stop(websocket.StatusGoingAway, "no answer to ping", true)
}

func (p *participant) stop(status websocket.StatusCode, reason string, vanished bool) {
	p.endOnce.Do(func() {
		p.closeCode, p.closeReason, p.vanished = status, truncate(reason, 120), vanished
		p.cancel()
		if status != websocket.StatusNormalClosure {
			p.b.log.Warn("connection closed", "connection", p.id, "status", int(status), "reason", p.closeReason)
		}
	})
}

// write sends queued messages until the participant ends, then flushes the
// queue and closes the socket.
func (p *participant) write() {
	defer close(p.done)
	for {
		select {
		case data := <-p.out:
			p.queued.Add(-int64(len(data)))
			if p.writeNow(data) != nil {
				p.vanish()
			}
		case <-p.ctx.Done():
			if p.vanished {
				_ = p.conn.CloseNow()
				return
			}
			for flushing := true; flushing; {
				select {
				case data := <-p.out:
					_ = p.writeNow(data) // best effort: the socket is closing
				default:
					flushing = false
				}
			}
			_ = p.conn.Close(p.closeCode, p.closeReason)
			return
		}
	}
}

func (p *participant) writeNow(data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	return p.conn.Write(ctx, websocket.MessageText, data)
}

// ping notices a browser that vanished without closing its socket.
func (p *participant) ping() {
	t := time.NewTicker(PingInterval)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(p.ctx, DisconnectGrace-PingInterval)
			err := p.conn.Ping(ctx)
			cancel()
			if err != nil {
				p.vanish()
				return
			}
		}
	}
}
