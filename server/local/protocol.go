package local

import "time"

// This file is the one description of the embedded backend's signaling
// protocol. The browser library (static/ot/signaling.js) speaks it; the
// server answers it (socket.go reads and writes the socket, signaling.go
// keeps the participant across sockets, handle.go acts on each request,
// sfu.go, peer.go and track.go carry the media).
//
// Transport: one WebSocket per participant at GET /api/signal. Every frame
// is a text frame holding one JSON object (valid UTF-8) with a "type" field.
//
// The first message must be "connect", within HandshakeTimeout; the token
// travels in it, never in the URL, so that it is not written to any access
// log. "connected" is always the first message the server sends.
//
// The peer connection: a participant has one, which the server makes at its
// first "publish" or "subscribe". Everything it publishes goes out on it and
// everything it subscribes to comes in on it. The server makes every change
// and offers it: it sends an "offer" after each change and the client
// answers; one offer is out at a time, and changes made meanwhile go into
// the next.
//   - Publishing: the client names each publication with a "pc" id (1 to
//     MaxPCID bytes, unique within the connection). The server gives it two
//     transceivers that receive (audio, then video), and every offer lists in
//     "publications" the mids of each publication's transceivers. The client
//     answers sending on them (Opus and VP8), and starts its media once
//     "published" has come: media that arrives before the server has the
//     answer is dropped for good. When the publication ends, the next offer
//     leaves it out, and the client stops sending on its transceivers.
//   - Subscribing: a subscription's tracks carry the stream id as their
//     MediaStream id (a=msid), which is how the client tells them apart.
//   - Transceivers freed by an unpublication or an unsubscription are reused
//     once the client has answered an offer without them, so the session
//     description does not grow as people come and go.
// Media goes through the server (routed); the server forwards RTP payloads
// untouched, so encrypted frames stay encrypted.
//
//	client → server                          server → client
//	---------------                          ---------------
//	connect {token, sessionId, encrypted,    connected {connectionId, sessionId, e2ee, connection, connections, streams,
//	  connectionId?, resumeKey?}               interrupted?, resumeKey, resumeWithin, resumed?}
//	publish {pc, encrypted, stream}          an offer, then published {pc, streamId} once it is answered
//	unpublish {pc}                           an offer; (others) streamDestroyed {stream, reason}
//	streamProperty {pc, hasAudio?, hasVideo?} (others) streamPropertyChanged {streamId, changedProperty, oldValue, newValue}
//	subscribe {id, streamId, encrypted}      subscribed {id, streamId}, then an offer
//	unsubscribe {id}                         an offer
//	answer {sdp}                             offer {sdp, publications}               (server offer → client answer)
//	candidate {candidate}                                                            (trickle ICE)
//	signal {id, signalType, data, to?}       signalSent {id}; (recipients) signal {signalType, data, from}
//	disconnect {}                            the server closes with 1000 (normal closure)
//	                                         connectionCreated {connection}, connectionDestroyed {connection, reason}
//	                                         streamCreated {stream}, streamDestroyed {stream, reason}
//	                                         connectionInterrupted {connectionId}, connectionResumed {connectionId}
//	                                         error {pc?, id?, code, name, message}
//
// The server's offers and answers carry its candidates; it does not trickle.
//
// "connectionCreated" and "streamCreated" are sent to everyone else in the
// room; a new participant learns who is already there from "connected", and
// from its "interrupted" which of them are away (see Reconnection).
// Each connection and stream is announced to each participant exactly once,
// whatever the order in which people join: the room announces a change and
// makes it under one lock. A participant never receives events about its
// own connection or streams except "published".
//
// A stream's name is the publisher's display name from its token: the
// "name" a client asks for in "publish" is ignored, so that nobody appears
// under somebody else's name.
//
// Errors that end only one request ("publish", "subscribe", "signal") come as an "error" message carrying the request's pc or id, with
// OpenTok.js's name and code (the otError values below), for example
//
//	{"type":"error","pc":"p1","code":1500,"name":"OT_STREAM_CREATE_FAILED",
//	 "message":"IncompatibleEncryptionSettings: Tried to publish a stream to an encrypted session without enabling encryption"}
//
// Errors that end the connection close the WebSocket with one of the Close*
// status codes below and a reason a person can read; for a bad token or a
// full room or server an "error" message with the OpenTok code is sent just
// before the close. Nothing a client sends affects anyone else.
//
// Reconnection. A socket that the network takes away (it closes without a
// close frame, or stops answering pings for DisconnectGrace) does not end
// the participant: its connection id, streams and subscriptions are kept
// for ReconnectGrace, and everyone else gets "connectionInterrupted". The
// browser resumes by sending "connect" on a new socket with its token, its
// connection id and the resumeKey it got in "connected"; it gets "connected"
// again with resumed: true and the call as it is now (who is here, who of
// them is away and what they publish, not counting its own), everyone else
// gets "connectionResumed", and an offer that was out is sent again.
// Messages to a participant that is away are dropped, so every "connected",
// fresh or resumed, lists in "interrupted" the connection ids of the others
// away at that moment, whose "connectionInterrupted" it could not hear; their
// "connectionResumed" or "connectionDestroyed" follows as usual (and one that
// was dropping just then may still be announced by "connectionInterrupted"). A
// peer connection whose ICE failed is restarted: the server offers an ICE
// restart when its side fails and when the participant resumes with its
// media stopped. After ReconnectGrace the participant is gone as if it had
// left, with reason "networkDisconnected", and resuming fails with
// CloseResumeFailed. A socket the client closes (1000 or 1001, or after
// "disconnect") ends the participant at once.
//
// A peer connection whose ICE fails before it ever connected ends the
// participant with CloseMediaFailed: the network does not let media through.

// Message types.
const (
	TypeConnect               = "connect"
	TypeConnected             = "connected"
	TypePublish               = "publish"
	TypePublished             = "published"
	TypeUnpublish             = "unpublish"
	TypeStreamProperty        = "streamProperty"
	TypeStreamPropertyChanged = "streamPropertyChanged"
	TypeSubscribe             = "subscribe"
	TypeSubscribed            = "subscribed"
	TypeOffer                 = "offer"
	TypeAnswer                = "answer"
	TypeCandidate             = "candidate"
	TypeUnsubscribe           = "unsubscribe"
	TypeSignal                = "signal"
	TypeSignalSent            = "signalSent"
	TypeDisconnect            = "disconnect"
	TypeConnectionCreated     = "connectionCreated"
	TypeConnectionDestroyed   = "connectionDestroyed"
	TypeConnectionInterrupted = "connectionInterrupted"
	TypeConnectionResumed     = "connectionResumed"
	TypeStreamCreated         = "streamCreated"
	TypeStreamDestroyed       = "streamDestroyed"
	TypeError                 = "error"
)

// WebSocket close status codes, beside the standard 1000 (normal closure),
// 1001 (the server is going away) and 1007 (a text frame that is not UTF-8).
const (
	CloseAuthentication = 4001 // missing, malformed, expired or forged token; token for another session
	CloseProtocol       = 4002 // malformed message, unknown type, first message not "connect" or late, an offer unanswered or badly answered
	CloseLimit          = 4003 // a limit below: room or server full, message too large, too many messages or pings, too slow a reader; media or reports on too many undeclared SSRCs
	CloseMediaFailed    = 4004 // the participant's media connection failed (ICE) before it ever worked, or did not come back within ReconnectGrace
	CloseResumeFailed   = 4005 // the participant to resume is gone: the grace passed, or the server restarted
)

// otError is an error as OpenTok.js reports it: a code and a name. Each is
// defined once here; the message is what the server says about one case.
type otError struct {
	Code int
	Name string
}

var (
	errAuthentication  = otError{1004, "OT_AUTHENTICATION_ERROR"}
	errConnectionLimit = otError{1027, "OT_CONNECTION_LIMIT_EXCEEDED"}
	errStreamCreate    = otError{1500, "OT_STREAM_CREATE_FAILED"}
	errUnableSubscribe = otError{1501, "OT_UNABLE_TO_SUBSCRIBE"}
	errSignalTooLarge  = otError{413, "OT_INVALID_PARAMETER"} // OpenTok's signal errors carry HTTP-like codes
	errSignalNotFound  = otError{404, "OT_NOT_FOUND"}
	errConnectFailed   = otError{1006, "OT_CONNECT_FAILED"} // the server is shutting down; the participant to resume is gone
)

// Limits of the protocol. A client that meets one gets the error or close
// given beside it; a real call never meets any of them.
const (
	MaxMessageBytes   = 64 << 10 // bytes of a frame; an SDP with many candidates fits easily. Over it: close CloseLimit
	MessagesPerSecond = 50       // messages a second, with a burst of MessageBurst. Over it: close CloseLimit
	MessageBurst      = 200
	PingsPerSecond    = 2 // WebSocket pings a client may send a second, with a burst of PingBurst. Over it: close CloseLimit
	PingBurst         = 10
	HandshakeTimeout  = 10 * time.Second // for "connect" to arrive. Over it: close CloseProtocol
	OutboxMessages    = 256              // messages waiting for a client that reads slowly. Over it: close CloseLimit
	OutboxBytes       = 1 << 20          // bytes waiting for a client that reads slowly. Over it: close CloseLimit

	MaxPCID             = 64               // bytes of a pc id, subscription id or signal id. Over it: close CloseProtocol
	MaxPublications     = 2                // streams one participant publishes at once (camera, screen), and as many more ending while the client has not answered. Over it: error errStreamCreate
	MaxSubscriptions    = 32               // streams one participant receives at once; and one subscription per stream. Over it: error errUnableSubscribe
	AnswerTimeout       = 10 * time.Second // for the "answer" to the server's "offer". Over it: close CloseProtocol
	MaxPendingCandidate = 32               // candidates queued before the first answer. Over it: the rest are dropped
	MaxUndeclaredSSRCs  = 64               // SSRCs a peer connection gets media or reports on that no description declared (dropped). Over it: close CloseLimit
	MaxCandidateBytes   = 1024             // bytes of one ICE candidate line (and of its sdpMid and usernameFragment). Over it: close CloseProtocol
	MaxStreamNameBytes  = 400              // bytes of the stream name a client sends (it is replaced by the token's name). Over it: close CloseProtocol
	MaxSignalData       = 8192             // bytes of signal data, as OpenTok. Over it: error errSignalTooLarge
	MaxSignalType       = 128              // characters of signal type, as OpenTok. Over it: error errSignalTooLarge
)

// Limits set by Config (and the server's flags), refused at connect with
// errConnectionLimit and CloseLimit, or before the WebSocket opens with HTTP
// 503 or 429: MaxRooms rooms, MaxParticipants per room, MaxSockets sockets
// in all, MaxSocketsPerAddress sockets from one client address (an IPv6
// client's /64), so that one machine cannot hold every room.

// DisconnectGrace is how soon the server notices a socket that vanished
// without closing: it pings every PingInterval and gives up when a pong has
// not come within DisconnectGrace-PingInterval. The participant then has
// ReconnectGrace (Config.ReconnectGrace, the -reconnect-grace flag) to
// resume: long enough for a Wi-Fi switch, a laptop lid or a proxy restart,
// short enough that the others do not wait long for someone who is gone.
const (
	DisconnectGrace       = 5 * time.Second
	PingInterval          = 2 * time.Second
	DefaultReconnectGrace = 20 * time.Second
)

// Stream reasons, as OpenTok's streamDestroyed and connectionDestroyed give them.
const (
	ReasonClientDisconnected  = "clientDisconnected"
	ReasonNetworkDisconnected = "networkDisconnected"
)

// Message is every frame, both ways. Only the fields of its type are set.
type Message struct {
	Type string `json:"type"`

	// connect
	Token        string `json:"token,omitempty"`
	ResumeKey    string `json:"resumeKey,omitempty"`    // connected: yours, to resume with; connect: with connectionId, resumes
	ResumeWithin int64  `json:"resumeWithin,omitempty"` // connected: the reconnect grace, in milliseconds
	Resumed      bool   `json:"resumed,omitempty"`      // connected: this socket resumed the participant
	Encrypted    bool   `json:"encrypted,omitempty"`    // the client has an encryption secret (connect, publish, subscribe)

	// connected; connect and connectionInterrupted/Resumed
	ConnectionID string        `json:"connectionId,omitempty"`
	SessionID    string        `json:"sessionId,omitempty"`
	E2EE         bool          `json:"e2ee,omitempty"`
	Connection   *Connection   `json:"connection,omitempty"` // connected: yours; connectionCreated/Destroyed: theirs
	Connections  []*Connection `json:"connections,omitempty"`
	Streams      []*Stream     `json:"streams,omitempty"`
	Interrupted  []string      `json:"interrupted,omitempty"` // connected: the connection ids of the others who are away now

	// publish, published, unpublish, streamProperty; offer, answer, candidate; subscribe and unsubscribe (ID)
	PC           string        `json:"pc,omitempty"`
	SDP          string        `json:"sdp,omitempty"`
	Publications []Publication `json:"publications,omitempty"` // offer: where to send each publication
	Candidate    *ICECandidate `json:"candidate,omitempty"`
	StreamID     string        `json:"streamId,omitempty"`
	Stream       *Stream       `json:"stream,omitempty"` // publish: the properties asked for; streamCreated/Destroyed: the stream
	HasAudio     *bool         `json:"hasAudio,omitempty"`
	HasVideo     *bool         `json:"hasVideo,omitempty"`

	// streamPropertyChanged
	ChangedProperty string `json:"changedProperty,omitempty"` // "hasAudio" or "hasVideo"
	OldValue        *bool  `json:"oldValue,omitempty"`
	NewValue        *bool  `json:"newValue,omitempty"`

	// signal, signalSent; subscribe, subscribed, unsubscribe
	ID         string `json:"id,omitempty"`
	SignalType string `json:"signalType,omitempty"`
	Data       string `json:"data,omitempty"`
	To         string `json:"to,omitempty"`   // a connection id; empty: everyone else
	From       string `json:"from,omitempty"` // the sender's connection id

	// streamDestroyed, connectionDestroyed
	Reason string `json:"reason,omitempty"`

	// error
	Code    int    `json:"code,omitempty"`
	Name    string `json:"name,omitempty"`
	Message string `json:"message,omitempty"`
}

// Connection is a participant, as OpenTok's Connection object.
type Connection struct {
	ConnectionID string `json:"connectionId"`
	CreationTime int64  `json:"creationTime"` // Unix milliseconds
	Data         string `json:"data"`         // the token's connection data: the display name
}

// Stream is a published stream, as OpenTok's Stream object, plus whether its
// media is end-to-end encrypted.
type Stream struct {
	StreamID     string `json:"streamId"`
	ConnectionID string `json:"connectionId"`
	Name         string `json:"name"`
	HasAudio     bool   `json:"hasAudio"`
	HasVideo     bool   `json:"hasVideo"`
	VideoType    string `json:"videoType"`    // "camera" or "screen", as the publisher asked ("camera" if it did not); anything else: error errStreamCreate
	CreationTime int64  `json:"creationTime"` // Unix milliseconds
	Encrypted    bool   `json:"encrypted"`
}

// Publication says, in an offer, on which of its m-lines (by mid) the
// client sends a publication's audio and video.
type Publication struct {
	PC       string `json:"pc"`
	AudioMid string `json:"audioMid"`
	VideoMid string `json:"videoMid"`
}

// ICECandidate is RTCIceCandidateInit.
type ICECandidate struct {
	Candidate        string  `json:"candidate"`
	SDPMid           *string `json:"sdpMid,omitempty"`
	SDPMLineIndex    *uint16 `json:"sdpMLineIndex,omitempty"`
	UsernameFragment *string `json:"usernameFragment,omitempty"`
}
