//go:build js && wasm

package ot

import "github.com/hack-pad/safejs"

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

// On registers the handlers of events with publisher.on; Destroy releases them.
func (p *Publisher) On(events PublisherEvents) error {
	if h := events.StreamDestroyed; h != nil {
		f, err := addHandler(p.v, "streamDestroyed", func(ev safejs.Value) { h(str(ev, "reason")) })
		if err != nil {
			return err
		}
		p.handlers = append(p.handlers, handler{event: "streamDestroyed", fn: f})
	}
	return nil
}
