package local

import (
	"net"
	"testing"

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
