// Package ratelog keeps a flood of one kind of log line from filling the
// log: a client that gets itself refused a thousand times a second makes a
// few lines, and the next line that passes says how many were left out.
package ratelog

import (
	"context"
	"log/slog"
	"sync"

	"golang.org/x/time/rate"
)

// Handler passes each distinct message at most perSecond times a second
// (after a burst), to next. Messages are the constant strings of the code,
// so the number of buckets is bounded by the code, not by clients.
type Handler struct {
	next   slog.Handler
	shared *state
}

type state struct {
	perSecond rate.Limit
	burst     int
	mu        sync.Mutex
	buckets   map[string]*bucket
}

type bucket struct {
	limiter *rate.Limiter
	dropped int
}

// New wraps next.
func New(next slog.Handler, perSecond float64, burst int) *Handler {
	return &Handler{next: next, shared: &state{perSecond: rate.Limit(perSecond), burst: burst, buckets: map[string]*bucket{}}}
}

func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	s := h.shared
	s.mu.Lock()
	b := s.buckets[r.Message]
	if b == nil {
		b = &bucket{limiter: rate.NewLimiter(s.perSecond, s.burst)}
		s.buckets[r.Message] = b
	}
	if !b.limiter.Allow() {
		b.dropped++
		s.mu.Unlock()
		return nil
	}
	dropped := b.dropped
	b.dropped = 0
	s.mu.Unlock()
	if dropped > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("suppressed", dropped))
	}
	return h.next.Handle(ctx, r)
}

func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &Handler{next: h.next.WithAttrs(attrs), shared: h.shared}
}

func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), shared: h.shared}
}
