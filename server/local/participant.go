package local

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"golang.org/x/time/rate"
)

const (
	closeGoingAway   = websocket.StatusGoingAway
	handshakeTimeout = 10 * time.Second
	writeTimeout     = 5 * time.Second
	pingInterval     = 2 * time.Second
	outboxSize       = 256
	maxPublications  = 2
)

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
	done   chan struct{} // the writer has closed the socket

	endOnce     sync.Once
	closeCode   websocket.StatusCode
	closeReason string
	departure   string // the reason others are told

	// Only the reading goroutine touches these, except that a stream being
	// destroyed removes its subscriptions, hence the lock.
	mu            sync.Mutex
	publications  map[string]*stream       // by pc id
	subscriptions map[string]*subscription // by pc id
}

func (b *Backend) serveSignal(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	closed := b.closed
	if !closed {
		b.active.Add(1)
	}
	b.mu.Unlock()
	if closed {
		http.Error(w, "the server is shutting down", http.StatusServiceUnavailable)
		return
	}
	defer b.active.Done()

	conn, err := websocket.Accept(w, r, nil) // same-origin only
	if err != nil {
		return
	}
	conn.SetReadLimit(MaxMessageBytes)
	ctx, cancel := context.WithCancel(context.Background())
	p := &participant{
		b: b, conn: conn, id: randomID(), ctx: ctx, cancel: cancel,
		out: make(chan []byte, outboxSize), done: make(chan struct{}),
		departure:     ReasonNetworkDisconnected,
		publications:  map[string]*stream{},
		subscriptions: map[string]*subscription{},
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
		// Reads use no deadline: end() closes the socket (with a status and
		// reason, which a cancelled read context would not send), and that
		// ends the read.
		typ, data, err := p.conn.Read(context.Background())
		if err != nil {
			switch websocket.CloseStatus(err) {
			case websocket.StatusNormalClosure, websocket.StatusGoingAway:
				p.departure = ReasonClientDisconnected
			}
			p.end(websocket.StatusNormalClosure, "")
			return
		}
		if typ != websocket.MessageText {
			p.end(CloseProtocol, "binary frames are not part of the protocol")
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

// handshake waits for "connect", checks the token and enters the room.
func (p *participant) handshake() error {
	timer := time.AfterFunc(handshakeTimeout, func() { p.end(CloseProtocol, "no connect message within 10 s") })
	_, data, err := p.conn.Read(context.Background())
	timer.Stop()
	if err != nil {
		p.end(CloseProtocol, "no connect message")
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
		p.fail(CloseAuthentication, CodeAuthentication, "OT_AUTHENTICATION_ERROR", err.Error())
		return err
	}
	p.info = Connection{ConnectionID: p.id, CreationTime: time.Now().UnixMilli(), Data: claims.ConnectionData}
	r, err := p.b.enter(p, m.SessionID)
	if err != nil {
		p.fail(CloseLimit, CodeConnectionLimit, "OT_CONNECTION_LIMIT_EXCEEDED", err.Error())
		return err
	}
	p.room = r
	conns, streams := r.snapshot(p)
	self := p.info
	p.send(Message{Type: TypeConnected, ConnectionID: p.id, SessionID: r.sessionID, E2EE: true,
		Connection: &self, Connections: conns, Streams: streams})
	r.broadcast(p, Message{Type: TypeConnectionCreated, Connection: &self})
	p.b.log.Info("participant joined", "session", r.sessionID, "connection", p.id)
	return nil
}

// fail tells the client why, with OpenTok's code, then closes.
func (p *participant) fail(status websocket.StatusCode, code int, name, message string) {
	p.send(Message{Type: TypeError, Code: code, Name: name, Message: message})
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
		sub.close()
	}
	p.b.leave(p, p.room)
	self := p.info
	p.room.broadcast(p, Message{Type: TypeConnectionDestroyed, Connection: &self, Reason: p.departure})
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
	p.endOnce.Do(func() {
		p.closeCode, p.closeReason = status, truncate(reason, 120)
		p.cancel()
	})
}

// write sends queued messages until the participant ends, then flushes the
// queue and closes the socket.
func (p *participant) write() {
	defer close(p.done)
	for {
		select {
		case data := <-p.out:
			if p.writeNow(data) != nil {
				p.end(websocket.StatusNormalClosure, "")
			}
		case <-p.ctx.Done():
			for {
				select {
				case data := <-p.out:
					_ = p.writeNow(data) // best effort: the socket is closing
					continue
				default:
				}
				break
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
	t := time.NewTicker(pingInterval)
	defer t.Stop()
	for {
		select {
		case <-p.ctx.Done():
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), DisconnectGrace-pingInterval)
			err := p.conn.Ping(ctx)
			cancel()
			if err != nil {
				p.end(websocket.StatusGoingAway, "no answer to ping")
				return
			}
		}
	}
}
