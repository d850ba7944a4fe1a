package groq

// affinityCache remembers the org each conversation used last, bounded by
// keeping two generations: when the young one is full, the old one is dropped.
type affinityCache struct {
	max        int
	young, old map[string]string
}

func newAffinityCache(max int) *affinityCache {
	return &affinityCache{max: max, young: map[string]string{}, old: map[string]string{}}
}

func (c *affinityCache) get(k string) string {
	if v, ok := c.young[k]; ok {
		return v
	}
	return c.old[k]
}

func (c *affinityCache) set(k, v string) {
	if len(c.young) >= c.max {
		c.old, c.young = c.young, map[string]string{}
	}
	c.young[k] = v
}
