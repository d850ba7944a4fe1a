// Package groq is parley's Groq client: an HTTP client for the
// OpenAI-compatible API, an SSE reader, and the org- and model-aware key pool
// that implements chat.Completer.
//
// Groq limits are per organization and per model, so keys of one org share
// one budget and rotating among them adds no capacity. The Pool therefore
// groups keys by org (declared as gsk_…@org_…, or learned from the org named
// in a 429/413 message) and accounts each (org, model) budget in a
// limit.Ledger: header truths (RPD and TPM remaining, refilling continuously),
// 429 cooldowns until Groq's exact reset, the RPM learned from a 429, and
// in-flight reservations of EstimatedTokens. A request reserves room in one
// org before it is sent (atomically, in Redis when replicas share a ledger),
// prefers the org its conversation used last, else the org with the most
// room, and rotates over that org's keys. A 429 cools the budget and the
// request fails over to another org before any byte reaches the caller; when
// every org is cooling it waits up to QueueTimeout for the soonest reset
// (woken early when room frees up), then returns errs.RateLimited with the
// true Retry-After. 401, 403 and organization_restricted take a key out of
// rotation for DeadKeyTTL (then it is tried once more; a reload that re-adds
// a removed key brings it back at once); 5xx, timeouts, dropped connections and garbage are retried on
// another key with jittered backoff; 400, 404 and 413 are the caller's.
package groq
