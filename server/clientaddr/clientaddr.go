// Package clientaddr names the client behind a request for per-client
// limits: its IP address, or its /64 for IPv6, since one machine usually
// holds a whole /64.
package clientaddr

import (
	"net"
	"net/netip"
)

// Key is the client address of a request's RemoteAddr ("host:port"), as
// limits count it: an IPv4 address, or the /64 prefix of an IPv6 address.
func Key(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	prefix, _ := ip.Prefix(64) // never fails for an IPv6 address
	return prefix.String()
}

// IsLoopback says whether a request's RemoteAddr is on this machine.
func IsLoopback(remoteAddr string) bool {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}
