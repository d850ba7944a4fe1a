package postgres

import "time"

// SetReplicaClock replaces the clock that times the replica's retry after a
// failure, so a test can pass replicaRetryAfter without waiting.
func SetReplicaClock(s *Store, now func() time.Time) { s.r.now = now }

// ReplicaRetryAfter is replicaRetryAfter, for tests.
const ReplicaRetryAfter = replicaRetryAfter
