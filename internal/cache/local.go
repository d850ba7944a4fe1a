package cache

import (
	"container/list"
	"time"
)

// lru is a bounded map with per-entry expiry; least recently used entries
// go first when it is full. Not safe for concurrent use: Cache locks it.
type lru struct {
	max   int
	ll    *list.List
	items map[string]*list.Element
}

type lruEntry struct {
	key     string
	val     []byte
	expires time.Time
}

func newLRU(max int) *lru {
	return &lru{max: max, ll: list.New(), items: make(map[string]*list.Element)}
}

func (l *lru) get(key string, now time.Time) ([]byte, bool) {
	el, ok := l.items[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*lruEntry)
	if !now.Before(e.expires) {
		l.ll.Remove(el)
		delete(l.items, key)
		return nil, false
	}
	l.ll.MoveToFront(el)
	return e.val, true
}

func (l *lru) set(key string, val []byte, expires time.Time) {
	if el, ok := l.items[key]; ok {
		e := el.Value.(*lruEntry)
		e.val, e.expires = val, expires
		l.ll.MoveToFront(el)
		return
	}
	l.items[key] = l.ll.PushFront(&lruEntry{key: key, val: val, expires: expires})
	for l.ll.Len() > l.max {
		last := l.ll.Back()
		l.ll.Remove(last)
		delete(l.items, last.Value.(*lruEntry).key)
	}
}

func (l *lru) del(key string) {
	if el, ok := l.items[key]; ok {
		l.ll.Remove(el)
		delete(l.items, key)
	}
}

func (l *lru) clear() {
	l.ll.Init()
	clear(l.items)
}

func (l *lru) len() int { return l.ll.Len() }
