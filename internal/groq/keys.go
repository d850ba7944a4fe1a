package groq

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/parley-chat/parley/internal/errs"
)

// Fingerprint is how a Groq key appears in logs, metrics and the admin view:
// "fp_" and the first 8 hex digits of its SHA-256.
func Fingerprint(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "fp_" + hex.EncodeToString(sum[:4])
}

// KeyConfig is one configured key and the org it was declared in (if any).
type KeyConfig struct {
	Key string
	Org string
}

// ParseKeys reads PARLEY_GROQ_API_KEYS entries ("gsk_…" or "gsk_…@org_…").
// Blank entries are skipped; duplicates are an error. Errors name entries by
// position and fingerprint, never by key.
func ParseKeys(entries []string) ([]KeyConfig, error) {
	var out []KeyConfig
	seen := map[string]bool{}
	for i, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		key, org, hasOrg := strings.Cut(e, "@")
		key, org = strings.TrimSpace(key), strings.TrimSpace(org)
		switch {
		case !strings.HasPrefix(key, "gsk_") || len(key) < 8 || strings.ContainsAny(key, " \t\r\n"):
			return nil, errs.E(errs.Invalid, "Groq key entry %d: want gsk_… or gsk_…@org_…", i+1)
		case hasOrg && (!strings.HasPrefix(org, "org_") || len(org) < 5 || strings.ContainsAny(org, " \t\r\n`")):
			return nil, errs.E(errs.Invalid, "Groq key entry %d (%s): org must look like org_…", i+1, Fingerprint(key))
		case seen[key]:
			return nil, errs.E(errs.Invalid, "Groq key entry %d (%s) is listed twice", i+1, Fingerprint(key))
		}
		seen[key] = true
		out = append(out, KeyConfig{Key: key, Org: org})
	}
	return out, nil
}

// provisionalOrg names the budget of a key whose org is not known yet.
func provisionalOrg(fp string) string { return fmt.Sprintf("unknown:%s", fp) }
