// Package config reads parley's configuration from environment variables
// declared in one table (Vars), with NAME_FILE variants for every secret.
package config

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Lookup reads one environment variable; os.LookupEnv is the real one.
type Lookup func(name string) (string, bool)

// Problems is every configuration problem found at once.
type Problems []string

// Error lists every problem, one per line.
func (p Problems) Error() string {
	return "invalid configuration:\n  - " + strings.Join(p, "\n  - ")
}

// FromEnv loads the configuration from the process environment.
func FromEnv() (Config, error) { return Load(os.LookupEnv) }

// Check is a rule another package owns (the Groq key grammar belongs to the
// key pool): it returns the problems of c, each starting with the variable.
type Check func(c Config) []string

// Load parses every variable of Vars through lookup, applies defaults and
// validates the result, with checks besides Validate. The error, when not
// nil, is a Problems listing every unparsable value and every rule broken.
func Load(lookup Lookup, checks ...Check) (Config, error) {
	var c Config
	var probs Problems
	for _, v := range Vars {
		raw, err := rawValue(v, lookup)
		if err != nil {
			probs = append(probs, err.Error())
			raw = v.Default
		}
		if err := setField(v.field(&c), raw); err != nil {
			probs = append(probs, fmt.Sprintf("%s: %v", v.Name, err))
			_ = setField(v.field(&c), v.Default)
		}
	}
	if err := c.Validate(); err != nil {
		var vp Problems
		if errors.As(err, &vp) {
			probs = append(probs, vp...)
		}
	}
	for _, check := range checks {
		probs = append(probs, check(c)...)
	}
	if len(probs) > 0 {
		return c, probs
	}
	return c, nil
}

// rawValue returns the variable's text: NAME, else NAME_FILE's content for a
// secret, else the default. Setting both NAME and NAME_FILE is a problem.
func rawValue(v Var, lookup Lookup) (string, error) {
	val, ok := lookup(v.Name)
	if v.Secret {
		if path, fok := lookup(v.Name + "_FILE"); fok && path != "" {
			if ok && val != "" {
				return "", fmt.Errorf("%s and %s_FILE are both set; use one", v.Name, v.Name)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return "", fmt.Errorf("%s_FILE: cannot read %s: %v", v.Name, path, errors.Unwrap(err))
			}
			return strings.TrimRight(string(b), "\r\n"), nil
		}
	}
	if !ok || val == "" {
		return v.Default, nil
	}
	return val, nil
}

func setField(ptr any, raw string) error {
	raw = strings.TrimSpace(raw)
	switch p := ptr.(type) {
	case *string:
		*p = raw
	case *[]string:
		*p = splitList(raw)
	case *keyList:
		*p = SplitKeys(raw)
	case *int:
		if raw == "" {
			*p = 0
			return nil
		}
		n, err := strconv.Atoi(raw)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", raw)
		}
		*p = n
	case *int64:
		if raw == "" {
			*p = 0
			return nil
		}
		n, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", raw)
		}
		*p = n
	case *float64:
		if raw == "" {
			*p = 0
			return nil
		}
		f, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return fmt.Errorf("%q is not a number", raw)
		}
		*p = f
	case *bool:
		if raw == "" {
			*p = false
			return nil
		}
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fmt.Errorf("%q is not true or false", raw)
		}
		*p = b
	case *time.Duration:
		if raw == "" {
			*p = 0
			return nil
		}
		d, err := time.ParseDuration(raw)
		if err != nil {
			return fmt.Errorf("%q is not a duration (examples: 30s, 15m, 720h)", raw)
		}
		*p = d
	default:
		panic(fmt.Sprintf("config: unsupported field type %T", ptr))
	}
	return nil
}

func splitList(raw string) []string {
	var out []string
	for _, s := range strings.Split(raw, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
