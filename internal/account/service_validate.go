package account

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Limits on user-supplied account fields.
const (
	MaxEmailBytes = 254
	MaxNameChars  = 100
)

// NormalizeEmail maps an address to its canonical form and checks it is a
// plain addr-spec (no display name); it returns a field message when it is
// not. The canonical form is NFKC, lower-cased, NFKC again, so full-width,
// compatibility and upper-case spellings of one address are one account.
// Lower-casing rather than full case folding keeps the form emails were
// always stored in (strings.ToLower) and keeps apart addresses that do not
// look alike (folding would make "ß" "ss"). Addresses that could display
// like another one are refused rather than mapped: invisible or format
// characters (category Cf, variation selectors, other default-ignorables),
// labels that mix scripts beyond what UTS #39 "highly restrictive" allows
// (Cyrillic 'а' in a Latin word), and non-Latin labels written only with
// letters that look Latin (a whole-script confusable such as Cyrillic "аре").
func NormalizeEmail(raw string) (string, string) {
	e := strings.TrimSpace(raw)
	if !utf8.ValidString(e) {
		return "", "is not a valid email address"
	}
	if r, ok := invisible(e); ok {
		return "", fmt.Sprintf("must not contain invisible or formatting characters (U+%04X)", r)
	}
	e = norm.NFKC.String(strings.ToLower(norm.NFKC.String(e)))
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
	for _, label := range append([]string{e[:at]}, strings.Split(e[at+1:], ".")...) {
		if msg := confusable(label); msg != "" {
			return "", msg
		}
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
	if r, ok := BidiControl(n); ok {
		return "", fmt.Sprintf("must not contain bidirectional control characters (U+%04X)", r)
	}
	return n, ""
}

// BidiControl returns the first bidirectional embedding, override or
// isolate character of s (U+202A–U+202E, U+2066–U+2069): they reorder the
// text around them, so a name or title could display as something else
// ("Trojan Source"). The marks LRM, RLM and ALM only nudge neutral
// characters and stay allowed: right-to-left text needs them.
func BidiControl(s string) (rune, bool) {
	for _, r := range s {
		if (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) {
			return r, true
		}
	}
	return 0, false
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || r == utf8.RuneError })
}

// invisible returns the first character of s that displays as nothing.
func invisible(s string) (rune, bool) {
	for _, r := range s {
		if unicode.Is(unicode.Cf, r) || unicode.Is(unicode.Variation_Selector, r) ||
			unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) {
			return r, true
		}
	}
	return 0, false
}

// Script sets UTS #39 "highly restrictive" admits in one label besides a
// single script.
var cjkSets = [][]*unicode.RangeTable{
	{unicode.Latin, unicode.Han, unicode.Hiragana, unicode.Katakana},
	{unicode.Latin, unicode.Han, unicode.Bopomofo},
	{unicode.Latin, unicode.Han, unicode.Hangul},
}

// confusable returns a field message when label mixes scripts or is a
// non-Latin word made only of letters that look Latin.
func confusable(label string) string {
	scripts := map[string]*unicode.RangeTable{}
	lookalikes, letters := 0, 0
	for _, r := range label {
		if !unicode.IsLetter(r) && !unicode.IsMark(r) {
			continue
		}
		name, tab := scriptOf(r)
		if name == "" {
			continue
		}
		scripts[name] = tab
		if unicode.IsLetter(r) {
			letters++
			if strings.ContainsRune(latinLookalikes, r) {
				lookalikes++
			}
		}
	}
	if len(scripts) > 1 && !allowedMix(scripts) {
		return "mixes letters of different scripts (" + scriptNames(scripts) + ") that can look alike"
	}
	if _, latin := scripts["Latin"]; !latin && letters > 0 && lookalikes == letters {
		return "is written in " + scriptNames(scripts) + " letters that look like Latin ones"
	}
	return ""
}

func scriptOf(r rune) (string, *unicode.RangeTable) {
	if r < utf8.RuneSelf {
		return "Latin", unicode.Latin
	}
	for name, tab := range unicode.Scripts {
		if name != "Common" && name != "Inherited" && unicode.Is(tab, r) {
			return name, tab
		}
	}
	return "", nil
}

func allowedMix(scripts map[string]*unicode.RangeTable) bool {
	for _, set := range cjkSets {
		n := 0
		for _, tab := range set {
			for _, t := range scripts {
				if t == tab {
					n++
				}
			}
		}
		if n == len(scripts) {
			return true
		}
	}
	return false
}

func scriptNames(scripts map[string]*unicode.RangeTable) string {
	names := make([]string, 0, len(scripts))
	for n := range scripts {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, " and ")
}

// latinLookalikes are lower-case (case-folded) Cyrillic, Greek and Armenian
// letters that display like a Latin letter (from Unicode's confusables.txt).
const latinLookalikes = "аеорсухіјѕԁһӏԛԝкѵ" + // Cyrillic
	"αεικνορτυχηωϲϳ" + // Greek
	"օսհոցզ" // Armenian
