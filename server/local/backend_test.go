package local

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
	"testing"

	"github.com/pion/ice/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLoopbackCandidatesOnlyWhenThereIsNothingElse(t *testing.T) {
	addrs := func(cidrs ...string) func() ([]net.Addr, error) {
		return func() ([]net.Addr, error) {
			var all []net.Addr
			for _, c := range cidrs {
				ip, ipnet, err := net.ParseCIDR(c)
				require.NoError(t, err)
				ipnet.IP = ip
				all = append(all, ipnet)
			}
			return all, nil
		}
	}
	assert.True(t, onlyLoopback(addrs("127.0.0.1/8", "::1/128")))
	assert.True(t, onlyLoopback(addrs("127.0.0.1/8", "fe80::1/64")), "a link-local address reaches no browser")
	assert.False(t, onlyLoopback(addrs("127.0.0.1/8", "192.0.2.2/24")))
	assert.False(t, onlyLoopback(addrs("::1/128", "fd00::2/64")))
}

// TestAnnouncedAddressesCarryTheAnnouncedPort has the server behind a port
// forward (203.0.113.5:40000 outside, its media port inside): the offers to
// a publisher and to a subscriber give browsers that address and
// port instead of the machine's IPv4 ones (an IPv4 announcement leaves IPv6
// addresses as they are); without a port they give the media port.
func TestAnnouncedAddressesCarryTheAnnouncedPort(t *testing.T) {
	for _, tt := range []struct {
		name string
		port int
	}{{"with a port", 40000}, {"without a port", 0}} {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, Config{AnnounceIPs: []string{"203.0.113.5"}, AnnouncePort: tt.port})
			want := tt.port
			if want == 0 {
				want = s.b.MediaPort()
			}
			ada := s.join(t, "announce", "Ada")
			grace := s.join(t, "announce", "Grace")
			_, _, _, streamID := ada.publish("pub1")
			adaOffer := ada.expect(TypeOffer)
			grace.send(Message{Type: TypeSubscribe, ID: "s1", StreamID: streamID, Encrypted: true})
			offer := grace.expect(TypeOffer)
			for _, sdp := range []string{adaOffer.SDP, offer.SDP} {
				candidates := ipv4Candidates(sdp)
				require.NotEmpty(t, candidates)
				for _, c := range candidates {
					assert.Equal(t, net.JoinHostPort("203.0.113.5", strconv.Itoa(want)), c)
				}
			}
		})
	}
}

// ipv4Candidates is the address:port of each IPv4 a=candidate line of an SDP.
func ipv4Candidates(sdp string) []string {
	var out []string
	for _, line := range strings.Split(sdp, "\r\n") {
		if c, ok := strings.CutPrefix(line, "a=candidate:"); ok {
			// foundation component transport priority address port typ host …
			if f := strings.Fields(c); len(f) >= 8 && net.ParseIP(f[4]).To4() != nil {
				out = append(out, net.JoinHostPort(f[4], f[5]))
			}
		}
	}
	return out
}

// listening is a UDPMux that listens on fixed addresses.
type listening struct {
	ice.UDPMux
	addrs []string
}

func (l listening) GetListenAddresses() []net.Addr {
	var all []net.Addr
	for _, a := range l.addrs {
		all = append(all, net.UDPAddrFromAddrPort(netip.MustParseAddrPort(a)))
	}
	return all
}

func TestMediaIsOfferedOnReachableAddressesOnly(t *testing.T) {
	machine := listening{addrs: []string{"127.0.0.1:3478", "192.0.2.2:3478", "[::1]:3478", "[fd00::2]:3478", "[fe80::fc:ff:fe00:1]:3478"}}
	offered := func(m reachableAddresses) []string {
		var s []string
		for _, a := range m.GetListenAddresses() {
			s = append(s, a.String())
		}
		return s
	}
	assert.Equal(t, []string{"192.0.2.2:3478", "[fd00::2]:3478"}, offered(reachableAddresses{UDPMux: machine}),
		"no link-local address (no browser pairs with it), no loopback one while there is another")
	assert.Equal(t, []string{"127.0.0.1:3478", "[::1]:3478"}, offered(reachableAddresses{UDPMux: listening{addrs: []string{"127.0.0.1:3478", "[::1]:3478", "[fe80::1]:3478"}}, loopback: true}),
		"a machine with loopback addresses only offers those")
}
