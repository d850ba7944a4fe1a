package groqmock

import (
	"encoding/hex"
	"hash/fnv"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
)

// CountTokens is the double's tokenizer: one token per started group of four
// Unicode code points ("" is 0 tokens, "hello" is 2). Streamed answers are cut
// along the same groups, so a reply of n tokens arrives in n content chunks.
func CountTokens(s string) int {
	return (utf8.RuneCountInString(s) + 3) / 4
}

// messageOverhead is the tokens charged per message on top of its text, like
// the role markers of a real chat template.
const messageOverhead = 4

// Reply is the deterministic answer to a conversation whose last user message is prompt.
func Reply(prompt string) string {
	p := strings.Join(strings.Fields(prompt), " ")
	if p == "" {
		return "groqmock heard nothing. Send a message and it answers deterministically."
	}
	return "groqmock heard: " + p + ". This deterministic answer lets clients check what they stream."
}

// firstTokens returns the first n tokens of s (in CountTokens' sense) and
// whether s was cut.
func firstTokens(s string, n int) (string, bool) {
	runes := 0
	for i := range s {
		if runes == 4*n {
			return s[:i], true
		}
		runes++
	}
	return s, false
}

// splitTokens cuts s into its tokens: groups of four code points.
func splitTokens(s string) []string {
	out := make([]string, 0, CountTokens(s))
	start, runes := 0, 0
	for i := range s {
		if runes == 4 {
			out = append(out, s[start:i])
			start, runes = i, 0
		}
		runes++
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// chatID returns "chatcmpl-" plus a random UUID (cheap, not cryptographic).
func chatID() string {
	var u uuid.UUID
	for i := 0; i < 16; i += 8 {
		x := rand.Uint64()
		for j := range 8 {
			u[i+j] = byte(x >> (8 * j))
		}
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return "chatcmpl-" + u.String()
}

const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// requestID returns "req_" plus a lowercase ULID: 48-bit milliseconds, 80 random bits.
func requestID(now time.Time) string {
	var b [30]byte
	copy(b[:], "req_")
	ms := uint64(now.UnixMilli())
	for i := 9; i >= 0; i-- {
		b[4+i] = crockford[ms&31]
		ms >>= 5
	}
	r1, r2 := rand.Uint64(), rand.Uint64()
	for i := 0; i < 16; i++ {
		var v uint64
		if i < 12 {
			v = r1 >> (5 * i)
		} else {
			v = r2 >> (5 * (i - 12))
		}
		b[14+i] = crockford[v&31]
	}
	return string(b[:])
}

// toolCallID returns a nine-character id like Groq's ("ax9fskhev").
func toolCallID() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [9]byte
	x := rand.Uint64()
	for i := range b {
		b[i] = alphabet[x%36]
		x /= 36
	}
	return string(b[:])
}

// fingerprint returns a stable "fp_" + 10 hex system fingerprint for a model.
func fingerprint(model string) string {
	h := fnv.New64a()
	h.Write([]byte(model))
	sum := h.Sum(nil)
	return "fp_" + hex.EncodeToString(sum)[:10]
}
