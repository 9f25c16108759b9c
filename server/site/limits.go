package site

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"e2eecall/server/clientaddr"
)

// Timeouts for slow clients, per kind of route. A request body must arrive
// within bodyTimeout; an API answer must be taken within apiWriteTimeout; a
// file (the wasm is the largest, about 3 MB compressed) within
// fileWriteTimeout, which a link of 250 kbit/s still meets. The WebSocket
// gets none: its own pings notice a client that is gone.
const (
	bodyTimeout      = 10 * time.Second
	apiWriteTimeout  = 10 * time.Second
	fileWriteTimeout = 2 * time.Minute
)

// deadlines bounds how long a request may take to send its body and to read
// the answer, so that slow clients cannot hold connections.
func deadlines(read, write time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rc := http.NewResponseController(w)
			now := time.Now()
			_ = rc.SetReadDeadline(now.Add(read)) // fails only for writers that cannot, such as test recorders
			_ = rc.SetWriteDeadline(now.Add(write))
			next.ServeHTTP(w, r)
		})
	}
}

// Sessions one client address may ask for: a burst of sessionBurst, then
// perMinute a minute. Tokens are free, so without a limit one machine could
// mint and hold every room. At most maxTrackedAddresses are remembered.
const (
	sessionBurst        = 60
	maxTrackedAddresses = 10_000
)

// perAddress limits requests by client address (an IPv6 client's /64).
type perAddress struct {
	perMinute int
	mu        sync.Mutex
	limiters  map[string]*rate.Limiter
}

func newPerAddress(perMinute int) *perAddress {
	return &perAddress{perMinute: perMinute, limiters: map[string]*rate.Limiter{}}
}

func (l *perAddress) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim := l.limiters[addr]
	if lim == nil {
		if len(l.limiters) >= maxTrackedAddresses {
			l.forgetFull()
		}
		lim = rate.NewLimiter(rate.Limit(float64(l.perMinute)/60), sessionBurst)
		l.limiters[addr] = lim
	}
	return lim.Allow()
}

// forgetFull drops the limiters that have refilled (they are as good as
// new), or all of them if none has: memory stays bounded either way.
func (l *perAddress) forgetFull() {
	for addr, lim := range l.limiters {
		if lim.Tokens() >= sessionBurst {
			delete(l.limiters, addr)
		}
	}
	if len(l.limiters) >= maxTrackedAddresses {
		clear(l.limiters)
	}
}

// limitSessions refuses a client address that asks for sessions faster than
// the limit, with 429 and Retry-After.
func limitSessions(l *perAddress) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if l.perMinute > 0 && !l.allow(clientaddr.Key(r.RemoteAddr)) {
				w.Header().Set("Retry-After", fmt.Sprint(60/l.perMinute+1))
				encodeError(w, http.StatusTooManyRequests, "too many joins from your network address; wait a minute, then join again", nil)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// sameOriginOnly refuses requests that other sites' pages make (Go's
// CrossOriginProtection, from Sec-Fetch-Site or Origin), with a JSON error.
func sameOriginOnly() func(http.Handler) http.Handler {
	c := http.NewCrossOriginProtection()
	c.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		encodeError(w, http.StatusForbidden, "sessions are handed out to this site's own pages only", nil)
	}))
	return c.Handler
}
