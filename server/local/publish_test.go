package local

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// direction is the a=sendrecv/sendonly/recvonly/inactive line of the m-line
// with mid in an SDP.
func direction(sdp, mid string) string {
	inSection := false
	for _, line := range strings.Split(sdp, "\r\n") {
		switch {
		case strings.HasPrefix(line, "m="):
			inSection = false
		case line == "a=mid:"+mid:
			inSection = true
		case inSection && (line == "a=sendrecv" || line == "a=sendonly" || line == "a=recvonly" || line == "a=inactive"):
			return strings.TrimPrefix(line, "a=")
		}
	}
	return ""
}

// lastOffer is the latest offer c received.
func (c *client) lastOffer() Message {
	offers := c.messagesOf(TypeOffer)
	require.NotEmpty(c.t, offers)
	return offers[len(offers)-1]
}

// TestAPublicationAndSubscriptionsShareOnePeerConnection has Ada publish
// and receive Grace on her one peer connection: the offer asks her to send
// on the publication's transceivers and sends Grace on others of its own,
// even though the publication's ones could send too.
func TestAPublicationAndSubscriptionsShareOnePeerConnection(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "shared", "Ada")
	grace := s.join(t, "shared", "Grace")
	_, graceVideo, graceAudio, graceStream := grace.publish("cam")
	pc, _, _, _ := ada.publish("cam")
	var got payloads
	got.record(pc)
	ada.subscribe("s1", graceStream)

	offer := ada.lastOffer()
	require.Len(t, offer.Publications, 1)
	pub := offer.Publications[0]
	assert.Equal(t, "cam", pub.PC)
	for _, mid := range []string{pub.AudioMid, pub.VideoMid} {
		assert.Equal(t, "recvonly", direction(offer.SDP, mid), "the server receives Ada's publication on mid %s", mid)
	}
	sending := 0
	for _, tr := range pc.GetTransceivers() {
		if tr.Mid() != pub.AudioMid && tr.Mid() != pub.VideoMid {
			sending++
		}
	}
	assert.Equal(t, 2, sending, "Grace's audio and video come on two transceivers of their own")
	sendUntil(t, func(int) bool { return got.count("video/VP8") > 5 }, graceVideo, graceAudio)
}

// TestAnEndedPublicationsTransceiversAreReused has Ada stop publishing and
// publish again: the new publication is offered on the old one's
// transceivers once she has answered an offer without them, its media
// reaches Grace, and Ada's session description does not grow.
func TestAnEndedPublicationsTransceiversAreReused(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "republish", "Ada")
	grace := s.join(t, "republish", "Grace")
	pc, _, _, first := ada.publish("cam1")
	before := ada.lastOffer().Publications[0]

	ada.send(Message{Type: TypeUnpublish, PC: "cam1"})
	without := ada.answerOffer()
	assert.Empty(t, ada.lastOffer().Publications, "the offer after the unpublication leaves it out")
	grace.waitFor("Ada's first stream destroyed", func(m Message) bool {
		return m.Type == TypeStreamDestroyed && m.Stream.StreamID == first
	})
	require.Same(t, pc, without)

	_, video, audio, second := ada.publish("cam2")
	after := ada.lastOffer().Publications[0]
	assert.Equal(t, [2]string{before.AudioMid, before.VideoMid}, [2]string{after.AudioMid, after.VideoMid}, "the same transceivers")
	assert.Len(t, pc.GetTransceivers(), 2, "no more than one publication's")

	var got payloads
	got.record(grace.subscribe("s1", second))
	sendUntil(t, func(int) bool { return got.count("video/VP8") > 5 && got.count("audio/opus") > 5 }, video, audio)
}

// TestPublicationsChangingFasterThanAnswersAreBounded has Mallory publish
// and unpublish again and again without answering an offer: transceivers
// cannot be reused until she answers, so after maxInbounds pairs publishing
// is refused; once she answers, it works again on the pairs she had.
func TestPublicationsChangingFasterThanAnswersAreBounded(t *testing.T) {
	s := newTestServer(t, Config{})
	mallory := s.join(t, "churn", "Mallory")
	for i := range maxInbounds {
		id := "p" + string(rune('a'+i))
		mallory.send(Message{Type: TypePublish, PC: id, Encrypted: true, Stream: &Stream{HasVideo: true}})
		mallory.send(Message{Type: TypeUnpublish, PC: id})
	}
	mallory.send(Message{Type: TypePublish, PC: "one-more", Encrypted: true, Stream: &Stream{HasVideo: true}})
	refused := mallory.refusal("one-more")
	assert.Equal(t, errStreamCreate.Code, refused.Code)
	assert.Contains(t, refused.Message, "faster than the browser answers")

	mallory.answerOffer() // the offer made at the first publication
	pc := mallory.answerOffer()
	mallory.publish("camera")
	assert.Len(t, pc.GetTransceivers(), 2*maxInbounds, "the pairs made before, reused")
}

// TestAPublicationEndedBeforeItsAnswerNeverJoins has Ada unpublish before
// she answers the offer for her publication: nobody hears of the stream,
// and she gets no "published".
func TestAPublicationEndedBeforeItsAnswerNeverJoins(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "never", "Ada")
	grace := s.join(t, "never", "Grace")
	ada.send(Message{Type: TypePublish, PC: "cam", Encrypted: true, Stream: &Stream{HasVideo: true}})
	ada.expect(TypeOffer)
	ada.send(Message{Type: TypeUnpublish, PC: "cam"})
	ada.answerOffer()
	ada.answerOffer()
	ada.send(Message{Type: TypeSignal, ID: "sync", SignalType: "t", Data: "x"}) // signals reach Grace after any stream would have
	grace.expect(TypeSignal)
	assert.Empty(t, grace.messagesOf(TypeStreamCreated))
	assert.Empty(t, ada.messagesOf(TypePublished))
	_, _, _, streamID := ada.publish("cam2")
	assert.Equal(t, streamID, grace.expect(TypeStreamCreated).Stream.StreamID, "the next one does")
}
