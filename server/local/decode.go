package local

import (
	"errors"
	"fmt"

	"e2eecall/server/strictjson"
)

// DecodeMessage reads one client message and checks it fully: a known type,
// the fields that type needs, and every length within the protocol's limits.
// Its error says what is wrong, for the close reason.
func DecodeMessage(data []byte) (Message, error) {
	var m Message
	if len(data) > MaxMessageBytes {
		return Message{}, errors.New("message too large")
	}
	if err := strictjson.Decode(data, &m); err != nil {
		return Message{}, fmt.Errorf("not a protocol message: %v", err)
	}
	return m, validate(m)
}

func validate(m Message) error {
	switch m.Type {
	case TypeConnect:
		return all(need("sessionId", m.SessionID != ""), // a missing token is refused as an authentication error
			need("resumeKey with connectionId", (m.ConnectionID == "") == (m.ResumeKey == "")))
	case TypePublish:
		return all(pcID(m.PC), need("stream", m.Stream != nil), streamRequest(m.Stream))
	case TypeSubscribe:
		return all(requestID(m.ID), need("streamId", m.StreamID != ""))
	case TypeUnsubscribe:
		return requestID(m.ID)
	case TypeAnswer:
		return all(need("sdp", m.SDP != ""), notTaken(`"pc"`, m.PC != "")) // there is one peer connection
	case TypeCandidate:
		return all(need("candidate", m.Candidate != nil), candidate(m.Candidate), notTaken(`"pc"`, m.PC != ""))
	case TypeUnpublish:
		return pcID(m.PC)
	case TypeStreamProperty:
		return all(pcID(m.PC), need("hasAudio or hasVideo", m.HasAudio != nil || m.HasVideo != nil))
	case TypeSignal:
		return requestID(m.ID)
	case TypeDisconnect:
		return nil
	case "":
		return errors.New(`the message has no "type"`)
	}
	return fmt.Errorf("unknown message type %q", truncate(m.Type, 32))
}

// streamRequest checks what a publisher asks for. Its name is only bounded:
// the stream gets the name from the publisher's token.
func streamRequest(s *Stream) error {
	if s != nil && len(s.Name) > MaxStreamNameBytes {
		return fmt.Errorf("the stream name is longer than %d bytes", MaxStreamNameBytes)
	}
	return nil
}

func candidate(c *ICECandidate) error {
	if c == nil {
		return nil
	}
	for _, field := range []*string{&c.Candidate, c.SDPMid, c.UsernameFragment} {
		if field != nil && len(*field) > MaxCandidateBytes {
			return fmt.Errorf("a candidate is at most %d bytes", MaxCandidateBytes)
		}
	}
	return nil
}

func pcID(id string) error {
	if id == "" || len(id) > MaxPCID {
		return fmt.Errorf(`"pc" must be 1 to %d characters`, MaxPCID)
	}
	return nil
}

func requestID(id string) error {
	if id == "" || len(id) > MaxPCID {
		return fmt.Errorf(`"id" must be 1 to %d characters`, MaxPCID)
	}
	return nil
}

func need(field string, ok bool) error {
	if !ok {
		return fmt.Errorf("the message lacks %s", field)
	}
	return nil
}

func notTaken(field string, present bool) error {
	if present {
		return fmt.Errorf("the message has %s, which its type does not take", field)
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
