package local

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"golang.org/x/net/ipv4"
)

// maxBatch is how many packets one system call sends at most.
const maxBatch = 64

// batchDelay is the sender's tick, how long a packet waits at most for
// others to share its system call: far less than the jitter any receiver
// absorbs.
const batchDelay = 500 * time.Microsecond

// idleTicks is how many ticks without a packet stop the ticking: 100 ms.
const idleTicks = 200

// maxBatchedPacket is the largest packet a batch holds; larger ones (pion
// sends none) are sent on their own.
const maxBatchedPacket = 1500

// maxReceivedPacket is the largest packet read, as in pion's own reads.
const maxReceivedPacket = 8192

// batchedSocket is the media socket, sending what is written to it several
// packets per system call (sendmmsg on Linux): one call per packet was a
// third of the server's CPU at 20 rooms. A batch is sent when full, or at
// the sender's next tick. One batch fills while the other is sent, so that
// writers do not wait for the system call. It reads several packets per
// system call too.
//
// The sender ticks while packets come and stops 100 ms after the last, so
// nothing runs while nothing is sent. It does not stop between batches: a
// timer per batch, from its first packet, let the server fall idle between
// batches, and each time it woke, Go's runtime monitor polled every 20 µs
// for a millisecond (sysmon, reset by a system call that wakes it from its
// idle sleep). That was 3.5 times the context switches, and 1.2 times the
// CPU at 10 rooms, measured side by side (BenchmarkCapacity's
// CAPACITY_BASELINE).
//
// pion has a batching connection (transport's udp.BatchConn), which ticks
// too, but never stops: an idle server would wake 2,000 times a second. And
// a batch in which one destination fails loses every packet after it: one
// client with a candidate the kernel refuses to send to (port 0, say) would
// cost the others their media. Here only that client's packet is lost.
type batchedSocket struct {
	*net.UDPConn
	batch *ipv4.PacketConn // sends on the same socket, IPv4 and IPv6 destinations alike

	sending sync.Mutex // held while a batch is sent

	mu      sync.Mutex
	filling *packetBatch
	spare   *packetBatch // the one being sent, or sent last

	received receivedBatch

	ticking bool          // under mu: the sender ticks; a writer that finds it not starts it
	started chan struct{} // the sender is to tick; never holds more than one
	closed  chan struct{}
	done    chan struct{} // sendEveryTick has returned
}

// packetBatch is up to maxBatch packets, copied, and their destinations.
type packetBatch struct {
	queued  int
	packets [maxBatch]queuedPacket
	msgs    [maxBatch]ipv4.Message // msgs[i] sends packets[i]
}

// receivedBatch is what one system call read, handed to pion a packet at a time.
type receivedBatch struct {
	mu         sync.Mutex
	msgs       [maxBatch]ipv4.Message
	next, read int // msgs[next:read] are still to be handed to pion
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
	for i := range s.received.msgs {
		s.received.msgs[i].Buffers = [][]byte{make([]byte, maxReceivedPacket)}
	}
	go s.sendEveryTick()
	return s
}

// sendEveryTick sends what is queued at each tick while packets come, and
// waits for the next packet once none has come for idleTicks ticks.
func (s *batchedSocket) sendEveryTick() {
	defer close(s.done)
	tick := time.NewTicker(batchDelay)
	tick.Stop()
	for {
		select {
		case <-s.started:
		case <-s.closed:
			return
		}
		tick.Reset(batchDelay)
		for idle := 0; idle < idleTicks || !s.stopTicking(); {
			select {
			case <-tick.C:
			case <-s.closed:
				return
			}
			if s.flush() {
				idle = 0
			} else {
				idle++
			}
		}
		tick.Stop()
	}
}

// stopTicking says whether nothing is queued, and if so has the next packet start the ticking again.
func (s *batchedSocket) stopTicking() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.filling.queued > 0 {
		return false
	}
	s.ticking = false
	return true
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
	start := !s.ticking
	s.ticking = true
	s.mu.Unlock()
	if start {
		s.started <- struct{}{}
	}
	if queued == maxBatch {
		s.flush()
	}
	return len(p), nil
}

// ReadFromAddrPort is how pion's UDP mux reads. It reads what has arrived,
// up to maxBatch packets, with one system call (recvmmsg on Linux), and
// hands it over a packet at a time: at 20 rooms, 13,000 to 20,000 reads in
// 10 s instead of 89,000, and about 0.95 times the CPU, side by side.
func (s *batchedSocket) ReadFromAddrPort(p []byte) (int, netip.AddrPort, error) {
	r := &s.received
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.next == r.read {
		n, err := s.batch.ReadBatch(r.msgs[:], 0)
		if err != nil {
			return 0, netip.AddrPort{}, err
		}
		r.next, r.read = 0, n
	}
	m := &r.msgs[r.next]
	r.next++
	from, ok := m.Addr.(*net.UDPAddr)
	if !ok {
		return 0, netip.AddrPort{}, fmt.Errorf("a packet from %v, which is not a UDP address", m.Addr)
	}
	return copy(p, m.Buffers[0][:m.N]), from.AddrPort(), nil
}

func (s *batchedSocket) WriteTo(p []byte, to net.Addr) (int, error) {
	udp, ok := to.(*net.UDPAddr)
	if !ok {
		return s.UDPConn.WriteTo(p, to)
	}
	return s.WriteToAddrPort(p, udp.AddrPort())
}

// flush sends the batch that is filling, if it has packets, while writers
// fill the other, and says whether it had any.
func (s *batchedSocket) flush() bool {
	s.sending.Lock()
	defer s.sending.Unlock()
	s.mu.Lock()
	full := s.filling
	if full.queued == 0 {
		s.mu.Unlock()
		return false
	}
	s.filling, s.spare = s.spare, full
	s.mu.Unlock()
	full.send(s.batch)
	return true
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
