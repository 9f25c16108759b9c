package local

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// publishVideo sends a publish request for a video-only stream of videoType.
func (c *client) publishVideo(pcID, videoType string) {
	c.t.Helper()
	c.send(Message{Type: TypePublish, PC: pcID, Encrypted: true, Stream: &Stream{Name: "Ada", HasVideo: true, VideoType: videoType}})
}

func TestAStreamHasTheVideoTypeItWasPublishedWith(t *testing.T) {
	s := newTestServer(t, Config{})
	ada := s.join(t, "screens", "Ada")
	grace := s.join(t, "screens", "Grace")
	typeAtGrace := func(pcID string) string {
		ada.answerOffer()
		id := ada.waitFor("published "+pcID, func(m Message) bool { return m.Type == TypePublished && m.PC == pcID }).StreamID
		return grace.waitFor("streamCreated "+id, func(m Message) bool { return m.Type == TypeStreamCreated && m.Stream.StreamID == id }).Stream.VideoType
	}

	ada.publishVideo("cam", "")
	assert.Equal(t, "camera", typeAtGrace("cam"), "no videoType is a camera")
	ada.publishVideo("screen", "screen")
	assert.Equal(t, "screen", typeAtGrace("screen"), "a screen next to the camera")

	linus := s.join(t, "screens", "Linus")
	types := map[string]bool{}
	for _, st := range linus.expect(TypeConnected).Streams {
		types[st.VideoType] = true
	}
	assert.Equal(t, map[string]bool{"camera": true, "screen": true}, types, "who joins later learns both types")
}

func TestAPublicationOfAnotherVideoTypeIsRefused(t *testing.T) {
	for _, asked := range []string{"custom", "Screen", "window", "camera "} {
		s := newTestServer(t, Config{})
		mallory := s.join(t, "types", "Mallory")
		mallory.publishVideo("p1", asked)
		refused := mallory.refusal("p1")
		assert.Equal(t, errStreamCreate.Code, refused.Code, "videoType %q", asked)
		assert.Contains(t, refused.Message, "videoType", "the message says what was wrong")

		mallory.publishVideo("p2", "screen")
		mallory.answerOffer()
		mallory.waitFor("published p2", func(m Message) bool { return m.Type == TypePublished && m.PC == "p2" })
	}
}
