package groqmock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// chatRequest is the part of a chat completion request the double reads.
type chatRequest struct {
	Model               *string         `json:"model"`
	Messages            []chatMessage   `json:"messages"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	N                   *int            `json:"n"`
	Stream              bool            `json:"stream"`
	StreamOptions       *streamOptions  `json:"stream_options"`
	Tools               json.RawMessage `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ParallelToolCalls   *bool           `json:"parallel_tool_calls"`
	ServiceTier         string          `json:"service_tier"`
	Stop                json.RawMessage `json:"stop"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	Seed                *int64          `json:"seed"`

	ReasoningEffort  *string         `json:"reasoning_effort"`
	ReasoningFormat  *string         `json:"reasoning_format"`
	IncludeReasoning *bool           `json:"include_reasoning"`
	ResponseFormat   json.RawMessage `json:"response_format"`
	Logprobs         *bool           `json:"logprobs"`
	TopLogprobs      *int            `json:"top_logprobs"`
	LogitBias        json.RawMessage `json:"logit_bias"`
	CompoundCustom   *compoundCustom `json:"compound_custom"`
	SearchSettings   *searchSettings `json:"search_settings"`

	bodySize int // bytes of the request body, for the base64-image limit
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

type chatMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
	Name    *string         `json:"name"`
}

type toolDef struct {
	Type     string `json:"type"`
	Function struct {
		Name string `json:"name"`
	} `json:"function"`
}

// toolCall is one function call the double decided to make.
type toolCall struct {
	ID, Name, Arguments string
}

// plan is a validated request: everything needed to charge and answer it.
type plan struct {
	model        *Model
	stream       bool
	includeUsage bool
	tier         string
	seed         int64
	promptTokens int
	maxTokens    int // 0 = not set
	estimate     int
	content      string // reply text (when no tool calls)
	finish       string
	toolCalls    []toolCall

	reasoning       string // reasoning text, "" when none is produced
	reasoningMode   string // "parsed" (message.reasoning / delta.reasoning), "raw" (<think> in content), "hidden" or ""
	reasoningTokens int
	effort          string
	executed        []executedTool
	jsonMode        string // "", "json_object" or "json_schema"
	schema          json.RawMessage
	images          []imageRef // image parts, validated after the model is known
	hasBase64       bool
	bodySize        int
	prompt          string // the last user message
	responses       bool   // a Responses API request: stream faults do not apply
}

// reqError is a refusal found while validating; status and body go to the client.
type reqError struct {
	status int
	body   apiError
	model  *Model // set when the model is known, for the rate-limit headers
}

func badRequest(param, msg string) *reqError {
	return &reqError{status: http.StatusBadRequest, body: apiError{Message: msg, Type: "invalid_request_error", Param: param}}
}

var validRoles = map[string]bool{"system": true, "developer": true, "user": true, "assistant": true, "tool": true, "function": true}

var validTiers = map[string]string{"": "on_demand", "auto": "on_demand", "on_demand": "on_demand", "flex": "flex", "performance": "performance"}

// parse validates body as §2 of groq-api.md describes and builds the plan.
func (s *Server) parse(body []byte) (*plan, *reqError) {
	var req chatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, badRequest("", "We could not parse the JSON body of your request. Please check that it is valid JSON and try again.")
	}
	req.bodySize = len(body)
	p, e := s.validate(req)
	if e != nil && req.Model != nil {
		e.model = s.models[*req.Model] // a known model's refusal still reports its bucket
	}
	return p, e
}

// validate checks the fields in Groq's order and builds the plan.
func (s *Server) validate(req chatRequest) (*plan, *reqError) {
	switch {
	case req.Model == nil || *req.Model == "":
		return nil, badRequest("model", "property 'model' is missing")
	case req.Messages == nil:
		return nil, badRequest("messages", "property 'messages' is missing")
	case len(req.Messages) == 0:
		return nil, badRequest("messages", "'messages' : minimum number of items is 1")
	case req.N != nil && *req.N > 1:
		return nil, badRequest("n", "'n' : number must be at most 1")
	case req.N != nil && *req.N < 1:
		return nil, badRequest("n", "'n' : number must be at least 1")
	case req.Temperature != nil && (*req.Temperature < 0 || *req.Temperature > 2):
		return nil, badRequest("temperature", "'temperature' : number must be between 0 and 2")
	case req.TopP != nil && (*req.TopP < 0 || *req.TopP > 1):
		return nil, badRequest("top_p", "'top_p' : number must be between 0 and 1")
	case req.StreamOptions != nil && !req.Stream:
		return nil, badRequest("stream_options", "'stream_options' : only allowed when 'stream' is true")
	}
	tier, ok := validTiers[req.ServiceTier]
	if !ok {
		return nil, badRequest("service_tier", "'service_tier' : value must be one of auto, on_demand, flex, performance")
	}
	if e := checkStop(req.Stop); e != nil {
		return nil, e
	}
	if e := refuseUnsupported(req); e != nil {
		return nil, e
	}
	p := &plan{stream: req.Stream, tier: tier, includeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage,
		bodySize: req.bodySize}
	texts := make([]string, len(req.Messages))
	for i, m := range req.Messages {
		if !validRoles[m.Role] {
			return nil, badRequest(fmt.Sprintf("messages.%d.role", i),
				fmt.Sprintf("'messages.%d' : discriminator property 'role' has invalid value", i))
		}
		t, imgs, ok := messageContent(m.Content)
		if !ok {
			return nil, badRequest(fmt.Sprintf("messages.%d.content", i),
				fmt.Sprintf("'messages.%d.content' : value must be a string or an array of content parts", i))
		}
		for j := range imgs {
			imgs[j].message = i
			p.hasBase64 = p.hasBase64 || imgs[j].data != nil
		}
		p.images = append(p.images, imgs...)
		texts[i] = t
		p.promptTokens += messageOverhead + CountTokens(t)
	}
	tools, e := parseTools(req.Tools, req.ToolChoice)
	if e != nil {
		return nil, e
	}
	if tools != nil {
		p.promptTokens += CountTokens(string(req.Tools))
	}

	m, e := s.lookupModel(*req.Model)
	if e != nil {
		return nil, e
	}
	if m.Kind == KindTranscription || m.Kind == KindSpeech {
		return nil, wrongKind(m, "chat completions")
	}
	p.model = m
	if e := s.checkImages(p); e != nil {
		return nil, e
	}
	if e := checkTools(m, tools, req); e != nil {
		return nil, e
	}
	if e := p.parseResponseFormat(req.ResponseFormat, tools); e != nil {
		return nil, e
	}
	if e := p.reasoningOptions(req, tools, s.cfg.Answers == AnswersDemo); e != nil {
		return nil, e
	}
	if e := p.limitTokens(req); e != nil {
		return nil, e
	}
	if req.Seed != nil {
		p.seed = *req.Seed
	}
	s.answer(p, req, texts, tools)
	return p, nil
}

// limitTokens applies max_completion_tokens/max_tokens and the context window.
func (p *plan) limitTokens(req chatRequest) *reqError {
	param, mt := "max_completion_tokens", req.MaxCompletionTokens
	if mt == nil {
		param, mt = "max_tokens", req.MaxTokens
	}
	if mt != nil {
		switch {
		case *mt < 1:
			return badRequest(param, "'"+param+"' : number must be at least 1")
		case *mt > p.model.MaxCompletionTokens:
			return badRequest(param, fmt.Sprintf("`%s` must be less than or equal to `%d`, the maximum value for `%s` is less than the `context_window` for this model",
				param, p.model.MaxCompletionTokens, param))
		}
		p.maxTokens = *mt
	}
	if p.promptTokens+p.maxTokens > p.model.ContextWindow {
		e := badRequest("messages", fmt.Sprintf("Please reduce the length of the messages or completion. "+
			"This model's maximum context length is %d tokens; the request has %d prompt tokens and %d completion tokens.",
			p.model.ContextWindow, p.promptTokens, p.maxTokens))
		e.body.Code = "context_length_exceeded"
		return e
	}
	return nil
}

func checkStop(raw json.RawMessage) *reqError {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return badRequest("stop", "'stop' : value must be a string or an array of strings")
	}
	if len(list) > 4 {
		return badRequest("stop", "'stop' : maximum number of items is 4")
	}
	return nil
}
