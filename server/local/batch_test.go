package local

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// receiver is a UDP socket that the batched socket sends to.
func receiver(t *testing.T, network, address string) *net.UDPConn {
	t.Helper()
	conn, err := net.ListenUDP(network, net.UDPAddrFromAddrPort(netip.MustParseAddrPort(address)))
	if err != nil {
		t.Skipf("no %s here: %v", address, err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	return conn
}

func received(t *testing.T, conn *net.UDPConn) string {
	t.Helper()
	buf := make([]byte, 1500)
	n, err := conn.Read(buf)
	require.NoError(t, err, "nothing arrived")
	return string(buf[:n])
}

func newTestBatchedSocket(t *testing.T) *batchedSocket {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{}) // dual-stack, as the media socket
	require.NoError(t, err)
	s := newBatchedSocket(conn)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// A packet the kernel refuses to send (to port 0) is dropped;
// the packets queued after it, for others, still go.
func TestARefusedDestinationCostsOthersNothing(t *testing.T) {
	s := newTestBatchedSocket(t)
	ada := receiver(t, "udp4", "127.0.0.1:0")
	grace := receiver(t, "udp4", "127.0.0.1:0")
	_, err := s.WriteToAddrPort([]byte("to ada"), ada.LocalAddr().(*net.UDPAddr).AddrPort())
	require.NoError(t, err)
	_, err = s.WriteToAddrPort([]byte("to nowhere"), netip.MustParseAddrPort("127.0.0.1:0"))
	require.NoError(t, err)
	_, err = s.WriteTo([]byte("to grace"), grace.LocalAddr())
	require.NoError(t, err)

	assert.Equal(t, "to ada", received(t, ada))
	assert.Equal(t, "to grace", received(t, grace), "the packet after the refused one")
}

// A full batch goes at once; a lone packet goes at the next tick; IPv6
// destinations share the batches.
func TestBatchesGoWhenFullOrAfterTheirDelay(t *testing.T) {
	s := newTestBatchedSocket(t)
	ada := receiver(t, "udp4", "127.0.0.1:0")
	to := ada.LocalAddr().(*net.UDPAddr).AddrPort()
	for range maxBatch {
		_, err := s.WriteToAddrPort([]byte("full"), to)
		require.NoError(t, err)
	}
	s.mu.Lock()
	assert.Zero(t, s.filling.queued, "a full batch is sent as it fills")
	s.mu.Unlock()
	for range maxBatch {
		assert.Equal(t, "full", received(t, ada))
	}

	_, err := s.WriteToAddrPort([]byte("alone"), to)
	require.NoError(t, err)
	assert.Equal(t, "alone", received(t, ada), "sent at a tick")

	grace := receiver(t, "udp6", "[::1]:0")
	_, err = s.WriteToAddrPort([]byte("over IPv6"), grace.LocalAddr().(*net.UDPAddr).AddrPort())
	require.NoError(t, err)
	assert.Equal(t, "over IPv6", received(t, grace))
}

// The sender ticks only while packets come: it rests once none has come
// for idleTicks ticks, and the next packet wakes it.
func TestTheSenderRestsWhileNothingIsSent(t *testing.T) {
	s := newTestBatchedSocket(t)
	ada := receiver(t, "udp4", "127.0.0.1:0")
	to := ada.LocalAddr().(*net.UDPAddr).AddrPort()
	ticking := func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.ticking
	}

	_, err := s.WriteToAddrPort([]byte("first"), to)
	require.NoError(t, err)
	assert.Equal(t, "first", received(t, ada))
	require.Eventually(t, func() bool { return !ticking() }, 2*time.Second, 5*time.Millisecond, "still ticking with nothing to send")

	_, err = s.WriteToAddrPort([]byte("after a rest"), to)
	require.NoError(t, err)
	assert.Equal(t, "after a rest", received(t, ada))
}

// Packets that arrived while none was read are read with one system call,
// and handed over one at a time, each with its sender, in the order they came.
func TestWhatArrivedTogetherIsReadTogether(t *testing.T) {
	s := newTestBatchedSocket(t)
	port := uint16(s.LocalAddr().(*net.UDPAddr).Port)
	overIPv4, overIPv6 := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port), netip.AddrPortFrom(netip.IPv6Loopback(), port)
	ada := receiver(t, "udp4", "127.0.0.1:0")
	grace := receiver(t, "udp6", "[::1]:0")
	type packet struct {
		data string
		from netip.AddrPort
	}
	var sent []packet
	for i := range maxBatch + 3 { // more than one read takes
		from, to := ada, overIPv4
		if i%2 == 1 {
			from, to = grace, overIPv6
		}
		p := packet{fmt.Sprint("packet ", i), from.LocalAddr().(*net.UDPAddr).AddrPort()}
		_, err := from.WriteToUDPAddrPort([]byte(p.data), to)
		require.NoError(t, err)
		sent = append(sent, p)
	}

	buf := make([]byte, 1500)
	for i, want := range sent {
		n, from, err := s.ReadFromAddrPort(buf)
		require.NoError(t, err)
		assert.Equal(t, want, packet{string(buf[:n]), netip.AddrPortFrom(from.Addr().Unmap(), from.Port())})
		if i == 0 {
			assert.Greater(t, s.received.read, 1, "the first read took only what it handed over")
		}
	}

	go func() { _, _ = ada.WriteToUDPAddrPort([]byte("later"), overIPv4) }()
	n, _, err := s.ReadFromAddrPort(buf)
	require.NoError(t, err)
	assert.Equal(t, "later", string(buf[:n]), "a read waits for the next packet")
}
