package ui

import (
	"fmt"
	"math/rand/v2"
)

var (
	roomAdjectives = []string{"amber", "bright", "calm", "clear", "quiet", "swift", "gentle", "golden", "silver", "misty", "sunny", "brave"}
	roomNouns      = []string{"river", "harbor", "meadow", "forest", "summit", "canyon", "lagoon", "island", "valley", "garden", "orchard", "beacon"}
)

// newRoomName suggests a room name that is easy to read out and hard to guess.
func newRoomName() string {
	return fmt.Sprintf("%s-%s-%04d", roomAdjectives[rand.IntN(len(roomAdjectives))], roomNouns[rand.IntN(len(roomNouns))], rand.IntN(10000))
}
