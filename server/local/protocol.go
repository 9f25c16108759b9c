package local

// This file is the one description of the embedded backend's signaling
// protocol. The browser library (static/ot/signaling.js) speaks it; the
// server (signaling.go) answers it.
//
// Transport: one WebSocket per participant at GET /api/signal. Every frame
// is a text frame holding one JSON object with a "type" field. Frames are at
// most MaxMessageBytes; a client may send at most MessagesPerSecond messages
// a second (with a burst of MessageBurst).
//
// The first message must be "connect"; the token travels in it, never in the
// URL, so that it is not written to any access log.
//
// Peer connections: every RTCPeerConnection is named by the client with a
// "pc" id (1 to 64 characters, unique within the connection). One PC
// publishes one stream (an Opus and a VP8 track); one PC subscribes to one
// stream. Media goes through the server (routed); the server forwards RTP
// payloads untouched, so encrypted frames stay encrypted.
//
//	client → server                          server → client
//	---------------                          ---------------
//	connect {token, encrypted}               connected {connectionId, sessionId, e2ee, connection, connections, streams}
//	publish {pc, sdp, encrypted, stream}     published {pc, streamId, sdp}           (sdp: client offer → server answer)
//	unpublish {pc}                           (others) streamDestroyed {stream, reason}
//	streamProperty {pc, hasAudio?, hasVideo?} (others) streamPropertyChanged {streamId, changedProperty, oldValue, newValue}
//	subscribe {pc, streamId, encrypted}      subscribed {pc, streamId, sdp}          (sdp: server offer)
//	answer {pc, sdp}                                                                 (client answer to "subscribed")
//	candidate {pc, candidate}                candidate {pc, candidate}               (trickle ICE, both ways)
//	unsubscribe {pc}
//	signal {id, signalType, data, to?}       signalSent {id}; (recipients) signal {signalType, data, from}
//	disconnect {}                            the server closes with StatusNormalClosure
//	                                         connectionCreated {connection}, connectionDestroyed {connection, reason}
//	                                         streamCreated {stream}, streamDestroyed {stream, reason}
//	                                         error {pc?, id?, code, name, message}
//
// "connectionCreated" and "streamCreated" are sent to everyone else in the
// room; a new participant learns who is already there from "connected".
// A participant never receives events about its own connection or streams
// except "published".
//
// Errors that end only one request ("publish", "subscribe", "signal") come as
// an "error" message carrying the request's pc or id, with OpenTok.js's name
// and code, for example
//
//	{"type":"error","pc":"p1","code":1500,"name":"OT_STREAM_CREATE_FAILED",
//	 "message":"IncompatibleEncryptionSettings: Tried to publish a stream to an encrypted session without enabling encryption"}
//
// Errors that end the connection (a bad token, a full room, a malformed or
// oversized message, too many messages) close the WebSocket with one of the
// Close* status codes below and a reason a person can read; for a bad token
// or a limit at connect an "error" message with the OpenTok code is sent
// just before the close. Nothing a client sends affects anyone else.
//
// A participant whose socket drops, or whose peer connections fail ICE, is
// removed: everyone else gets streamDestroyed and connectionDestroyed with
// reason "networkDisconnected" within DisconnectGrace.

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
	TypeAnswer                = "answer"
	TypeCandidate             = "candidate"
	TypeUnsubscribe           = "unsubscribe"
	TypeSignal                = "signal"
	TypeSignalSent            = "signalSent"
	TypeDisconnect            = "disconnect"
	TypeConnectionCreated     = "connectionCreated"
	TypeConnectionDestroyed   = "connectionDestroyed"
	TypeStreamCreated         = "streamCreated"
	TypeStreamDestroyed       = "streamDestroyed"
	TypeError                 = "error"
)

// WebSocket close status codes, beside the standard 1000 (normal) and 1001
// (server going away).
const (
	CloseAuthentication = 4001 // missing, malformed, expired or forged token; token for another session
	CloseProtocol       = 4002 // malformed message, unknown type, first message not "connect"
	CloseLimit          = 4003 // room full, too many rooms, message too large, too many messages
	CloseMediaFailed    = 4004 // the participant's media connection failed (ICE)
)

// OpenTok.js error codes and names used by the embedded backend.
const (
	CodeAuthentication     = 1004 // OT_AUTHENTICATION_ERROR
	CodeConnectFailed      = 1006 // OT_CONNECT_FAILED
	CodeNotConnected       = 1010 // OT_NOT_CONNECTED
	CodeInvalidParameter   = 1011 // OT_INVALID_PARAMETER
	CodeConnectionLimit    = 1027 // OT_CONNECTION_LIMIT_EXCEEDED
	CodeUnableToPublish    = 1500 // OT_STREAM_CREATE_FAILED
	CodeUnableToSubscribe  = 1501 // OT_UNABLE_TO_SUBSCRIBE
	CodeSignalInvalid      = 400  // signal: invalid type or data (OpenTok's signal codes are HTTP-like)
	CodeSignalNotFound     = 404  // signal: the "to" connection is not in the session
	CodeSignalTooLarge     = 413  // signal: type or data too long
	CodeSignalRateExceeded = 429  // signal: too many signals
)

// Limits of the protocol.
const (
	MaxMessageBytes   = 64 << 10 // an SDP with many candidates fits easily
	MaxSignalData     = 8192     // bytes of signal data, as OpenTok
	MaxSignalType     = 128      // characters of signal type, as OpenTok
	MaxPCID           = 64       // characters of a pc id
	MessagesPerSecond = 50
	MessageBurst      = 200
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
	Token     string `json:"token,omitempty"`
	Encrypted bool   `json:"encrypted,omitempty"` // the client has an encryption secret (connect, publish, subscribe)

	// connected
	ConnectionID string        `json:"connectionId,omitempty"`
	SessionID    string        `json:"sessionId,omitempty"`
	E2EE         bool          `json:"e2ee,omitempty"`
	Connection   *Connection   `json:"connection,omitempty"` // connected: yours; connectionCreated/Destroyed: theirs
	Connections  []*Connection `json:"connections,omitempty"`
	Streams      []*Stream     `json:"streams,omitempty"`

	// publish, subscribe, answer, candidate, unpublish, unsubscribe, streamProperty
	PC        string        `json:"pc,omitempty"`
	SDP       string        `json:"sdp,omitempty"`
	Candidate *ICECandidate `json:"candidate,omitempty"`
	StreamID  string        `json:"streamId,omitempty"`
	Stream    *Stream       `json:"stream,omitempty"` // publish: the properties asked for; streamCreated/Destroyed: the stream
	HasAudio  *bool         `json:"hasAudio,omitempty"`
	HasVideo  *bool         `json:"hasVideo,omitempty"`

	// streamPropertyChanged
	ChangedProperty string `json:"changedProperty,omitempty"` // "hasAudio" or "hasVideo"
	OldValue        *bool  `json:"oldValue,omitempty"`
	NewValue        *bool  `json:"newValue,omitempty"`

	// signal, signalSent
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
	VideoType    string `json:"videoType"`    // "camera"
	CreationTime int64  `json:"creationTime"` // Unix milliseconds
	Encrypted    bool   `json:"encrypted"`
}

// ICECandidate is RTCIceCandidateInit.
type ICECandidate struct {
	Candidate        string  `json:"candidate"`
	SDPMid           *string `json:"sdpMid,omitempty"`
	SDPMLineIndex    *uint16 `json:"sdpMLineIndex,omitempty"`
	UsernameFragment *string `json:"usernameFragment,omitempty"`
}
