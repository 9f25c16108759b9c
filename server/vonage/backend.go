package vonage

import (
	"context"
	"errors"
	"hash/fnv"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"e2eecall"
	"e2eecall/server/site"
)

// Backend hands out Vonage sessions and tokens.
type Backend struct {
	cfg    Config
	client *http.Client
	log    *slog.Logger
	store  *store

	roomLocks [64]sync.Mutex // one session creation at a time per room, rooms spread over a fixed set of locks
}

// New opens the store and returns the backend.
func New(cfg Config) (*Backend, error) {
	if cfg.APIKey == "" && cfg.ApplicationID == "" {
		return nil, errors.New("vonage: no credentials")
	}
	if cfg.StorePath == "" {
		cfg.StorePath = DefaultStorePath
	}
	if cfg.TokenTTL == 0 {
		cfg.TokenTTL = time.Hour
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = ProjectAPIURL
		if cfg.ApplicationID != "" {
			cfg.BaseURL = ApplicationAPIURL
		}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	st, err := openStore(cfg.StorePath)
	if err != nil {
		return nil, err
	}
	return &Backend{cfg: cfg, client: client, log: cfg.Logger, store: st}, nil
}

// Join returns the room's session (creating it once) and a token for name.
func (b *Backend) Join(ctx context.Context, room, name string) (e2eecall.Session, error) {
	sessionID, err := b.session(ctx, room)
	if err != nil {
		return e2eecall.Session{}, err
	}
	token, err := b.clientToken(sessionID, name, time.Now())
	if err != nil {
		return e2eecall.Session{}, err
	}
	apiKey := b.cfg.APIKey
	if b.cfg.ApplicationID != "" {
		apiKey = b.cfg.ApplicationID
	}
	return e2eecall.Session{Backend: site.BackendVonage, APIKey: apiKey, SessionID: sessionID, Token: token}, nil
}

// session is the room's session id, created on the first join.
func (b *Backend) session(ctx context.Context, room string) (string, error) {
	lock := b.roomLock(room)
	lock.Lock()
	defer lock.Unlock()
	if id, err := b.store.get(room); err != nil || id != "" {
		return id, err
	}
	id, err := b.createSession(ctx)
	if err != nil {
		return "", err
	}
	if err := b.store.put(room, id); err != nil {
		return "", err
	}
	b.log.Info("created a Vonage session", "room", room)
	return id, nil
}

// roomLock is the lock of room's session creation. A fixed set of locks
// keeps memory bounded however many room names clients make up.
func (b *Backend) roomLock(room string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(room))
	return &b.roomLocks[h.Sum32()%uint32(len(b.roomLocks))]
}

// Close closes the store.
func (b *Backend) Close() error { return b.store.close() }
