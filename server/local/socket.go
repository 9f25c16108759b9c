package local

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/coder/websocket"
)

// writeTimeout bounds one write to a client; one that cannot take a message
// in that time is dropped rather than slowing the room down.
const writeTimeout = 5 * time.Second

// socket is one signaling WebSocket. A participant speaks through one at a
// time; when it drops, the participant may come back on another (resume).
type socket struct {
	b    *Backend
	conn *websocket.Conn
	addr string // the client's address, for MaxSocketsPerAddress

	ctx    context.Context // ends when the socket does
	cancel context.CancelFunc
	out    chan []byte
	queued atomic.Int64  // bytes in out
	done   chan struct{} // the writer has closed the socket

	endOnce     sync.Once
	closeCode   websocket.StatusCode
	closeReason string
	vanished    bool // the client stopped answering: close without waiting for its close frame

	// lost says the network took the socket away (no close frame, or no
	// answer to pings): the participant may come back. clean says the
	// client closed it on purpose: the participant has left.
	lost, clean atomic.Bool
	pinging     atomic.Bool // a ping waits for its pong
}

func newSocket(b *Backend, addr string) *socket {
	ctx, cancel := context.WithCancel(context.Background())
	return &socket{b: b, addr: addr, ctx: ctx, cancel: cancel, out: make(chan []byte, OutboxMessages), done: make(chan struct{})}
}

// errEnded is returned by reads after the socket was ended for breaking a rule.
var errEnded = errors.New("socket ended")

// read returns the next message, or an error once the socket has ended: a
// frame that breaks the transport rules ends it here.
func (s *socket) read() ([]byte, error) {
	// No deadline: end() closes the socket (with a status and reason, which
	// a cancelled read context would not send), and that ends the read.
	typ, r, err := s.conn.Reader(context.Background())
	if err != nil {
		if s.ctx.Err() == nil { // the client's doing, not a close of ours
			switch websocket.CloseStatus(err) {
			case websocket.StatusNormalClosure, websocket.StatusGoingAway:
				s.clean.Store(true)
			case -1: // no close frame: the network dropped it
				s.lost.Store(true)
			}
		}
		s.end(websocket.StatusNormalClosure, "")
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxMessageBytes+1))
	switch {
	case err != nil:
		if s.ctx.Err() == nil {
			s.lost.Store(true)
		}
		s.end(websocket.StatusNormalClosure, "")
		return nil, err
	case typ != websocket.MessageText:
		s.end(CloseProtocol, "binary frames are not part of the protocol")
	case len(data) > MaxMessageBytes:
		s.end(CloseLimit, "a message is at most 64 KiB")
	case !utf8.Valid(data):
		s.end(websocket.StatusInvalidFramePayloadData, "a text frame must be UTF-8")
	default:
		return data, nil
	}
	return nil, errEnded
}

// send queues m for the writer. A client that cannot keep up is dropped
// rather than slowing the room down.
func (s *socket) send(m Message) {
	data, err := json.Marshal(m)
	if err != nil {
		s.b.log.Error("encoding a message", "error", err)
		return
	}
	if s.queued.Add(int64(len(data))) > OutboxBytes {
		s.end(CloseLimit, "the connection is too slow to keep up with the call")
		return
	}
	select {
	case s.out <- data:
	case <-s.ctx.Done():
	default:
		s.end(CloseLimit, "the connection is too slow to keep up with the call")
	}
}

// fail tells the client why, with OpenTok's code, then closes.
func (s *socket) fail(status websocket.StatusCode, e otError, message string) {
	s.send(Message{Type: TypeError, Code: e.Code, Name: e.Name, Message: message})
	s.end(status, message)
}

// end closes the socket: the writer sends what is queued, then closes with
// status and reason. Only the first call counts.
func (s *socket) end(status websocket.StatusCode, reason string) {
	s.stop(status, reason, false)
}

// vanish ends a socket whose client stopped answering: it is closed at once,
// as waiting for its close frame would only delay the others.
func (s *socket) vanish() {
	if s.ctx.Err() == nil { // not already closed by the server for a reason of its own
		s.lost.Store(true)
	}
	s.stop(websocket.StatusGoingAway, "no answer to ping", true)
}

func (s *socket) stop(status websocket.StatusCode, reason string, vanished bool) {
	s.endOnce.Do(func() {
		s.closeCode, s.closeReason, s.vanished = status, truncate(reason, 120), vanished
		s.cancel()
		if status != websocket.StatusNormalClosure {
			s.b.log.Warn("connection closed", "address", s.addr, "status", int(status), "reason", s.closeReason)
		}
	})
}

// write sends queued messages, and a ping every PingInterval, until the
// socket ends, then flushes the queue and closes it.
func (s *socket) write() {
	defer close(s.done)
	pings := time.NewTicker(PingInterval)
	defer pings.Stop()
	for {
		select {
		case data := <-s.out:
			s.queued.Add(-int64(len(data)))
			if s.writeNow(data) != nil {
				s.vanish()
			}
		case <-pings.C:
			if s.pinging.CompareAndSwap(false, true) {
				go s.ping()
			}
		case <-s.ctx.Done():
			if s.vanished {
				_ = s.conn.CloseNow()
				return
			}
			for flushing := true; flushing; {
				select {
				case data := <-s.out:
					_ = s.writeNow(data) // best effort: the socket is closing
				default:
					flushing = false
				}
			}
			_ = s.conn.Close(s.closeCode, s.closeReason)
			return
		}
	}
}

func (s *socket) writeNow(data []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), writeTimeout)
	defer cancel()
	return s.conn.Write(ctx, websocket.MessageText, data)
}

// ping notices a browser that vanished without closing its socket: its
// pong must come within DisconnectGrace-PingInterval. It waits on its own
// goroutine, so that messages go out meanwhile.
func (s *socket) ping() {
	defer s.pinging.Store(false)
	ctx, cancel := context.WithTimeout(s.ctx, DisconnectGrace-PingInterval)
	defer cancel()
	if s.conn.Ping(ctx) != nil {
		s.vanish()
	}
}
