package groqmock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// toolSpec is the request's tools and tool_choice.
type toolSpec struct {
	names    []string
	builtins []string // browser_search, code_interpreter
	choice   string   // auto, none, required, or named
	forced   string   // the function of a named tool_choice
	parallel bool
}

// parseTools validates tools and tool_choice; it returns nil when the request has no tools.
func parseTools(rawTools, rawChoice json.RawMessage) (*toolSpec, *reqError) {
	rawTools, rawChoice = bytes.TrimSpace(rawTools), bytes.TrimSpace(rawChoice)
	spec := &toolSpec{choice: "auto", parallel: true}
	if len(rawChoice) > 0 && string(rawChoice) != "null" {
		if rawChoice[0] == '"' {
			_ = json.Unmarshal(rawChoice, &spec.choice)
		} else {
			var named toolDef
			if json.Unmarshal(rawChoice, &named) != nil || named.Function.Name == "" {
				return nil, badRequest("tool_choice", "'tool_choice' : value must be none, auto, required or a named function")
			}
			spec.choice, spec.forced = "named", named.Function.Name
		}
		if spec.choice != "auto" && spec.choice != "none" && spec.choice != "required" && spec.choice != "named" {
			return nil, badRequest("tool_choice", "'tool_choice' : value must be none, auto, required or a named function")
		}
	}
	if len(rawTools) == 0 || string(rawTools) == "null" {
		if spec.choice == "required" || spec.choice == "named" {
			return nil, badRequest("tool_choice", "'tool_choice' requires 'tools' to be set")
		}
		return nil, nil
	}
	var tools []toolDef
	if err := json.Unmarshal(rawTools, &tools); err != nil {
		return nil, badRequest("tools", "'tools' : value must be an array of function tools")
	}
	if len(tools) > 128 {
		return nil, badRequest("tools", "'tools' : maximum number of items is 128")
	}
	for i, t := range tools {
		if t.Type == "browser_search" || t.Type == "code_interpreter" {
			spec.builtins = append(spec.builtins, t.Type)
			continue
		}
		if t.Type != "function" || t.Function.Name == "" {
			return nil, badRequest(fmt.Sprintf("tools.%d", i), fmt.Sprintf("'tools.%d' : must be a function tool with a name", i))
		}
		spec.names = append(spec.names, t.Function.Name)
	}
	if spec.choice == "named" && !contains(spec.names, spec.forced) {
		return nil, badRequest("tool_choice", "Tool choice '"+spec.forced+"' not found in 'tools'")
	}
	return spec, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// pickCalls applies the double's tool rule to the last user message: a named
// tool_choice calls that function; otherwise every tool written as
// "call <name>" in the message is called in order of appearance (only the
// first when parallel_tool_calls is false), with the JSON object that follows
// the name as arguments ("{}" when none); "required" with no name mentioned
// calls the first tool; "none" never calls.
func (t *toolSpec) pickCalls(text string) []toolCall {
	if t == nil || t.choice == "none" || len(t.names) == 0 {
		return nil
	}
	lower := strings.ToLower(text)
	type hit struct {
		at   int
		name string
	}
	var hits []hit
	for _, name := range t.names {
		if t.choice == "named" && name != t.forced {
			continue
		}
		if i := strings.Index(lower, "call "+strings.ToLower(name)); i >= 0 {
			hits = append(hits, hit{i, name})
		}
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].at < hits[b].at })
	src := text
	if len(lower) != len(text) { // case folding changed byte offsets: read arguments from the folded text
		src = lower
	}
	var calls []toolCall
	for _, h := range hits {
		rest := src[h.at+len("call ")+len(h.name):]
		calls = append(calls, toolCall{ID: toolCallID(), Name: h.name, Arguments: argumentsAfter(rest)})
		if !t.parallel {
			break
		}
	}
	if len(calls) == 0 {
		switch t.choice {
		case "named":
			calls = []toolCall{{ID: toolCallID(), Name: t.forced, Arguments: "{}"}}
		case "required":
			calls = []toolCall{{ID: toolCallID(), Name: t.names[0], Arguments: "{}"}}
		}
	}
	return calls
}

// argumentsAfter returns the compact JSON object at the start of rest, or "{}".
func argumentsAfter(rest string) string {
	rest = strings.TrimLeft(rest, " \t\n")
	if !strings.HasPrefix(rest, "{") {
		return "{}"
	}
	var raw json.RawMessage
	if json.NewDecoder(strings.NewReader(rest)).Decode(&raw) != nil {
		return "{}"
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return "{}"
	}
	return b.String()
}

// completionTokens is what the answer costs: its content, or each call's name and arguments.
func (p *plan) completionTokens() int {
	if len(p.toolCalls) == 0 {
		return CountTokens(p.content) + p.reasoningTokens
	}
	n := p.reasoningTokens
	for _, c := range p.toolCalls {
		n += messageOverhead + CountTokens(c.Name) + CountTokens(c.Arguments)
	}
	return n
}
