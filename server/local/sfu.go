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

// stream is a published stream: the tracks its media is forwarded into,
// one per kind, and the transceivers of the publisher's peer connection
// that it arrives on.
type stream struct {
	info         Stream // mutable fields under the room's lock
	owner        *participant
	pcID         string // the client's name for the publication
	inbound      inbound
	audio, video *fanout
	videoSSRC    atomic.Uint32
	lastPLI      atomic.Int64 // unix nanoseconds
	live         bool         // in the room; under owner.mu
	ended        atomic.Bool  // destroyed: it joins the room no more

	mu   sync.Mutex
	subs map[*subscription]struct{}
}

// newPublication makes the stream that a "publish" asks for, on pc id pcID;
// it joins the room once the client has answered the offer that asks it to
// send. The stream carries the name from the publisher's token, whatever it
// asked, and the videoType it asked for: "camera" (the default) or "screen".
func (p *participant) newPublication(pcID string, props Stream) (*stream, error) {
	videoType, err := publicationVideoType(props.VideoType)
	if err != nil {
		return nil, err
	}
	s := &stream{
		info: Stream{
			StreamID: rand.Text(), ConnectionID: p.id, Name: p.info.Data, HasAudio: props.HasAudio, HasVideo: props.HasVideo,
			VideoType: videoType, CreationTime: time.Now().UnixMilli(), Encrypted: true,
		},
		owner: p, pcID: pcID, subs: map[*subscription]struct{}{},
	}
	s.audio = newFanout(opus, "audio", s.info.StreamID)
	s.video = newFanout(vp8, "video", s.info.StreamID)
	return s, nil
}

// forwardPublished starts forwarding a track that arrives on one of a
// publication's transceivers.
func (c *peer) forwardPublished(remote *webrtc.TrackRemote, receiver *webrtc.RTPReceiver) {
	s := c.p.publicationOn(receiver)
	if s == nil {
		return // its publication ended; pion replaces the receiver once the client stops sending
	}
	if remote.Kind() == webrtc.RTPCodecTypeVideo {
		s.videoSSRC.Store(uint32(remote.SSRC()))
		s.requestKeyFrame(true) // subscribers may have connected before the video started
		c.incoming.forwardThrough(remote, receiver, s.video)
		return
	}
	c.incoming.forwardThrough(remote, receiver, s.audio)
}

// publicationOn is the publication whose media arrives on receiver, or nil.
func (p *participant) publicationOn(receiver *webrtc.RTPReceiver) *stream {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.publications {
		if s.inbound.audio.Receiver() == receiver || s.inbound.video.Receiver() == receiver {
			return s
		}
	}
	return nil
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

// forwardPacket copies RTP from the publisher to every subscriber. The
// payload is ciphertext and passes untouched; header extensions are dropped
// because their ids differ from one peer connection to another.
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
	_ = s.owner.peer.pc.WriteRTCP([]rtcp.Packet{&rtcp.PictureLossIndication{MediaSSRC: ssrc}}) // fails only once the publisher is gone
}
