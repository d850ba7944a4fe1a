package groqmock

import "sync/atomic"

// Counters are the tallies of one key or one organisation, over every endpoint.
type Counters struct {
	// Requests counts authenticated requests to chat, responses and audio.
	Requests int64
	// Completed counts answers sent with status 200 (faults excluded).
	Completed int64
	// RateLimited counts 429 answers.
	RateLimited int64
	// TooLarge counts 413 answers.
	TooLarge int64
	// Rejected counts other refusals (400, 404, 498).
	Rejected int64
	// Faulted counts requests hit by an injected fault.
	Faulted int64
	// PromptTokens and CompletionTokens sum the usage of completed answers
	// (speech: the characters spoken count as prompt tokens).
	PromptTokens, CompletionTokens int64
	// AudioSeconds sums the billed seconds of transcriptions and translations.
	AudioSeconds float64
}

// Stats is a snapshot of the Server's tallies, for test assertions.
type Stats struct {
	Keys map[string]Counters
	Orgs map[string]Counters
	// Unauthorized counts 401 answers (unknown, missing or revoked keys).
	Unauthorized int64
}

type counters struct {
	requests, completed, rateLimited, tooLarge, rejected, faulted, prompt, completion, audioMillis atomic.Int64
}

func (c *counters) snapshot() Counters {
	return Counters{
		Requests: c.requests.Load(), Completed: c.completed.Load(), RateLimited: c.rateLimited.Load(),
		TooLarge: c.tooLarge.Load(), Rejected: c.rejected.Load(), Faulted: c.faulted.Load(),
		PromptTokens: c.prompt.Load(), CompletionTokens: c.completion.Load(),
		AudioSeconds: float64(c.audioMillis.Load()) / 1000,
	}
}

// count applies f to the key's and its organisation's counters.
func (k *keyState) count(f func(*counters)) {
	f(&k.stats)
	f(&k.org.stats)
}

// Stats returns the current tallies per key and per organisation.
func (s *Server) Stats() Stats {
	st := Stats{Keys: map[string]Counters{}, Orgs: map[string]Counters{}, Unauthorized: s.unauthorized.Load()}
	for k, ks := range *s.keys.Load() {
		st.Keys[k] = ks.stats.snapshot()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for id, o := range s.orgs {
		st.Orgs[id] = o.stats.snapshot()
	}
	return st
}
