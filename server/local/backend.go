// Package local is the embedded backend: it hosts calls in this process, with
// rooms, OpenTok-style tokens, WebSocket signaling (protocol.go) and a pion
// SFU that forwards encrypted media it cannot read.
package local

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/pion/ice/v4"
	"github.com/pion/interceptor"
	"github.com/pion/interceptor/pkg/nack"
	"github.com/pion/interceptor/pkg/report"
	"github.com/pion/webrtc/v4"

	"e2eecall"
	"e2eecall/server/site"
)

// Config is the embedded backend's configuration. Zero values get defaults.
type Config struct {
	TokenKey             []byte        // HS256 key for tokens; random when empty
	TokenTTL             time.Duration // default 1h: tokens are minted right before connecting
	UDPPort              int           // the one UDP port all media uses; one the system picks when zero
	AnnounceIPs          []string      // addresses to announce for media instead of the host's (NAT)
	AnnouncePort         int           // the port to announce with them, when a port forward maps another one to UDPPort; UDPPort's when zero
	MaxRooms             int           // default 100
	MaxParticipants      int           // per room, default 9
	MaxSockets           int           // signaling sockets at once, default MaxRooms × MaxParticipants
	MaxSocketsPerAddress int           // signaling sockets at once from one client address, default 10; -1: no limit (behind a proxy)
	ReconnectGrace       time.Duration // how long a participant whose socket dropped may resume, default DefaultReconnectGrace
	Logger               *slog.Logger
}

// Backend hosts the calls.
type Backend struct {
	cfg    Config
	tokens *tokens
	media  ice.UDPMux // every peer connection's media, on one UDP port

	peerAPI peerAPI // makes each participant's peer connection
	log     *slog.Logger

	// Protocol limits, smaller in tests.
	answerTimeout    time.Duration // AnswerTimeout
	maxSubscriptions int           // MaxSubscriptions
	reconnectGrace   time.Duration // Config.ReconnectGrace

	mu         sync.Mutex
	rooms      map[string]*room     // by session id
	sockets    map[*socket]struct{} // every signaling socket open, in a room or not yet
	away       int                  // participants waiting to resume, who count as sockets for the limits
	perAddress map[string]int       // sockets and away participants by client address
	closed     bool
	active     sync.WaitGroup // sockets' goroutines
}

// New returns a backend ready to hand out sessions.
func New(cfg Config) (*Backend, error) {
	if len(cfg.TokenKey) == 0 {
		cfg.TokenKey = make([]byte, 32)
		_, _ = rand.Read(cfg.TokenKey) // crypto/rand.Read never fails
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.MaxRooms == 0 {
		cfg.MaxRooms = 100
	}
	if cfg.MaxParticipants == 0 {
		cfg.MaxParticipants = 9
	}
	if cfg.MaxSockets == 0 {
		cfg.MaxSockets = cfg.MaxRooms * cfg.MaxParticipants
	}
	if cfg.MaxSocketsPerAddress == 0 {
		cfg.MaxSocketsPerAddress = 10
	}
	if cfg.ReconnectGrace <= 0 {
		cfg.ReconnectGrace = DefaultReconnectGrace
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	conn, err := net.ListenUDP("udp", &net.UDPAddr{Port: cfg.UDPPort})
	if err != nil {
		return nil, fmt.Errorf("the media port: %w", err)
	}
	// Every call's packets share this socket: ask for large kernel buffers
	// (the kernel caps them at net.core.rmem_max and wmem_max).
	_ = conn.SetReadBuffer(udpBufferBytes)
	_ = conn.SetWriteBuffer(udpBufferBytes)
	logs := pionLogs{log: cfg.Logger}
	media := reachableAddresses{UDPMux: webrtc.NewICEUDPMux(logs.NewLogger("ice"), newBatchedSocket(conn)), loopback: onlyLoopback(net.InterfaceAddrs)}
	api, err := newPeerAPI(cfg, media, logs)
	if err != nil {
		media.Close()
		return nil, err
	}
	return &Backend{
		cfg:              cfg,
		tokens:           &tokens{key: cfg.TokenKey, ttl: cfg.TokenTTL, now: time.Now},
		peerAPI:          api,
		media:            media,
		log:              cfg.Logger,
		answerTimeout:    AnswerTimeout,
		maxSubscriptions: MaxSubscriptions,
		reconnectGrace:   cfg.ReconnectGrace,
		rooms:            map[string]*room{},
		sockets:          map[*socket]struct{}{},
		perAddress:       map[string]int{},
	}, nil
}

// udpBufferBytes is the media socket's kernel buffer, each way: about 2,000
// full-size packets, so a burst from many calls at once is not dropped.
const udpBufferBytes = 4 << 20

// newPeerAPI sets pion up for an SFU that only forwards, with VP8 and Opus
// (frame encryption breaks H.264 unless it is NAL-aware), all media on one
// UDP port, and host candidates (the announced addresses, with the announced
// port if any, instead of the machine's; loopback ones only on a machine that
// has no other address). Each participant has one peer connection, for what
// it publishes and what it receives, with only the RTCP machinery that
// browsers use, since every interceptor costs a goroutine and a timer per
// connection:
//   - receiving a published stream: NACKs for lost packets, receiver
//     reports, and transport-wide congestion control feedback, from which the
//     publisher's browser sets its bitrate;
//   - sending subscriptions: sender reports (for lip sync); lost packets
//     are resent from each track's shared history (track.go), not from a
//     copy per subscriber.
func newPeerAPI(cfg Config, media reachableAddresses, logs pionLogs) (peerAPI, error) {
	s := webrtc.SettingEngine{LoggerFactory: logs}
	s.SetIncludeLoopbackCandidate(media.loopback)
	s.SetICEMulticastDNSMode(ice.MulticastDNSModeDisabled)
	s.SetICETimeouts(2*time.Second, DisconnectGrace-time.Second, time.Second) // also: ICE that never connects fails after 5 s
	s.SetICEUDPMux(media)
	s.SetNetworkTypes([]webrtc.NetworkType{webrtc.NetworkTypeUDP4, webrtc.NetworkTypeUDP6})
	if len(cfg.AnnounceIPs) > 0 {
		err := s.SetICEAddressRewriteRules(webrtc.ICEAddressRewriteRule{
			External: cfg.AnnounceIPs, AsCandidateType: webrtc.ICECandidateTypeHost, NewPort: cfg.AnnouncePort,
		})
		if err != nil {
			return peerAPI{}, fmt.Errorf("the announced addresses: %w", err)
		}
	}

	api := peerAPI{settings: s, interceptors: &interceptor.Registry{}}
	var err error
	if api.media, err = mediaEngine(); err != nil {
		return api, err
	}
	generator, err := nack.NewGeneratorInterceptor()
	if err != nil {
		return api, err
	}
	api.interceptors.Add(generator)
	receiverReports, err := report.NewReceiverInterceptor()
	if err != nil {
		return api, err
	}
	api.interceptors.Add(receiverReports)
	if err := webrtc.ConfigureTWCCSender(api.media, api.interceptors); err != nil {
		return api, err
	}
	senderReports, err := report.NewSenderInterceptor()
	if err != nil {
		return api, err
	}
	api.interceptors.Add(senderReports)
	return api, nil
}

// peerAPI makes peer connections, each with its own incoming streams.
type peerAPI struct {
	settings     webrtc.SettingEngine
	media        *webrtc.MediaEngine // copied by each peer connection
	interceptors *interceptor.Registry
}

func (a peerAPI) newPeerConnection(incoming *incomingStreams) (*webrtc.API, *webrtc.PeerConnection, error) {
	s := a.settings
	s.BufferFactory = incoming.buffer
	api := webrtc.NewAPI(webrtc.WithMediaEngine(a.media), webrtc.WithInterceptorRegistry(a.interceptors), webrtc.WithSettingEngine(s))
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	return api, pc, err
}

// reachableAddresses is the media socket, offered on the machine's addresses
// that a browser can reach: each costs every peer connection a host
// candidate, its goroutine and its connectivity checks. A link-local IPv6
// address reaches no browser (browsers gather no link-local candidates to
// pair it with), and loopback ones are offered only when there is nothing
// else (see onlyLoopback). pion's mux offers every address of an unspecified
// socket, and its agent's address filter does not apply to a mux.
type reachableAddresses struct {
	ice.UDPMux
	loopback bool // offer loopback addresses
}

func (m reachableAddresses) GetListenAddresses() []net.Addr {
	var reachable []net.Addr
	for _, a := range m.UDPMux.GetListenAddresses() {
		udp, ok := a.(*net.UDPAddr)
		if !ok || udp.IP.IsLinkLocalUnicast() || udp.IP.IsLoopback() && !m.loopback {
			continue
		}
		reachable = append(reachable, a)
	}
	return reachable
}

// onlyLoopback says whether the machine has no address but loopback ones.
// Browsers use loopback candidates only when told to
// (--allow-loopback-in-peer-connection), and a browser on the server's own
// machine reaches its other addresses as well; each candidate costs every
// peer connection a goroutine, so loopback ones are offered only when there
// is nothing else.
func onlyLoopback(addrs func() ([]net.Addr, error)) bool {
	all, err := addrs()
	if err != nil {
		return true
	}
	for _, a := range all {
		if ipnet, ok := a.(*net.IPNet); ok && ipnet.IP.IsGlobalUnicast() {
			return false
		}
	}
	return true
}

// mediaEngine has VP8, which browsers may NACK and ask key frames of, and Opus.
func mediaEngine() (*webrtc.MediaEngine, error) {
	m := &webrtc.MediaEngine{}
	feedback := []webrtc.RTCPFeedback{{Type: webrtc.TypeRTCPFBNACK}, {Type: webrtc.TypeRTCPFBNACK, Parameter: "pli"}}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: withFeedback(vp8, feedback), PayloadType: 96}, webrtc.RTPCodecTypeVideo); err != nil {
		return nil, err
	}
	if err := m.RegisterCodec(webrtc.RTPCodecParameters{RTPCodecCapability: opus, PayloadType: 111}, webrtc.RTPCodecTypeAudio); err != nil {
		return nil, err
	}
	return m, nil
}

func withFeedback(c webrtc.RTPCodecCapability, feedback []webrtc.RTCPFeedback) webrtc.RTPCodecCapability {
	c.RTCPFeedback = feedback
	return c
}

// MediaPort is the UDP port all media uses.
func (b *Backend) MediaPort() int { return b.media.GetListenAddresses()[0].(*net.UDPAddr).Port }

var (
	vp8  = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeVP8, ClockRate: 90000}
	opus = webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus, ClockRate: 48000, Channels: 2, SDPFmtpLine: "minptime=10;useinbandfec=1"}
)

// Join hands out a session for the room and a token for the name. The site
// has already checked both.
func (b *Backend) Join(_ context.Context, roomName, name string) (e2eecall.Session, error) {
	sessionID := b.tokens.sessionID(roomName)
	b.mu.Lock()
	_, exists := b.rooms[sessionID]
	full := !exists && len(b.rooms) >= b.cfg.MaxRooms
	b.mu.Unlock()
	if full {
		return e2eecall.Session{}, &site.Error{Status: http.StatusServiceUnavailable, Message: errTooManyRooms.Error()}
	}
	token, err := b.tokens.mint(sessionID, name)
	if err != nil {
		return e2eecall.Session{}, err
	}
	return e2eecall.Session{Backend: site.BackendLocal, APIKey: apiKey, SessionID: sessionID, Token: token}, nil
}

// Signaling is the WebSocket endpoint the browser library connects to.
func (b *Backend) Signaling() http.Handler {
	return http.HandlerFunc(b.serveSignal)
}

// Close ends every call: each participant is told the server is going away.
func (b *Backend) Close() error {
	b.mu.Lock()
	b.closed = true
	sockets := make([]*socket, 0, len(b.sockets))
	for s := range b.sockets {
		sockets = append(sockets, s)
	}
	var people []*participant
	for _, r := range b.rooms {
		people = append(people, r.everyone()...)
	}
	b.mu.Unlock()
	for _, p := range people {
		p.end(websocket.StatusGoingAway, "the server is shutting down")
	}
	for _, s := range sockets {
		s.end(websocket.StatusGoingAway, "the server is shutting down")
	}
	b.active.Wait()
	return b.media.Close()
}

// admit counts socket s, within the limits; the caller releases it when
// the socket ends.
func (b *Backend) admit(s *socket) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case b.closed:
		return errShuttingDown
	case len(b.sockets)+b.away >= b.cfg.MaxSockets:
		return errTooManySockets
	case b.cfg.MaxSocketsPerAddress > 0 && b.perAddress[s.addr] >= b.cfg.MaxSocketsPerAddress:
		return errTooManyFromAddress
	}
	b.active.Add(1)
	b.sockets[s] = struct{}{}
	b.perAddress[s.addr]++
	return nil
}

func (b *Backend) release(s *socket) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.sockets, s)
	b.unaddress(s.addr)
	b.active.Done()
}

// holdAway counts a participant waiting to resume as one more socket from
// addr, so that dropping sockets on purpose does not get around the limits;
// it says false once the server is closing.
func (b *Backend) holdAway(addr string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	b.away++
	b.perAddress[addr]++
	return true
}

func (b *Backend) releaseAway(addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.away--
	b.unaddress(addr)
}

// unaddress counts one socket fewer from addr. The caller holds b.mu.
func (b *Backend) unaddress(addr string) {
	if b.perAddress[addr]--; b.perAddress[addr] <= 0 {
		delete(b.perAddress, addr)
	}
}

// resume gives the participant with connection id connectionID, if key is
// its resume key, the socket s.
func (b *Backend) resume(sessionID, connectionID, key string, s *socket) (*participant, error) {
	b.mu.Lock()
	r := b.rooms[sessionID]
	b.mu.Unlock()
	if r == nil {
		return nil, errNotResumable
	}
	p := r.participant(connectionID)
	if p == nil || !p.resumeMatches(key) {
		return nil, errNotResumable
	}
	ok, wasAwayFrom := r.resume(p, s)
	if !ok {
		return nil, errNotResumable
	}
	if wasAwayFrom != "" {
		b.releaseAway(wasAwayFrom)
	}
	p.mu.Lock()
	peer := p.peer
	p.mu.Unlock()
	if peer != nil {
		peer.resume()
	}
	return p, nil
}

// enter puts p into the room of its session, creating the room, within the
// limits, and announces it.
func (b *Backend) enter(p *participant, sessionID string) (*room, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errShuttingDown
	}
	r, ok := b.rooms[sessionID]
	if !ok {
		if len(b.rooms) >= b.cfg.MaxRooms {
			return nil, errTooManyRooms
		}
		r = newRoom(sessionID)
		b.rooms[sessionID] = r
	}
	if err := r.join(p, b.cfg.MaxParticipants); err != nil {
		if !ok {
			delete(b.rooms, sessionID)
		}
		return nil, err
	}
	return r, nil
}

// leave takes p out of its room, telling the others why, and the room away
// once it is empty.
func (b *Backend) leave(p *participant, r *room, reason string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if r.leave(p, reason) == 0 {
		delete(b.rooms, r.sessionID)
	}
}

var (
	errShuttingDown       = errors.New("the server is shutting down; join again in a moment")
	errTooManyRooms       = errors.New("this server is hosting as many calls as it can; try again later")
	errRoomFull           = errors.New("this call is full")
	errTooManySockets     = errors.New("this server has as many people connected as it can; try again later")
	errTooManyFromAddress = errors.New("too many connections from your network address at once; leave another call first")
	errNotResumable       = errors.New("the call went on without you: you were away longer than the grace period, or the server restarted; join again")
)
