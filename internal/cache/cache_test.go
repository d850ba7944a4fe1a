package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parley-chat/parley/internal/platform/testenv"
	"github.com/parley-chat/parley/internal/platform/testkit"
)

// db is a stand-in for the database behind the cache: a versioned value.
type db struct {
	mu    sync.Mutex
	v     int
	loads atomic.Int64
}

func (d *db) load(context.Context) (int, error) {
	d.loads.Add(1)
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.v, nil
}

func (d *db) write(v int) { d.mu.Lock(); d.v = v; d.mu.Unlock() }

func mustGet(t *testing.T, c *Cache, d *db) int {
	t.Helper()
	v, err := GetOrLoad(context.Background(), c, "k", time.Minute, d.load)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestLocalReadThroughAndInvalidate(t *testing.T) {
	clk := testkit.NewClock(time.Unix(1_700_000_000, 0))
	c, err := New(context.Background(), Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	d := &db{v: 1}
	for range 3 {
		if v := mustGet(t, c, d); v != 1 {
			t.Fatalf("got %d", v)
		}
	}
	if n := d.loads.Load(); n != 1 {
		t.Fatalf("%d loads for 3 reads, want 1", n)
	}
	d.write(2)
	if err := c.Invalidate(context.Background(), "k"); err != nil {
		t.Fatal(err)
	}
	if v := mustGet(t, c, d); v != 2 {
		t.Fatalf("after invalidate got %d, want 2", v)
	}
	d.write(3) // a write nobody invalidated: served until the TTL ends
	if v := mustGet(t, c, d); v != 2 {
		t.Fatalf("got %d before expiry", v)
	}
	clk.Advance(time.Minute)
	if v := mustGet(t, c, d); v != 3 {
		t.Fatalf("after TTL got %d, want 3", v)
	}
}

func TestLoadErrorsAreNotCached(t *testing.T) {
	c, _ := New(context.Background(), Options{})
	boom := errors.New("boom")
	calls := 0
	for range 2 {
		_, err := GetOrLoad(context.Background(), c, "k", time.Minute, func(context.Context) (int, error) { calls++; return 0, boom })
		if !errors.Is(err, boom) {
			t.Fatalf("err = %v", err)
		}
	}
	if calls != 2 {
		t.Fatalf("%d loads, want 2 (errors not cached)", calls)
	}
}

func TestLocalBounded(t *testing.T) {
	c, _ := New(context.Background(), Options{MaxEntries: 3})
	for i := range 10 {
		_, _ = GetOrLoad(context.Background(), c, fmt.Sprint(i), time.Minute, func(context.Context) (int, error) { return i, nil })
	}
	if n := c.LocalLen(); n != 3 {
		t.Fatalf("%d local entries, want 3", n)
	}
}

// slowLoad returns a loader that reads d, then waits for release before
// returning: the read value may be stale by then.
func slowLoad(d *db, loaded, release chan struct{}) func(context.Context) (int, error) {
	return func(ctx context.Context) (int, error) {
		v, _ := d.load(ctx)
		close(loaded)
		<-release
		return v, nil
	}
}

func TestSlowLoaderDoesNotStoreStaleValue(t *testing.T) {
	for _, withRedis := range []bool{false, true} {
		t.Run(fmt.Sprintf("redis=%v", withRedis), func(t *testing.T) {
			reader, writer := pair(t, withRedis)
			d := &db{v: 1}
			loaded, release := make(chan struct{}), make(chan struct{})
			got := make(chan int)
			go func() {
				v, _ := GetOrLoad(context.Background(), reader, "k", time.Minute, slowLoad(d, loaded, release))
				got <- v
			}()
			<-loaded // the reader holds version 1
			d.write(2)
			if err := writer.Invalidate(context.Background(), "k"); err != nil {
				t.Fatal(err)
			}
			close(release)
			if v := <-got; v != 1 {
				t.Fatalf("slow reader got %d", v)
			}
			// The stale 1 must not have been cached anywhere.
			for name, c := range map[string]*Cache{"reader": reader, "writer": writer} {
				if v := mustGet(t, c, d); v != 2 {
					t.Errorf("%s serves %d after the write was invalidated", name, v)
				}
			}
		})
	}
}

// pair returns two caches: two replicas on one Redis, or one in-process
// cache twice.
func pair(t *testing.T, withRedis bool) (*Cache, *Cache) {
	t.Helper()
	if !withRedis {
		c, _ := New(context.Background(), Options{})
		return c, c
	}
	rdb, prefix := testenv.Redis(t)
	mk := func() *Cache {
		c, err := New(context.Background(), Options{Redis: rdb, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = c.Close() })
		return c
	}
	return mk(), mk()
}

// TestReplicasNeverServeStaleAfterAck writes through replica A while
// replica B is read continuously: once A's Invalidate returned, no read on B
// that starts afterwards returns an older version.
func TestReplicasNeverServeStaleAfterAck(t *testing.T) {
	a, b := pair(t, true)
	d := &db{v: 0}
	var acked atomic.Int64 // highest version whose invalidation was acknowledged
	stop := make(chan struct{})
	var stale atomic.Int64
	var reads atomic.Int64
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				floor := acked.Load()
				v, err := GetOrLoad(context.Background(), b, "k", time.Minute, d.load)
				if err != nil {
					t.Error(err)
					return
				}
				reads.Add(1)
				if int64(v) < floor {
					stale.Add(1)
				}
			}
		}()
	}
	const writes = 200
	for i := 1; i <= writes; i++ {
		d.write(i)
		if err := a.Invalidate(context.Background(), "k"); err != nil {
			t.Fatal(err)
		}
		acked.Store(int64(i))
		// A read on B right after the acknowledgement sees the write.
		if v := mustGet(t, b, d); v != i {
			t.Fatalf("write %d: replica B served %d after acknowledgement", i, v)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d acknowledged writes on replica A, %d concurrent reads on replica B, %d stale, %d database loads",
		writes, reads.Load(), stale.Load(), d.loads.Load())
	if stale.Load() != 0 {
		t.Fatalf("%d stale reads after acknowledgement", stale.Load())
	}
	if d.loads.Load() >= reads.Load() {
		t.Errorf("cache never hit: %d loads for %d reads", d.loads.Load(), reads.Load())
	}
}

func TestReplicaSharesValuesThroughRedis(t *testing.T) {
	a, b := pair(t, true)
	d := &db{v: 7}
	if v := mustGet(t, a, d); v != 7 {
		t.Fatal(v)
	}
	if v := mustGet(t, b, d); v != 7 {
		t.Fatal(v)
	}
	if n := d.loads.Load(); n != 1 {
		t.Fatalf("%d database loads for two replicas, want 1 (the second reads Redis)", n)
	}
}

func TestRedisDownFallsBackToLoad(t *testing.T) {
	rdb, prefix := testenv.Redis(t)
	c, err := New(context.Background(), Options{Redis: rdb, Prefix: prefix})
	if err != nil {
		t.Fatal(err)
	}
	_ = c.Close()
	d := &db{v: 3}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // every Redis call fails; the loader ignores ctx
	v, err := GetOrLoad(ctx, c, "k", time.Minute, d.load)
	if err != nil || v != 3 {
		t.Fatalf("got %d, %v", v, err)
	}
}
