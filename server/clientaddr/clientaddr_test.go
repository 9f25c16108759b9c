package clientaddr

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestKeyCountsAnIPv6ClientByItsSlash64(t *testing.T) {
	tests := []struct{ remote, want string }{
		{"192.0.2.7:5000", "192.0.2.7"},
		{"[::ffff:192.0.2.7]:5000", "192.0.2.7"},
		{"[2001:db8:1:2:aaaa::1]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:2:bbbb::9]:443", "2001:db8:1:2::/64"},
		{"[2001:db8:1:3::1]:443", "2001:db8:1:3::/64"},
		{"not an address", "not an address"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Key(tt.remote), tt.remote)
	}
}

func TestIsLoopback(t *testing.T) {
	assert.True(t, IsLoopback("127.0.0.1:1"))
	assert.True(t, IsLoopback("[::1]:1"))
	assert.True(t, IsLoopback("[::ffff:127.0.0.1]:1"))
	assert.False(t, IsLoopback("192.0.2.7:1"))
	assert.False(t, IsLoopback("[2001:db8::1]:1"))
	assert.False(t, IsLoopback("garbage"))
}
