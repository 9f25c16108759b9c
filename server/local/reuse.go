package local

// reusable keeps transceivers that a publication or subscription used, for
// a later one: the session description does not grow as people come and
// go. One is reused only once the client has answered an offer without it,
// so that the client sees it stop before it starts again (for a
// publication's, pion has by then replaced its receivers; for a
// subscription's, the browser fires a new track event). The caller holds
// the peer's lock.
type reusable[T any] struct {
	released []T // no longer used; the next offer leaves them out
	offered  []T // the offer that is out leaves them out
	free     []T // the client has answered without them: take them
}

func (r *reusable[T]) release(t T) { r.released = append(r.released, t) }

// offering is called as an offer is made.
func (r *reusable[T]) offering() {
	r.offered = append(r.offered, r.released...)
	r.released = nil
}

// answered is called as the offer is answered.
func (r *reusable[T]) answered() {
	r.free = append(r.free, r.offered...)
	r.offered = nil
}

// take returns a free one that fits, if there is one.
func (r *reusable[T]) take(fits func(T) bool) (T, bool) {
	for i, t := range r.free {
		if fits(t) {
			r.free = append(r.free[:i], r.free[i+1:]...)
			return t, true
		}
	}
	var none T
	return none, false
}
