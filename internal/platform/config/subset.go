package config

import (
	"fmt"
	"slices"
)

// LoadOnly reads only the named variables (each with its NAME_FILE variant
// when secret), leaving every other field zero and skipping Validate, for
// tools such as `parley backup` that must run with nothing but a database
// configured. Unknown names are a programming error and panic.
func LoadOnly(lookup Lookup, names ...string) (Config, error) {
	var c Config
	var probs Problems
	for _, n := range names {
		i := slices.IndexFunc(Vars, func(v Var) bool { return v.Name == n })
		if i < 0 {
			panic("config: LoadOnly of undeclared " + n)
		}
		v := Vars[i]
		raw, err := rawValue(v, lookup)
		if err != nil {
			probs = append(probs, err.Error())
			continue
		}
		if err := setField(v.field(&c), raw); err != nil {
			probs = append(probs, fmt.Sprintf("%s: %v", v.Name, err))
		}
	}
	if len(probs) > 0 {
		return c, probs
	}
	return c, nil
}
