package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"e2eecall/server/local"
)

// config is the server's configuration: flags, with environment variables
// (and a .env file) as their defaults.
type config struct {
	addr            string
	tlsCert         string
	tlsKey          string
	csp             string
	backend         string
	tokenKey        string
	udpPort         int
	announceIPs     []string
	announcePort    int
	maxRooms        int
	maxParticipants int
	maxPerAddress   int
	reconnectGrace  time.Duration
	sessionsPerMin  int
	publicReports   bool
	cspLab          bool
	vonageStore     string
}

// parseConfig reads the flags. getenv already includes the .env file.
func parseConfig(args []string, getenv func(string) string, out io.Writer, defaultStore string) (config, error) {
	var c config
	var announce string
	fs := flag.NewFlagSet(args[0], flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: %s [flags]\n\nServes e2eecall. Each flag falls back to the environment variable in brackets, then to a .env file in the working directory.\n\n", args[0])
		fs.PrintDefaults()
	}
	fs.StringVar(&c.addr, "addr", env(getenv, "ADDR", "127.0.0.1:3010"), "listen `address` [ADDR]")
	fs.StringVar(&c.tlsCert, "tls-cert", getenv("TLS_CERT"), "TLS certificate `file`; with -tls-key the server speaks HTTPS, which browsers require for cameras anywhere but localhost [TLS_CERT]")
	fs.StringVar(&c.tlsKey, "tls-key", getenv("TLS_KEY"), "TLS private key `file` [TLS_KEY]")
	fs.StringVar(&c.csp, "csp", env(getenv, "CSP", "strict"), "Content-Security-Policy `mode`: strict, report-only, no-wasm, off, or a whole policy [CSP]")
	fs.BoolVar(&c.cspLab, "csp-lab", getenv("CSP_LAB") == "true", "CSP lab for front-end developers: ?csp=strict|report-only|no-wasm|off chooses a page's policy, and /csp explains it, shows violations live and triggers them; off by default [CSP_LAB=true]")
	fs.StringVar(&c.backend, "backend", getenv("BACKEND"), "`backend`: local (embedded SFU) or vonage; default vonage when Vonage credentials are set, local otherwise [BACKEND]")
	fs.StringVar(&c.tokenKey, "token-key", getenv("TOKEN_KEY"), "local backend: `key` that signs tokens (at least 32 characters); random at each start when empty [TOKEN_KEY]")
	fs.IntVar(&c.udpPort, "udp-port", envInt(getenv, "UDP_PORT", 0), "local backend: the one UDP `port` all media uses (open it in the firewall for LAN use); one the system picks when 0 [UDP_PORT]")
	fs.StringVar(&announce, "announce-ip", getenv("ANNOUNCE_IP"), "local backend: comma-separated `addresses` to announce for media instead of the host's own (behind NAT); IP:port (all with the same port) when a port forward maps another external port to -udp-port, e.g. 203.0.113.5:40000 [ANNOUNCE_IP]")
	fs.IntVar(&c.maxRooms, "max-rooms", envInt(getenv, "MAX_ROOMS", 100), "local backend: most rooms at once [MAX_ROOMS]")
	fs.IntVar(&c.maxParticipants, "max-participants", envInt(getenv, "MAX_PARTICIPANTS", 9), "local backend: most participants in a room [MAX_PARTICIPANTS]")
	fs.IntVar(&c.maxPerAddress, "max-sockets-per-address", envInt(getenv, "MAX_SOCKETS_PER_ADDRESS", 10), "local backend: most call connections at once from one client address (an IPv6 /64); 0: no limit, for a server behind a reverse proxy [MAX_SOCKETS_PER_ADDRESS]")
	fs.DurationVar(&c.reconnectGrace, "reconnect-grace", envDuration(getenv, "RECONNECT_GRACE", local.DefaultReconnectGrace), "local backend: how long someone whose connection dropped keeps their place in the call, to come back without rejoining [RECONNECT_GRACE]")
	fs.IntVar(&c.sessionsPerMin, "sessions-per-minute", envInt(getenv, "SESSIONS_PER_MINUTE", 20), "joins one client address may make a minute, after a burst of 60; 0: no limit, for a server behind a reverse proxy [SESSIONS_PER_MINUTE]")
	fs.BoolVar(&c.publicReports, "public-csp-reports", getenv("PUBLIC_CSP_REPORTS") == "true", "let other machines read GET /api/csp-reports (the server's own machine always can) [PUBLIC_CSP_REPORTS=true]")
	fs.StringVar(&c.vonageStore, "vonage-store", env(getenv, "VONAGE_STORE", defaultStore), "vonage backend: `file` that keeps each room's Vonage session across restarts [VONAGE_STORE]")
	if err := fs.Parse(args[1:]); err != nil {
		return config{}, err
	}
	if fs.NArg() > 0 {
		return config{}, fmt.Errorf("unexpected arguments %q: every setting is a flag (see -h)", fs.Args())
	}
	if (c.tlsCert == "") != (c.tlsKey == "") {
		return config{}, errors.New("-tls-cert and -tls-key go together: give both or neither")
	}
	if c.tokenKey != "" && len(c.tokenKey) < 32 {
		return config{}, errors.New("-token-key must be at least 32 characters")
	}
	if c.maxRooms < 1 || c.maxParticipants < 2 {
		return config{}, errors.New("-max-rooms must be at least 1 and -max-participants at least 2")
	}
	if c.maxPerAddress < 0 || c.sessionsPerMin < 0 {
		return config{}, errors.New("-max-sockets-per-address and -sessions-per-minute are 0 (no limit) or more")
	}
	if c.reconnectGrace < time.Second || c.reconnectGrace > 10*time.Minute {
		return config{}, fmt.Errorf("-reconnect-grace %v: want from 1s to 10m", c.reconnectGrace)
	}
	if c.udpPort < 0 || c.udpPort > 65535 {
		return config{}, fmt.Errorf("-udp-port %d: want a port from 1 to 65535, or 0", c.udpPort)
	}
	var err error
	if c.announceIPs, c.announcePort, err = parseAnnounce(announce); err != nil {
		return config{}, err
	}
	return c, nil
}

// parseAnnounce reads -announce-ip: IPs, or IP:port pairs for a port forward
// whose external port differs from -udp-port. Candidates carry one port for
// all the addresses (pion rewrites the port by local address, not by
// external one), so the entries give the same port, or none.
func parseAnnounce(list string) (ips []string, port int, err error) {
	ports := map[int]bool{}
	for _, entry := range strings.Split(list, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		ip, p := entry, 0
		if net.ParseIP(entry) == nil {
			host, portText, err := net.SplitHostPort(entry)
			p, _ = strconv.Atoi(portText)
			if err != nil || net.ParseIP(host) == nil || p < 1 || p > 65535 {
				return nil, 0, fmt.Errorf("-announce-ip %q: want an IP address, or IP:port with a port from 1 to 65535 ([IPv6]:port)", entry)
			}
			ip = host
		}
		ips = append(ips, ip)
		ports[p] = true
		port = p
	}
	if len(ports) > 1 {
		return nil, 0, fmt.Errorf("-announce-ip %q: give every address the same port, or none: media has one port", list)
	}
	return ips, port, nil
}

func envDuration(getenv func(string) string, key string, fallback time.Duration) time.Duration {
	if d, err := time.ParseDuration(getenv(key)); err == nil {
		return d
	}
	return fallback
}

func env(getenv func(string) string, key, fallback string) string {
	if v := getenv(key); v != "" {
		return v
	}
	return fallback
}

func envInt(getenv func(string) string, key string, fallback int) int {
	if n, err := strconv.Atoi(getenv(key)); err == nil {
		return n
	}
	return fallback
}
