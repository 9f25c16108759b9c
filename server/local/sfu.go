package local

import (
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pion/rtcp"
	"github.com/pion/rtp"
	"github.com/pion/webrtc/v4"
)

// pliInterval is how often at most a publisher is asked for a key frame on
// behalf of its subscribers: a subscriber that cannot decrypt asks several
// times a second, and every key frame costs everyone bandwidth.
const pliInterval = 500 * time.Millisecond

// gatherTimeout bounds host candidate gathering, which takes milliseconds.
const gatherTimeout = 3 * time.Second

// stream is a published stream: the publisher's peer connection and the
// tracks its media is forwarded into, one per kind.
type stream struct {
	info         Stream // mutable fields under the room's lock
	owner        *participant
	pc           *webrtc.PeerConnection
	incoming     *incomingStreams // the SSRCs the publisher declared
	audio, video *fanout
	videoSSRC    atomic.Uint32
	lastPLI      atomic.Int64 // unix nanoseconds

	mu   sync.Mutex
	subs map[*subscription]struct{}
}

// newPublication answers a publisher's offer and starts forwarding its media.
// The stream carries the name from the publisher's token, whatever it asked,
// and the videoType it asked for: "camera" (the default) or "screen".
func (p *participant) newPublication(offer string, props Stream) (*stream, string, error) {
	videoType, err := publicationVideoType(props.VideoType)
	if err != nil {
		return nil, "", err
	}
	incoming := newIncomingStreams(p.tooManyStreams)
	pc, err := p.b.publishAPI.newPeerConnection(incoming)
	if err != nil {
		return nil, "", err
	}
	s := &stream{
		info: Stream{
			StreamID: rand.Text(), ConnectionID: p.id, Name: p.info.Data, HasAudio: props.HasAudio, HasVideo: props.HasVideo,
			VideoType: videoType, CreationTime: time.Now().UnixMilli(), Encrypted: true,
		},
		owner: p, pc: pc, incoming: incoming, subs: map[*subscription]struct{}{},
	}
	s.audio = newFanout(opus, "audio", s.info.StreamID)
	s.video = newFanout(vp8, "video", s.info.StreamID)
	pc.OnTrack(func(remote *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
		go drainRTCP(receiver)
		if remote.Kind() == webrtc.RTPCodecTypeVideo {
			s.videoSSRC.Store(uint32(remote.SSRC()))
			s.requestKeyFrame(true) // subscribers may have connected before the video started
			go forward(remote, s.video)
			return
		}
		go forward(remote, s.audio)
	})
	p.watchMedia(pc, nil, nil)
	answer, err := s.answer(offer)
	if err != nil {
		_ = pc.Close()
		return nil, "", err
	}
	return s, answer, nil
}

// watchMedia ends p if pc's ICE fails before it ever connected (the network
// lets no media through), or stays failed for the reconnect grace after it
// had worked (the browser and the server restart ICE meanwhile: failed
// says when). connected runs each time pc connects.
func (p *participant) watchMedia(pc *webrtc.PeerConnection, connected, failed func()) {
	var mu sync.Mutex
	var worked bool
	var giveUp *time.Timer
	pc.OnConnectionStateChange(func(state webrtc.PeerConnectionState) {
		mu.Lock()
		defer mu.Unlock()
		switch state {
		case webrtc.PeerConnectionStateConnected:
			worked = true
			if giveUp != nil {
				giveUp.Stop()
				giveUp = nil
			}
			if connected != nil {
				go connected()
			}
		case webrtc.PeerConnectionStateFailed:
			if !worked {
				go p.end(CloseMediaFailed, "your media connection failed")
				return
			}
			if giveUp == nil {
				giveUp = time.AfterFunc(p.b.reconnectGrace, func() {
					p.end(CloseMediaFailed, "your media connection did not come back")
				})
			}
			if failed != nil {
				go failed()
			}
		case webrtc.PeerConnectionStateClosed:
			if giveUp != nil {
				giveUp.Stop()
			}
		}
	})
}

// publicationVideoType is the videoType a publish request asks for, as
// OpenTok's Stream.videoType: "camera" when it asks for none.
func publicationVideoType(asked string) (string, error) {
	switch asked {
	case "", "camera":
		return "camera", nil
	case "screen":
		return "screen", nil
	}
	return "", fmt.Errorf(`videoType must be "camera" or "screen", not %q`, truncate(asked, 32))
}

// answer answers the publisher's offer: the first, or an ICE restart.
func (s *stream) answer(offer string) (string, error) {
	s.incoming.declare(offer)
	if err := s.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", err
	}
	answer, err := s.pc.CreateAnswer(nil)
	if err != nil {
		return "", err
	}
	return setLocalAndGather(s.pc, answer)
}

// setLocalAndGather sets the local description and waits for the host
// candidates, so the description the client gets already has them.
func setLocalAndGather(pc *webrtc.PeerConnection, desc webrtc.SessionDescription) (string, error) {
	gathered := webrtc.GatheringCompletePromise(pc)
	if err := pc.SetLocalDescription(desc); err != nil {
		return "", err
	}
	select {
	case <-gathered:
	case <-time.After(gatherTimeout):
		return "", errors.New("gathering candidates took too long")
	}
	return pc.LocalDescription().SDP, nil
}

// forward copies RTP from the publisher to every subscriber. The payload is
// ciphertext and passes untouched; header extensions are dropped because
// their ids differ from one peer connection to another.
func forward(remote *webrtc.TrackRemote, to *fanout) {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := remote.Read(buf)
		if err != nil {
			return
		}
		forwardPacket(&pkt, buf[:n], to)
	}
}

func forwardPacket(pkt *rtp.Packet, raw []byte, to *fanout) {
	if err := pkt.Unmarshal(raw); err != nil {
		return // not RTP: skip it
	}
	pkt.Extension = false
	pkt.Extensions = pkt.Extensions[:0]
	to.write(pkt)
}

// requestKeyFrame asks the publisher for a key frame, at most once per
// pliInterval unless forced (a subscriber that just connected).
func (s *stream) requestKeyFrame(force bool) {
	ssrc := s.videoSSRC.Load()
	if ssrc == 0 {
		return // no video yet; its first frame is a key frame anyway
	}
	now := time.Now().UnixNano()
	last := s.lastPLI.Load()
	if !force && now-last < int64(pliInterval) {
		return
	}
	if !s.lastPLI.CompareAndSwap(last, now) {
		return
	}
	_ = s.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}}) // fails only once the publisher is gone
}

// drainRTCP reads a publisher's RTCP so the interceptors see it.
func drainRTCP(receiver *webrtc.RTPReceiver) {
	buf := make([]byte, 1500)
	for {
		if _, _, err := receiver.Read(buf); err != nil {
			return
		}
	}
}
