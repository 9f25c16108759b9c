package local

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"
)

// DecodeMessage reads one client message and checks it fully: a known type,
// the fields that type needs, and every length within the protocol's limits.
// Its error says what is wrong, for the close reason.
func DecodeMessage(data []byte) (Message, error) {
	var m Message
	if len(data) > MaxMessageBytes {
		return Message{}, errors.New("message too large")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return Message{}, fmt.Errorf("not a protocol message: %v", err)
	}
	if dec.More() {
		return Message{}, errors.New("more than one JSON value in a message")
	}
	return m, validate(m)
}

func validate(m Message) error {
	switch m.Type {
	case TypeConnect:
		return need("sessionId", m.SessionID != "") // a missing token is refused as an authentication error
	case TypePublish:
		return all(pcID(m.PC), need("sdp", m.SDP != ""), need("stream", m.Stream != nil), streamRequest(m.Stream))
	case TypeSubscribe:
		return all(pcID(m.PC), need("streamId", m.StreamID != ""))
	case TypeAnswer:
		return all(pcID(m.PC), need("sdp", m.SDP != ""))
	case TypeCandidate:
		return all(pcID(m.PC), need("candidate", m.Candidate != nil))
	case TypeUnpublish, TypeUnsubscribe:
		return pcID(m.PC)
	case TypeStreamProperty:
		return all(pcID(m.PC), need("hasAudio or hasVideo", m.HasAudio != nil || m.HasVideo != nil))
	case TypeSignal:
		return all(need("id", m.ID != "" && len(m.ID) <= MaxPCID))
	case TypeDisconnect:
		return nil
	case "":
		return errors.New(`the message has no "type"`)
	}
	return fmt.Errorf("unknown message type %q", truncate(m.Type, 32))
}

func streamRequest(s *Stream) error {
	if s == nil {
		return nil
	}
	if utf8.RuneCountInString(s.Name) > 100 || !utf8.ValidString(s.Name) {
		return errors.New("stream name too long")
	}
	return nil
}

func pcID(id string) error {
	if id == "" || len(id) > MaxPCID {
		return fmt.Errorf(`"pc" must be 1 to %d characters`, MaxPCID)
	}
	return nil
}

func need(field string, ok bool) error {
	if !ok {
		return fmt.Errorf("the message lacks %s", field)
	}
	return nil
}

func all(errs ...error) error { return errors.Join(errs...) }

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
