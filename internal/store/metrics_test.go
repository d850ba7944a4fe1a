package store

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

type fakePools struct {
	fallbacks uint64
}

func (fakePools) PoolStats() (int, int, int) { return 1, 2, 10 }

type fakeReplicaPools struct{ fakePools }

func (f fakeReplicaPools) ReplicaFallbacks() uint64 { return f.fallbacks }

// TestPoolCollectorReplicaFallbacks: the fallback counter appears only for a
// backend that has a read replica, with the count the backend reports.
func TestPoolCollectorReplicaFallbacks(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    PoolStatser
		want string
	}{
		{"no replica", fakePools{}, ""},
		{"replica", fakeReplicaPools{fakePools{fallbacks: 7}}, "parley_db_replica_fallbacks_total 7\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			reg := prometheus.NewPedanticRegistry()
			reg.MustRegister(NewPoolCollector(tc.s))
			n, err := testutil.GatherAndCount(reg, "parley_db_replica_fallbacks_total")
			if err != nil {
				t.Fatal(err)
			}
			if (n == 1) != (tc.want != "") {
				t.Fatalf("fallback series = %d, want present=%v", n, tc.want != "")
			}
			if tc.want != "" {
				exp := "# HELP parley_db_replica_fallbacks_total Lag-tolerant reads served by the primary because the read replica could not answer.\n# TYPE parley_db_replica_fallbacks_total counter\n" + tc.want
				if err := testutil.GatherAndCompare(reg, strings.NewReader(exp), "parley_db_replica_fallbacks_total"); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
