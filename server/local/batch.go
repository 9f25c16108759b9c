package local

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/net/ipv4"
)

// maxBatch is how many packets one system call sends at most.
const maxBatch = 64

// batchDelay is how long a packet waits at most for others to share its
// system call: far less than the jitter any receiver absorbs.
const batchDelay = time.Millisecond

// maxBatchedPacket is the largest packet a batch holds; larger ones (pion
// sends none) are sent on their own.
const maxBatchedPacket = 1500

// batchedSocket is the media socket, sending what is written to it several
// packets per system call (sendmmsg on Linux): one call per packet was a
// third of the server's CPU at 20 rooms. A packet waits about batchDelay
// (a batch is sent when full, or batchDelay after its first packet), and
// nothing runs while nothing is sent. One batch fills while the other is
// sent, so that writers do not wait for the system call.
//
// pion has a batching connection (transport's udp.BatchConn), but its timer
// ticks every half interval whether or not anything is sent, and a batch in
// which one destination fails loses every packet after it: one client with
// a candidate the kernel refuses to send to (port 0, say) would cost the
// others their media. Here only that client's packet is lost.
type batchedSocket struct {
	*net.UDPConn
	batch *ipv4.PacketConn // sends on the same socket, IPv4 and IPv6 destinations alike

	sending sync.Mutex // held while a batch is sent

	mu      sync.Mutex
	filling *packetBatch
	spare   *packetBatch // the one being sent, or sent last

	started chan struct{} // a batch has its first packet
	closed  chan struct{}
	done    chan struct{} // sendStarted has returned
}

// packetBatch is up to maxBatch packets, copied, and their destinations.
type packetBatch struct {
	queued  int
	packets [maxBatch]queuedPacket
	msgs    [maxBatch]ipv4.Message // msgs[i] sends packets[i]
}

type queuedPacket struct {
	data [maxBatchedPacket]byte
	ip   [16]byte
	to   net.UDPAddr
}

func newBatchedSocket(conn *net.UDPConn) *batchedSocket {
	s := &batchedSocket{
		UDPConn: conn, batch: ipv4.NewPacketConn(conn), filling: newPacketBatch(), spare: newPacketBatch(),
		started: make(chan struct{}, 1), closed: make(chan struct{}), done: make(chan struct{}),
	}
	go s.sendStarted()
	return s
}

// sendStarted sends each batch batchDelay after its first packet, unless it
// filled up before.
func (s *batchedSocket) sendStarted() {
	defer close(s.done)
	wait := time.NewTimer(batchDelay)
	wait.Stop()
	for {
		select {
		case <-s.started:
		case <-s.closed:
			return
		}
		wait.Reset(batchDelay)
		select {
		case <-wait.C:
			s.flush()
		case <-s.closed:
			return
		}
	}
}

func newPacketBatch() *packetBatch {
	b := &packetBatch{}
	for i := range b.msgs {
		b.msgs[i].Buffers = [][]byte{nil}
		b.msgs[i].Addr = &b.packets[i].to
	}
	return b
}

// WriteToAddrPort queues p for to; pion's UDP mux writes every packet with it.
func (s *batchedSocket) WriteToAddrPort(p []byte, to netip.AddrPort) (int, error) {
	if len(p) > maxBatchedPacket {
		return s.WriteToUDPAddrPort(p, to)
	}
	s.mu.Lock()
	for s.filling.queued == maxBatch { // filled while the other is sent
		s.mu.Unlock()
		s.flush()
		s.mu.Lock()
	}
	queued := s.filling.add(p, to)
	s.mu.Unlock()
	switch queued {
	case 1:
		select {
		case s.started <- struct{}{}:
		default: // the batch before is still waiting to go; this one goes after it
		}
	case maxBatch:
		s.flush()
	}
	return len(p), nil
}

// ReadFromAddrPort is how pion's UDP mux reads, with no allocation per packet.
func (s *batchedSocket) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	return s.ReadFromUDPAddrPort(p)
}

func (s *batchedSocket) WriteTo(p []byte, to net.Addr) (int, error) {
	udp, ok := to.(*net.UDPAddr)
	if !ok {
		return s.UDPConn.WriteTo(p, to)
	}
	return s.WriteToAddrPort(p, udp.AddrPort())
}

// flush sends the batch that is filling, while writers fill the other.
func (s *batchedSocket) flush() {
	s.sending.Lock()
	defer s.sending.Unlock()
	s.mu.Lock()
	full := s.filling
	s.filling, s.spare = s.spare, full
	s.mu.Unlock()
	full.send(s.batch)
}

func (s *batchedSocket) Close() error {
	close(s.closed)
	<-s.done
	s.flush()
	return s.UDPConn.Close()
}

func (b *packetBatch) add(p []byte, to netip.AddrPort) int {
	q := &b.packets[b.queued]
	q.setDestination(to)
	b.msgs[b.queued].Buffers[0] = q.data[:copy(q.data[:], p)]
	b.queued++
	return b.queued
}

// send sends what is queued. A packet whose destination the kernel refuses
// is dropped, and the rest still go.
func (b *packetBatch) send(conn *ipv4.PacketConn) {
	msgs := b.msgs[:b.queued]
	for len(msgs) > 0 {
		sent, err := conn.WriteBatch(msgs, 0)
		if err != nil || sent == 0 {
			sent = 1 // the first could not be sent
		}
		msgs = msgs[sent:]
	}
	b.queued = 0
}

func (q *queuedPacket) setDestination(to netip.AddrPort) {
	addr := to.Addr().Unmap()
	if addr.Is4() {
		ip := addr.As4()
		q.to.IP = q.ip[:copy(q.ip[:], ip[:])]
	} else {
		ip := addr.As16()
		q.to.IP = q.ip[:copy(q.ip[:], ip[:])]
	}
	q.to.Port = int(to.Port())
	q.to.Zone = addr.Zone()
}
