package sqlkit

import (
	"strings"

	"github.com/parley-chat/parley/internal/audit"
)

// Sanitize makes s storable by both engines without rejecting it: NUL bytes
// and invalid UTF-8 become U+FFFD. The audit log uses it, since losing an
// entry over a strange User-Agent would be worse than altering it.
func Sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.ReplaceAll(s, "\x00", "\uFFFD")
}

// SanitizeEntry sanitises every text field of an audit entry and gives it
// a time (now when zero) in the stores' precision.
func SanitizeEntry(e audit.Entry) audit.Entry {
	for _, p := range []*string{&e.UserID, &e.Action, &e.Method, &e.Route, &e.ClientIP, &e.UserAgent,
		&e.RequestID, &e.Target, &e.Detail} {
		*p = Sanitize(*p)
	}
	e.At = TimeOrNow(e.At)
	return e
}
