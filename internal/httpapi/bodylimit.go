package httpapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/parley-chat/parley/internal/errs"
)

// Request body caps a Route may carry in MaxBody. Each is lowered further
// to the server's MaxBodyBytes (PARLEY_MAX_BODY_BYTES), the ceiling of all.
const (
	// BodySmall fits credentials, profile changes, tokens and admin
	// changes; it is also the cap of a route that sets none.
	BodySmall int64 = 16 << 10
	// BodyMedium fits creating or renaming a conversation.
	BodyMedium int64 = 64 << 10
	// BodyMessage fits one chat message of the chat service's 32,000
	// characters even when a client \u-escapes every one (6 bytes each).
	BodyMessage int64 = 256 << 10
	// BodyMax is the server's MaxBodyBytes itself: OpenAI-style requests
	// carry whole histories and images.
	BodyMax int64 = -1
)

// BodyLimit is the largest body rt accepts on this server, in bytes.
func (s *Server) BodyLimit(rt Route) int64 {
	switch n := rt.MaxBody; {
	case n == 0:
		return min(BodySmall, s.d.MaxBodyBytes)
	case n < 0:
		return s.d.MaxBodyBytes
	default:
		return min(n, s.d.MaxBodyBytes)
	}
}

// limitBody caps r's body at n bytes: reading past the cap fails with
// *http.MaxBytesError, which the decoders answer with a 413 naming n. A
// body declared larger than n by its Content-Length fails on the first
// read, before a byte of it is taken in.
func limitBody(w http.ResponseWriter, r *http.Request, n int64) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	if r.ContentLength > n {
		r.Body = refusedBody{ReadCloser: r.Body, limit: n}
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, n)
}

// refusedBody is a body whose declared length is over its cap.
type refusedBody struct {
	io.ReadCloser
	limit int64
}

func (b refusedBody) Read([]byte) (int, error) { return 0, &http.MaxBytesError{Limit: b.limit} }

// tooLarge is the 413 for a body over limit bytes.
func tooLarge(limit int64) error {
	return errs.E(errs.TooLarge, "the request body is larger than this endpoint's limit of %d bytes (%s)", limit, humanBytes(limit))
}

// asTooLarge returns the 413 for err when err is a body over its cap.
func asTooLarge(err error) (error, bool) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(mbe.Limit), true
	}
	return nil, false
}

// humanBytes writes n in KiB or MiB when it is a whole number of them.
func humanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
