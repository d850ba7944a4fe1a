package groqmock

import (
	"encoding/json"
	"sort"
)

// jsonObjectAnswer is the JSON-mode answer: {"answer": text}.
func jsonObjectAnswer(text string) string {
	b, _ := json.Marshal(map[string]string{"answer": text})
	return string(b)
}

// jsonSchemaAnswer builds a value that satisfies the common JSON Schema
// keywords (type, properties, required, items, enum, const, minItems), with
// text for strings, so structured-output clients can parse what they get.
func jsonSchemaAnswer(schema json.RawMessage, text string) string {
	var s map[string]any
	_ = json.Unmarshal(schema, &s)
	b, _ := json.Marshal(fill(s, text, 0))
	return string(b)
}

func fill(s map[string]any, text string, depth int) any {
	if s == nil || depth > 8 {
		return nil
	}
	if c, ok := s["const"]; ok {
		return c
	}
	if e, ok := s["enum"].([]any); ok && len(e) > 0 {
		return e[0]
	}
	for _, key := range []string{"anyOf", "oneOf", "allOf"} {
		if alts, ok := s[key].([]any); ok && len(alts) > 0 {
			if first, ok := alts[0].(map[string]any); ok {
				return fill(first, text, depth+1)
			}
		}
	}
	typ, _ := s["type"].(string)
	if list, ok := s["type"].([]any); ok && len(list) > 0 {
		typ, _ = list[0].(string)
	}
	if typ == "" {
		if _, ok := s["properties"]; ok {
			typ = "object"
		}
	}
	switch typ {
	case "object":
		out := map[string]any{}
		props, _ := s["properties"].(map[string]any)
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, _ := props[k].(map[string]any)
			out[k] = fill(sub, text, depth+1)
		}
		return out
	case "array":
		items, _ := s["items"].(map[string]any)
		n := 1
		if m, ok := s["minItems"].(float64); ok && int(m) > n {
			n = int(m)
		}
		arr := make([]any, n)
		for i := range arr {
			arr[i] = fill(items, text, depth+1)
		}
		return arr
	case "integer":
		if m, ok := s["minimum"].(float64); ok {
			return int(m)
		}
		return 1
	case "number":
		if m, ok := s["minimum"].(float64); ok {
			return m
		}
		return 1.5
	case "boolean":
		return true
	case "null":
		return nil
	}
	return text
}
