package local

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeMessage(t *testing.T) {
	tests := []struct {
		name, in, wantErr string
	}{
		{name: "connect", in: `{"type":"connect","token":"t","sessionId":"s","encrypted":true}`},
		{name: "connect without session", in: `{"type":"connect","token":"t"}`, wantErr: "sessionId"},
		{name: "publish", in: `{"type":"publish","pc":"p1","encrypted":true,"stream":{"name":"Ada","hasAudio":true,"hasVideo":true}}`},
		{name: "publish without pc", in: `{"type":"publish","stream":{}}`, wantErr: `"pc"`},
		{name: "publish without stream", in: `{"type":"publish","pc":"p1"}`, wantErr: "stream"},
		{name: "long pc id", in: `{"type":"unpublish","pc":"` + strings.Repeat("p", MaxPCID+1) + `"}`, wantErr: `"pc"`},
		{name: "candidate", in: `{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}`},
		{name: "candidate missing", in: `{"type":"candidate"}`, wantErr: "candidate"},
		{name: "subscribe", in: `{"type":"subscribe","id":"s1","streamId":"x","encrypted":true}`},
		{name: "subscribe without id", in: `{"type":"subscribe","streamId":"x"}`, wantErr: `"id"`},
		{name: "subscribe without stream", in: `{"type":"subscribe","id":"s1"}`, wantErr: "streamId"},
		{name: "unsubscribe", in: `{"type":"unsubscribe","id":"s1"}`},
		{name: "answer", in: `{"type":"answer","sdp":"v=0"}`},
		{name: "answer without sdp", in: `{"type":"answer"}`, wantErr: "sdp"},
		{name: "answer with a pc", in: `{"type":"answer","pc":"p1","sdp":"v=0"}`, wantErr: `"pc"`},
		{name: "an offer from the client", in: `{"type":"offer","sdp":"v=0"}`, wantErr: "unknown message type"},
		{name: "stream property", in: `{"type":"streamProperty","pc":"p1","hasVideo":false}`},
		{name: "stream property empty", in: `{"type":"streamProperty","pc":"p1"}`, wantErr: "hasAudio or hasVideo"},
		{name: "signal", in: `{"type":"signal","id":"1","signalType":"chat","data":"hi"}`},
		{name: "disconnect", in: `{"type":"disconnect"}`},
		{name: "no type", in: `{}`, wantErr: `no "type"`},
		{name: "unknown type", in: `{"type":"explode"}`, wantErr: "unknown message type"},
		{name: "unknown field", in: `{"type":"disconnect","x":1}`, wantErr: "unknown field"},
		{name: "two values", in: `{"type":"disconnect"} {}`, wantErr: "more than one"},
		{name: "not an object", in: `[1,2]`, wantErr: "not a protocol message"},
		{name: "wrong field type", in: `{"type":"connect","token":5,"sessionId":"s"}`, wantErr: "not a protocol message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := DecodeMessage([]byte(tt.in))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.NotEmpty(t, m.Type)
		})
	}
}

// FuzzDecodeMessage checks that no input makes the decoder panic, that what
// it accepts is a known type within the limits, and that its errors can be
// sent as a close reason.
func FuzzDecodeMessage(f *testing.F) {
	for _, seed := range []string{
		`{"type":"connect","token":"t","sessionId":"s","encrypted":true}`,
		`{"type":"publish","pc":"p1","encrypted":true,"stream":{"name":"Ada","hasAudio":true,"hasVideo":true}}`,
		`{"type":"candidate","candidate":{"candidate":"candidate:1 1 udp 1 127.0.0.1 5000 typ host","sdpMid":"0","sdpMLineIndex":0}}`,
		`{"type":"signal","id":"1","signalType":"chat","data":"hi","to":"abc"}`,
		`{"type":"streamProperty","pc":"p1","hasAudio":false}`,
		`{"type":"subscribe","id":"s1","streamId":"x","encrypted":true}`,
		`{"type":"answer","sdp":"v=0\r\n"}`,
		`{"type":"disconnect"}`,
		`{"type":"`, `null`, `[]`, ``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMessage(data)
		if err != nil {
			if !utf8.ValidString(err.Error()) && utf8.ValidString(string(data)) {
				t.Fatalf("error is not valid UTF-8: %q", err)
			}
			return
		}
		switch m.Type {
		case TypeConnect, TypePublish, TypeSubscribe, TypeAnswer, TypeCandidate, TypeUnpublish, TypeUnsubscribe,
			TypeStreamProperty, TypeSignal, TypeDisconnect:
		default:
			t.Fatalf("accepted unknown type %q", m.Type)
		}
		if len(m.PC) > MaxPCID || len(m.ID) > MaxPCID {
			t.Fatalf("accepted an id over the limit")
		}
	})
}
