//go:build js && wasm

package ot

// CheckScreenSharingCapability is OT.checkScreenSharingCapability(): whether
// this browser can share a screen (not on phones).
func CheckScreenSharingCapability() (bool, error) {
	ot, err := otGlobal()
	if err != nil {
		return false, err
	}
	p, err := ot.Call("checkScreenSharingCapability")
	if err != nil {
		return false, jsError(err)
	}
	response, err := await(p)
	if err != nil {
		return false, err
	}
	return boolean(response, "supported"), nil
}
