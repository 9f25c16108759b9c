package local

import (
	"fmt"
	"testing"
	"time"

	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// BenchmarkForward measures the SFU's forwarding path: one publisher's VP8
// packet (an encrypted frame's size) written to N connected subscribers
// through the track's fan-out (kept once for resending), pion's SRTP and
// interceptors. ns/op and allocs/op
// are per packet from the publisher; ns/subscriber-packet divides by N.
func BenchmarkForward(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("subscribers=%d", n), func(b *testing.B) {
			backend, err := New(Config{})
			if err != nil {
				b.Fatal(err)
			}
			track := newFanout(vp8, "video", "bench")
			for i := 0; i < n; i++ {
				connectSubscriber(b, backend.peerAPI, track)
			}
			raw, err := (&rtp.Packet{
				Header:  rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, Timestamp: 3000, SSRC: 1234, Marker: true},
				Payload: make([]byte, 1100),
			}).Marshal()
			if err != nil {
				b.Fatal(err)
			}
			var pkt rtp.Packet
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				forwardPacket(&pkt, raw, track)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/subscriber-packet")
		})
	}
}

// BenchmarkForwardParse measures only what the SFU's own code does with a
// packet before pion's fan-out: parse it and drop its header extensions.
func BenchmarkForwardParse(b *testing.B) {
	withExtension := &rtp.Packet{Header: rtp.Header{Version: 2, PayloadType: 96, SequenceNumber: 1, Timestamp: 3000, SSRC: 1234}, Payload: make([]byte, 1100)}
	if err := withExtension.SetExtension(1, []byte{1, 2}); err != nil {
		b.Fatal(err)
	}
	raw, err := withExtension.Marshal()
	if err != nil {
		b.Fatal(err)
	}
	var pkt rtp.Packet
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := pkt.Unmarshal(raw); err != nil {
			b.Fatal(err)
		}
		pkt.Extension = false
		pkt.Extensions = pkt.Extensions[:0]
	}
}

// connectSubscriber binds track to a server-side peer connection connected
// over loopback to a client one that reads and drops what it receives.
func connectSubscriber(b *testing.B, api peerAPI, track webrtc.TrackLocal) {
	b.Helper()
	_, server, err := api.newPeerConnection(newIncomingStreams(func() {}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = server.Close() })
	if _, err := server.AddTrack(track); err != nil {
		b.Fatal(err)
	}
	m := &webrtc.MediaEngine{}
	if err := m.RegisterDefaultCodecs(); err != nil {
		b.Fatal(err)
	}
	s := webrtc.SettingEngine{}
	s.SetIncludeLoopbackCandidate(true)
	client, err := webrtc.NewAPI(webrtc.WithMediaEngine(m), webrtc.WithSettingEngine(s)).NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = client.Close() })
	client.OnTrack(func(t *webrtc.TrackRemote, _ *webrtc.RTPReceiver) {
		buf := make([]byte, 1500)
		for {
			if _, _, err := t.Read(buf); err != nil {
				return
			}
		}
	})
	connected := make(chan struct{})
	server.OnConnectionStateChange(func(st webrtc.PeerConnectionState) {
		if st == webrtc.PeerConnectionStateConnected {
			close(connected)
		}
	})
	offer, err := server.CreateOffer(nil)
	if err != nil {
		b.Fatal(err)
	}
	offerSDP, err := setLocalAndGather(server, offer)
	if err != nil {
		b.Fatal(err)
	}
	if err := client.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offerSDP}); err != nil {
		b.Fatal(err)
	}
	answer, err := client.CreateAnswer(nil)
	if err != nil {
		b.Fatal(err)
	}
	answerSDP, err := setLocalAndGather(client, answer)
	if err != nil {
		b.Fatal(err)
	}
	if err := server.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answerSDP}); err != nil {
		b.Fatal(err)
	}
	select {
	case <-connected:
	case <-time.After(10 * time.Second):
		b.Fatal("subscriber did not connect")
	}
	// The sender binds the track once DTLS is up, just after "connected".
	time.Sleep(50 * time.Millisecond)
}
