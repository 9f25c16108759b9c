package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"e2eecall/app/ot"
)

func TestALostCallOffersRejoinUntilBackIn(t *testing.T) {
	var m Model
	m.Joining("room-1", "Ada")
	m.Joined()
	m.Disconnected("networkDisconnected")
	require.NotNil(t, m.Rejoin)
	assert.Equal(t, RejoinOffer{Room: "room-1", Name: "Ada"}, *m.Rejoin)
	assert.Equal(t, ScreenJoin, m.Screen)

	m.Joining(m.Rejoin.Room, m.Rejoin.Name)
	m.Failed(StepConnect, ot.Error{Name: "OT_CONNECT_FAILED", Code: 1006, Message: "the server could not be reached"}, "")
	assert.NotNil(t, m.Rejoin, "a rejoin that fails can be tried again")

	m.Joining("room-1", "Ada")
	m.Joined()
	assert.Nil(t, m.Rejoin, "back in the call")
}

func TestLeavingOffersNoRejoin(t *testing.T) {
	var m Model
	m.Joining("room-1", "Ada")
	m.Joined()
	m.Disconnected("clientDisconnected")
	assert.Nil(t, m.Rejoin)
	assert.Empty(t, m.Banners)
}
