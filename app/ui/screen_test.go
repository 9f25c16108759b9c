package ui

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"e2eecall/app/ot"
)

func TestShareScreenOnlyWhereTheBrowserCan(t *testing.T) {
	var m Model
	assert.False(t, m.StartSharing(), "not before the check")
	m.ScreenSharingChecked(false)
	assert.Equal(t, ShareUnavailable, m.Sharing)
	assert.False(t, m.StartSharing(), "a phone cannot share")

	m.ScreenSharingChecked(true)
	assert.True(t, m.StartSharing())
	assert.False(t, m.StartSharing(), "one screen at a time")
	m.ScreenShared()
	assert.Equal(t, ShareOn, m.Sharing)
	m.ScreenSharingChecked(true)
	assert.Equal(t, ShareOn, m.Sharing, "checking again does not stop it")
	m.ScreenStopped()
	assert.Equal(t, ShareOff, m.Sharing)
	assert.True(t, m.StartSharing(), "and it can start again")
	m.Left()
	assert.Equal(t, ShareOff, m.Sharing, "leaving stops it")
}

func TestAScreenIsItsOwnTile(t *testing.T) {
	var m Model
	m.StreamCreated("cam", "Ada", true, true)
	m.ScreenCreated("scr", "Ada")
	assert.Len(t, m.Participants, 2)
	assert.False(t, m.Participants[0].Screen)
	assert.True(t, m.Participants[1].Screen)
	assert.Equal(t, "Ada", m.Participants[1].Name)
	m.Mismatch("scr")
	assert.Equal(t, StatusMismatch, m.Participants[1].Status, "a mismatch shows on it as on any stream")
	m.StreamDestroyed("scr")
	assert.Len(t, m.Participants, 1)
}

func TestChoosingNoScreenIsNotAnError(t *testing.T) {
	var m Model
	m.ScreenFailed(ot.Error{Name: "OT_USER_MEDIA_ACCESS_DENIED", Code: 1500, Message: "Permission denied"})
	assert.Empty(t, m.Banners)
	m.ScreenFailed(ot.Error{Name: "OT_STREAM_CREATE_FAILED", Code: 1500, Message: "a participant can publish at most 2 streams"})
	assert.Len(t, m.Banners, 1)
	assert.Contains(t, m.Banners[0].Title, "screen")
}
