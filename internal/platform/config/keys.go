package config

import "strings"

// keyList is a Config field holding Groq key entries: it is split by
// SplitKeys rather than on commas only.
type keyList []string

// SplitKeys splits a list of Groq key entries as PARLEY_GROQ_API_KEYS or its
// file gives it: entries are separated by commas, semicolons, spaces or line
// breaks, and a `#` starts a comment that runs to the end of its line (keys
// and org ids never contain one).
func SplitKeys(raw string) []string {
	var out []string
	for _, line := range strings.Split(raw, "\n") {
		line, _, _ = strings.Cut(line, "#")
		out = append(out, strings.FieldsFunc(line, func(r rune) bool {
			return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\r' || r == '\v' || r == '\f'
		})...)
	}
	return out
}

// GroqKeys reads the Groq key entries alone, as Load does (from
// PARLEY_GROQ_API_KEYS or the file PARLEY_GROQ_API_KEYS_FILE names). serve
// calls it again to reload the keys; their grammar (gsk_…[@org_…]) is the
// key pool's, checked by groq.ParseKeys.
func GroqKeys(lookup Lookup) ([]string, error) {
	for _, v := range Vars {
		if v.Name != groqKeysVar {
			continue
		}
		raw, err := rawValue(v, lookup)
		if err != nil {
			return nil, Problems{err.Error()}
		}
		return SplitKeys(raw), nil
	}
	panic("config: " + groqKeysVar + " is not declared")
}

// groqKeysVar names the Groq keys variable; its _FILE variant may be watched
// for changes.
const groqKeysVar = "PARLEY_GROQ_API_KEYS"

// GroqKeysFile is the path PARLEY_GROQ_API_KEYS_FILE names, or "".
func GroqKeysFile(lookup Lookup) string {
	p, _ := lookup(groqKeysVar + "_FILE")
	return strings.TrimSpace(p)
}
