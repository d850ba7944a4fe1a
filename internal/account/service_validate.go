package account

import (
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on user-supplied account fields.
const (
	MaxEmailBytes = 254
	MaxNameChars  = 100
)

// NormalizeEmail trims and lower-cases an address and checks it is a plain
// addr-spec (no display name); it returns a field message when it is not.
func NormalizeEmail(raw string) (string, string) {
	e := strings.ToLower(strings.TrimSpace(raw))
	switch {
	case e == "":
		return "", "is required"
	case len(e) > MaxEmailBytes:
		return "", "is too long"
	case hasControl(e) || strings.ContainsAny(e, " <>\"(),;:\\[]"):
		return "", "is not a valid email address"
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e || addr.Name != "" {
		return "", "is not a valid email address"
	}
	at := strings.LastIndexByte(e, '@')
	if at < 1 || !strings.Contains(e[at+1:], ".") || strings.HasSuffix(e, ".") {
		return "", "is not a valid email address"
	}
	return e, ""
}

// NormalizeName trims a display name and checks its length and characters;
// it returns a field message when it is unacceptable.
func NormalizeName(raw string) (string, string) {
	n := strings.TrimSpace(raw)
	switch {
	case !utf8.ValidString(n) || hasControl(n):
		return "", "must not contain control characters"
	case utf8.RuneCountInString(n) > MaxNameChars:
		return "", "must be at most 100 characters"
	}
	return n, ""
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError })
}
