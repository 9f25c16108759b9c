package vonage

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// store keeps each room's Vonage session id across restarts, so that people
// who join a room after a restart meet the people already in it. It is a
// bbolt file: pure Go, one file, transactions, no server to run.
type store struct {
	db *bolt.DB
}

var roomsBucket = []byte("rooms")

func openStore(path string) (*store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("the session store's folder: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Second})
	if err != nil {
		return nil, fmt.Errorf("opening the session store %s: %w (is another server using it?)", path, err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(roomsBucket)
		return err
	}); err != nil {
		db.Close()
		return nil, err
	}
	return &store{db: db}, nil
}

func (s *store) get(room string) (string, error) {
	var id string
	err := s.db.View(func(tx *bolt.Tx) error {
		id = string(tx.Bucket(roomsBucket).Get([]byte(room)))
		return nil
	})
	return id, err
}

func (s *store) put(room, sessionID string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(roomsBucket).Put([]byte(room), []byte(sessionID))
	})
}

func (s *store) close() error { return s.db.Close() }
