package ratelimit

import (
	"context"
	"sync"
	"time"
)

// Memory is a GCRA Limiter for one process.
type Memory struct {
	now func() time.Time

	mu    sync.Mutex
	tats  map[string]int64
	calls int
}

// NewMemory returns an in-process limiter; now may be nil (time.Now).
func NewMemory(now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{now: now, tats: make(map[string]int64)}
}

// Allow implements Limiter.
func (m *Memory) Allow(_ context.Context, key string, l Limit) (Result, error) {
	if err := l.Validate(); err != nil {
		return Result{}, err
	}
	now := m.now().UnixNano()
	m.mu.Lock()
	defer m.mu.Unlock()
	tat, res := gcra(now, m.tats[key], l)
	m.tats[key] = tat
	m.calls++
	if m.calls%1024 == 0 {
		m.sweep(now)
	}
	return res, nil
}

// sweep forgets keys whose bucket is full again, so memory stays bounded.
func (m *Memory) sweep(now int64) {
	for k, tat := range m.tats {
		if tat <= now {
			delete(m.tats, k)
		}
	}
}

var _ Limiter = (*Memory)(nil)
