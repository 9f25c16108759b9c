package local

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
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
	audio, video *webrtc.TrackLocalStaticRTP
	videoSSRC    atomic.Uint32
	lastPLI      atomic.Int64 // unix nanoseconds

	mu   sync.Mutex
	subs map[*subscription]struct{}
}

// subscription is one participant receiving one stream.
type subscription struct {
	pcID   string
	stream *stream
	owner  *participant
	pc     *webrtc.PeerConnection

	mu         sync.Mutex
	answered   bool
	closed     bool
	expiry     *time.Timer               // ends the subscription if no answer comes
	candidates []webrtc.ICECandidateInit // trickled before the answer, at most MaxPendingCandidate
}

// newPublication answers a publisher's offer and starts forwarding its media.
// The stream carries the name from the publisher's token, whatever it asked,
// and the videoType it asked for: "camera" (the default) or "screen".
func (p *participant) newPublication(offer string, props Stream) (*stream, string, error) {
	videoType, err := publicationVideoType(props.VideoType)
	if err != nil {
		return nil, "", err
	}
	pc, err := p.b.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, "", err
	}
	s := &stream{
		info: Stream{
			StreamID: rand.Text(), ConnectionID: p.id, Name: p.info.Data, HasAudio: props.HasAudio, HasVideo: props.HasVideo,
			VideoType: videoType, CreationTime: time.Now().UnixMilli(), Encrypted: true,
		},
		owner: p, pc: pc, subs: map[*subscription]struct{}{},
	}
	if s.audio, err = webrtc.NewTrackLocalStaticRTP(opus, "audio", s.info.StreamID); err != nil {
		_ = pc.Close()
		return nil, "", err
	}
	if s.video, err = webrtc.NewTrackLocalStaticRTP(vp8, "video", s.info.StreamID); err != nil {
		_ = pc.Close()
		return nil, "", err
	}
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
	pc.OnConnectionStateChange(func(state webrtc.PeerConnectionState) {
		if state == webrtc.PeerConnectionStateFailed {
			p.end(CloseMediaFailed, "your media connection failed")
		}
	})
	answer, err := answerOffer(pc, offer)
	if err != nil {
		_ = pc.Close()
		return nil, "", err
	}
	return s, answer, nil
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

func answerOffer(pc *webrtc.PeerConnection, offer string) (string, error) {
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: offer}); err != nil {
		return "", err
	}
	answer, err := pc.CreateAnswer(nil)
	if err != nil {
		return "", err
	}
	return setLocalAndGather(pc, answer)
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

// forward copies RTP from the publisher into the track every subscriber
// reads. The payload is ciphertext and passes untouched; header extensions
// are dropped because their ids differ from one peer connection to another.
func forward(remote *webrtc.TrackRemote, local *webrtc.TrackLocalStaticRTP) {
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	for {
		n, _, err := remote.Read(buf)
		if err != nil {
			return
		}
		if err := forwardPacket(&pkt, buf[:n], local); err != nil {
			return
		}
	}
}

func forwardPacket(pkt *rtp.Packet, raw []byte, local *webrtc.TrackLocalStaticRTP) error {
	if err := pkt.Unmarshal(raw); err != nil {
		return nil // not RTP: skip it
	}
	pkt.Extension = false
	pkt.Extensions = pkt.Extensions[:0]
	if err := local.WriteRTP(pkt); err != nil && !errors.Is(err, io.ErrClosedPipe) {
		return err
	}
	return nil
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

// newSubscription offers a participant the stream's tracks.
func (p *participant) newSubscription(pcID string, s *stream) (*subscription, string, error) {
	pc, err := p.b.api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		return nil, "", err
	}
	sub := &subscription{pcID: pcID, stream: s, owner: p, pc: pc}
	for _, track := range []*webrtc.TrackLocalStaticRTP{s.audio, s.video} {
		sender, err := pc.AddTrack(track)
		if err != nil {
			_ = pc.Close()
			return nil, "", err
		}
		go readSubscriberRTCP(sender, s)
	}
	pc.OnConnectionStateChange(func(state webrtc.PeerConnectionState) {
		switch state {
		case webrtc.PeerConnectionStateConnected:
			s.requestKeyFrame(true)
		case webrtc.PeerConnectionStateFailed:
			p.end(CloseMediaFailed, "your media connection failed")
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		_ = pc.Close()
		return nil, "", err
	}
	sdp, err := setLocalAndGather(pc, offer)
	if err != nil {
		_ = pc.Close()
		return nil, "", err
	}
	return sub, sdp, nil
}

// expireUnanswered calls expire after d unless the offer is answered first.
func (sub *subscription) expireUnanswered(d time.Duration, expire func()) {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if !sub.answered && !sub.closed {
		sub.expiry = time.AfterFunc(d, expire)
	}
}

// answer completes the subscription with the client's answer.
func (sub *subscription) answer(sdp string) error {
	sub.mu.Lock()
	if sub.answered {
		sub.mu.Unlock()
		return errors.New("the offer was answered already")
	}
	sub.mu.Unlock()
	if err := sub.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: sdp}); err != nil {
		return err
	}
	sub.mu.Lock()
	sub.answered = true
	if sub.expiry != nil {
		sub.expiry.Stop()
	}
	pending := sub.candidates
	sub.candidates = nil
	sub.mu.Unlock()
	for _, c := range pending {
		if err := sub.pc.AddICECandidate(c); err != nil {
			return err
		}
	}
	return nil
}

var errTooManyCandidates = errors.New("too many candidates before the answer")

func (sub *subscription) addCandidate(c webrtc.ICECandidateInit) error {
	sub.mu.Lock()
	if !sub.answered {
		defer sub.mu.Unlock()
		if len(sub.candidates) >= MaxPendingCandidate {
			return errTooManyCandidates
		}
		sub.candidates = append(sub.candidates, c)
		return nil
	}
	sub.mu.Unlock()
	return sub.pc.AddICECandidate(c)
}

func (sub *subscription) close() {
	sub.mu.Lock()
	sub.closed = true
	if sub.expiry != nil {
		sub.expiry.Stop()
	}
	sub.candidates = nil
	sub.mu.Unlock()
	sub.stream.mu.Lock()
	delete(sub.stream.subs, sub)
	sub.stream.mu.Unlock()
	_ = sub.pc.Close()
}

// readSubscriberRTCP reads what a subscriber's browser reports (the
// interceptors act on NACKs and receiver reports as they pass) and passes
// key frame requests on to the publisher.
func readSubscriberRTCP(sender *webrtc.RTPSender, s *stream) {
	for {
		packets, _, err := sender.ReadRTCP()
		if err != nil {
			return
		}
		for _, pkt := range packets {
			switch pkt.(type) {
			case *rtcp.PictureLossIndication, *rtcp.FullIntraRequest:
				s.requestKeyFrame(false)
			}
		}
	}
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
