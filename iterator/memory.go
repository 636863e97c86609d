package iterator

import (
	"bytes"
	"context"
	"sync"
	"time"
)

// MemoryStore is a [Store] in memory, for tests and local runs. It keeps the
// same conditions as [DynamoDBStore] (leases, versions, completed keys) but
// has no size limit. The zero value is not usable; call [NewMemoryStore]. It
// is safe for concurrent use.
type MemoryStore struct {
	mu    sync.Mutex
	items map[string]*memoryItem
}

type memoryItem struct {
	cp    Checkpoint
	owner string
	until time.Time
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{items: make(map[string]*memoryItem)}
}

// Claim implements [Store].
func (s *MemoryStore) Claim(ctx context.Context, key string, lease Lease) (Checkpoint, error) {
	if err := ctx.Err(); err != nil {
		return Checkpoint{}, &StoreError{Op: "claim", Key: key, Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok {
		it = &memoryItem{cp: Checkpoint{Key: key}}
		s.items[key] = it
	}
	if it.cp.Completed {
		return cloneCheckpoint(it.cp), nil
	}
	if it.owner != "" && it.until.After(lease.Now) {
		return Checkpoint{}, &ConflictError{Key: key, Holder: it.owner, Until: it.until}
	}
	it.owner, it.until = lease.Owner, lease.Until
	it.cp.Invocations++
	it.cp.ExecutionInvocations++
	return cloneCheckpoint(it.cp), nil
}

// Save implements [Store].
func (s *MemoryStore) Save(ctx context.Context, cp Checkpoint, owner string) error {
	if err := ctx.Err(); err != nil {
		return &StoreError{Op: "save", Key: cp.Key, Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[cp.Key]
	if !ok || it.owner != owner || it.cp.Version != cp.Version {
		c := &ConflictError{Key: cp.Key}
		if ok {
			c.Holder, c.Until = it.owner, it.until
		}
		return c
	}
	it.cp = cloneCheckpoint(cp)
	it.cp.Version++
	it.owner, it.until = "", time.Time{}
	return nil
}

// Release implements [Store].
func (s *MemoryStore) Release(ctx context.Context, key, owner string) error {
	if err := ctx.Err(); err != nil {
		return &StoreError{Op: "release", Key: key, Err: err}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if it, ok := s.items[key]; ok && it.owner == owner {
		it.owner, it.until = "", time.Time{}
	}
	return nil
}

// Load returns the checkpoint for key as stored, and whether there is one.
// It takes no lease; it is meant for tests and inspection.
func (s *MemoryStore) Load(key string) (Checkpoint, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[key]
	if !ok {
		return Checkpoint{}, false
	}
	return cloneCheckpoint(it.cp), true
}

// Put stores cp as the checkpoint for its key, without a lease, replacing
// any other. It is meant for tests that start from a given checkpoint, such
// as one that does not decode.
func (s *MemoryStore) Put(cp Checkpoint) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[cp.Key] = &memoryItem{cp: cloneCheckpoint(cp)}
}

// cloneCheckpoint copies the state bytes so that neither the caller nor the
// store can change the other's copy.
func cloneCheckpoint(cp Checkpoint) Checkpoint {
	if cp.State != nil {
		cp.State = bytes.Clone(cp.State)
	}
	return cp
}
