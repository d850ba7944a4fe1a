package chat

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Ranges of the generation parameters (Groq's own for temperature and top_p).
const (
	MaxTemperature = 2.0
	MaxTopP        = 1.0
)

// reasoningEfforts lists the reasoning_effort values a model takes (Groq's
// reasoning docs: gpt-oss low|medium|high, Qwen 3 none|default); nil for a
// model that takes none.
func reasoningEfforts(model string) []string {
	switch {
	case strings.HasPrefix(model, "openai/gpt-oss-"):
		return []string{"low", "medium", "high"}
	case strings.HasPrefix(model, "qwen/qwen3"):
		return []string{"none", "default"}
	}
	return nil
}

// checkSettings validates a system prompt and parameters for model,
// adding field errors to bad under prefix (e.g. "params.temperature").
func (s *Service) checkSettings(bad map[string]string, model string, system *string, p *Params) {
	if system != nil {
		switch {
		case !utf8.ValidString(*system) || strings.ContainsRune(*system, 0):
			bad["system_prompt"] = "must be valid UTF-8 without NUL"
		case utf8.RuneCountInString(*system) > s.o.MaxContentChars:
			bad["system_prompt"] = "must be at most " + strconv.Itoa(s.o.MaxContentChars) + " characters"
		}
	}
	if p == nil {
		return
	}
	if t := p.Temperature; t != nil && !(*t >= 0 && *t <= MaxTemperature) {
		bad["params.temperature"] = "must be between 0 and 2"
	}
	if t := p.TopP; t != nil && !(*t >= 0 && *t <= MaxTopP) {
		bad["params.top_p"] = "must be between 0 and 1"
	}
	if m := p.MaxTokens; m != nil && (*m < 1 || *m > s.o.MaxCompletionTokens) {
		bad["params.max_tokens"] = "must be between 1 and " + strconv.Itoa(s.o.MaxCompletionTokens) + " (the server's cap)"
	}
	if r := p.ReasoningEffort; r != nil {
		efforts := reasoningEfforts(model)
		switch {
		case efforts == nil:
			bad["params.reasoning_effort"] = "the model " + model + " takes no reasoning_effort"
		case !slices.Contains(efforts, *r):
			bad["params.reasoning_effort"] = "must be one of " + strings.Join(efforts, ", ") + " for " + model
		}
	}
}

// turnParams are the parameters sent with one turn: the conversation's,
// with reasoning_effort left out when the turn's model does not take that
// value (a conversation may change model after setting it).
func turnParams(p Params, model string) Params {
	if p.ReasoningEffort != nil && !slices.Contains(reasoningEfforts(model), *p.ReasoningEffort) {
		p.ReasoningEffort = nil
	}
	return p
}
