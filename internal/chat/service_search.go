package chat

import (
	"context"
	"html"
	"strings"
	"time"
	"unicode"
)

// Search limits.
const (
	maxSearchTerms = 16
	snippetWords   = 24 // words around the first match
)

// SearchResult is one hit as the API shows it: Snippet is HTML, the
// matched words in <mark>…</mark> and everything else escaped.
type SearchResult struct {
	ConversationID string
	MessageID      string // "" for a title hit
	Title          string
	Snippet        string
	CreatedAt      time.Time
}

// searchTerms splits q into lower-cased words of letters and digits: what
// both engines' indexes hold. Everything else (quotes, *, -, operators such
// as NEAR or OR typed as words) is plain text or a separator, never syntax.
func searchTerms(q string) []string {
	seen := map[string]bool{}
	var terms []string
	for _, w := range strings.FieldsFunc(strings.ToLower(q), notWordRune) {
		if !seen[w] && len(terms) < maxSearchTerms {
			seen[w] = true
			terms = append(terms, w)
		}
	}
	return terms
}

func notWordRune(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }

// Search finds the user's messages and conversation titles that hold every
// word of q, newest first.
func (s *Service) Search(ctx context.Context, userID, q string, limit int, cursor string) ([]SearchResult, string, error) {
	terms := searchTerms(q)
	hits, next, err := s.o.Store.Search(ctx, userID, SearchParams{Terms: terms, Limit: limit, Cursor: cursor})
	if err != nil {
		return nil, "", err
	}
	out := make([]SearchResult, len(hits))
	for i, h := range hits {
		out[i] = SearchResult{ConversationID: h.ConversationID, MessageID: h.MessageID, Title: h.Title,
			Snippet: snippet(h.Body, terms), CreatedAt: h.CreatedAt}
	}
	return out, next, nil
}

type span struct{ start, end int }

// snippet is up to snippetWords words of body around its first matched
// word, HTML-escaped, each matched word in <mark>…</mark>, with "…" where
// text was cut.
func snippet(body string, terms []string) string {
	want := map[string]bool{}
	for _, t := range terms {
		want[t] = true
	}
	var words []span
	start := -1
	for i, r := range body + " " {
		switch {
		case !notWordRune(r) && start < 0:
			start = i
		case notWordRune(r) && start >= 0:
			words = append(words, span{start, i})
			start = -1
		}
	}
	first := 0
	for i, w := range words {
		if want[strings.ToLower(body[w.start:w.end])] {
			first = i
			break
		}
	}
	from := max(0, first-snippetWords/3)
	to := min(len(words), from+snippetWords)
	if len(words) == 0 {
		return html.EscapeString(body)
	}
	var b strings.Builder
	lo, hi := words[from].start, words[to-1].end
	if from == 0 {
		lo = 0
	} else {
		b.WriteString("…")
	}
	if to == len(words) {
		hi = len(body)
	}
	pos := lo
	for _, w := range words[from:to] {
		if !want[strings.ToLower(body[w.start:w.end])] {
			continue
		}
		b.WriteString(html.EscapeString(body[pos:w.start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(body[w.start:w.end]))
		b.WriteString("</mark>")
		pos = w.end
	}
	b.WriteString(html.EscapeString(body[pos:hi]))
	if hi < len(body) {
		b.WriteString("…")
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
