package groqmock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// unsupported answers 400 "`field` is not supported with this model", the
// wording Groq used for logprobs (groq/groq-python#25).
func unsupported(field string) *reqError {
	return badRequest(field, "`"+field+"` is not supported with this model")
}

// refuseUnsupported refuses the OpenAI fields Groq documents as returning 400:
// logprobs, top_logprobs, logit_bias and messages[].name (console.groq.com/docs/openai).
func refuseUnsupported(req chatRequest) *reqError {
	switch {
	case req.Logprobs != nil && *req.Logprobs:
		return unsupported("logprobs")
	case req.TopLogprobs != nil:
		return unsupported("top_logprobs")
	case len(bytes.TrimSpace(req.LogitBias)) > 0 && string(bytes.TrimSpace(req.LogitBias)) != "null" &&
		string(bytes.TrimSpace(req.LogitBias)) != "{}":
		return unsupported("logit_bias")
	}
	for i, m := range req.Messages {
		if m.Name != nil {
			return badRequest(fmt.Sprintf("messages.%d.name", i), fmt.Sprintf(
				"'messages.%d' : for 'role:%s' the following must be satisfied[('messages.%d.name' : property 'name' is unsupported)]",
				i, m.Role, i))
		}
	}
	return nil
}

var effortValues = map[Reasoning][]string{ReasoningGPTOSS: {"low", "medium", "high"}, ReasoningQwen: {"none", "default"}}

// reasoningOptions validates reasoning_effort, reasoning_format and
// include_reasoning against the model's family (console.groq.com/docs/reasoning)
// and decides how reasoning is shown. In AnswersEcho mode a model reasons only
// when the request asks for it, so the token counts parley's tests rely on
// stay those of Reply; in AnswersDemo mode the defaults are Groq's.
func (p *plan) reasoningOptions(req chatRequest, tools *toolSpec, demo bool) *reqError {
	fam := p.model.Reasoning
	if p.model.Kind == KindCompound {
		p.reasoningMode, p.effort = "parsed", "medium"
		return nil
	}
	if req.ReasoningFormat != nil && req.IncludeReasoning != nil {
		return badRequest("reasoning_format", "`reasoning_format` and `include_reasoning` cannot be used together")
	}
	if fam == ReasoningNone {
		switch {
		case req.ReasoningEffort != nil:
			return unsupported("reasoning_effort")
		case req.ReasoningFormat != nil:
			return unsupported("reasoning_format")
		case req.IncludeReasoning != nil:
			return unsupported("include_reasoning")
		}
		return nil
	}
	p.effort = "medium"
	if req.ReasoningEffort != nil {
		if !contains(effortValues[fam], *req.ReasoningEffort) {
			return badRequest("reasoning_effort", fmt.Sprintf("`reasoning_effort` must be one of [%s] for this model",
				strings.Join(effortValues[fam], " ")))
		}
		p.effort = *req.ReasoningEffort
	}
	structured := p.jsonMode != "" || (tools != nil && len(tools.names) > 0)
	asked := req.ReasoningEffort != nil || req.ReasoningFormat != nil || (req.IncludeReasoning != nil && *req.IncludeReasoning)
	on := demo || asked
	switch fam {
	case ReasoningGPTOSS:
		if req.ReasoningFormat != nil {
			return badRequest("reasoning_format", "`reasoning_format` is not supported with this model, use `include_reasoning` instead")
		}
		if on && (req.IncludeReasoning == nil || *req.IncludeReasoning) {
			p.reasoningMode = "parsed"
		} else if on {
			p.reasoningMode = "hidden"
		}
	case ReasoningQwen:
		mode := "raw"
		if structured {
			mode = "parsed"
		}
		if req.ReasoningFormat != nil {
			mode = *req.ReasoningFormat
			if mode != "raw" && mode != "parsed" && mode != "hidden" {
				return badRequest("reasoning_format", "`reasoning_format` must be one of [hidden raw parsed]")
			}
			if mode == "raw" && structured {
				return badRequest("reasoning_format", "`reasoning_format` raw is not supported with JSON mode or tool use; use parsed or hidden")
			}
		}
		if req.IncludeReasoning != nil {
			mode = map[bool]string{true: "parsed", false: "hidden"}[*req.IncludeReasoning]
		}
		if on && p.effort != "none" {
			p.reasoningMode = mode
		}
	}
	return nil
}

// parseResponseFormat validates response_format: text, json_object, or
// json_schema {name, schema, strict} on the models that take it.
func (p *plan) parseResponseFormat(raw json.RawMessage, tools *toolSpec) *reqError {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var rf struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
			Strict *bool           `json:"strict"`
		} `json:"json_schema"`
	}
	if json.Unmarshal(raw, &rf) != nil {
		return badRequest("response_format", "'response_format' : value must be an object")
	}
	switch rf.Type {
	case "text":
		return nil
	case "json_object":
	case "json_schema":
		if p.model.Reasoning == ReasoningNone && !p.model.Vision {
			return badRequest("response_format", "The model only supports response formats: [json text].")
		}
		if rf.JSONSchema == nil || rf.JSONSchema.Name == "" {
			return badRequest("response_format.json_schema", "'response_format.json_schema' : property 'name' is missing")
		}
		var schema map[string]any
		if json.Unmarshal(rf.JSONSchema.Schema, &schema) != nil {
			return badRequest("response_format.json_schema.schema", "'response_format.json_schema.schema' : value must be an object")
		}
		p.schema = rf.JSONSchema.Schema
	default:
		return badRequest("response_format.type", "'response_format.type' : value must be one of [text json_object json_schema]")
	}
	if tools != nil && contains(tools.builtins, "browser_search") {
		return badRequest("response_format", "`response_format` cannot be used together with the `browser_search` tool")
	}
	p.jsonMode = rf.Type
	return nil
}
