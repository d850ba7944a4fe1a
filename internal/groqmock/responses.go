package groqmock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
)

// responsesRequest is the body of POST /openai/v1/responses (console.groq.com/docs/api-reference#responses-create).
type responsesRequest struct {
	Model              *string         `json:"model"`
	Input              json.RawMessage `json:"input"`
	Instructions       *string         `json:"instructions"`
	MaxOutputTokens    *int            `json:"max_output_tokens"`
	Stream             bool            `json:"stream"`
	Store              *bool           `json:"store"`
	PreviousResponseID *string         `json:"previous_response_id"`
	Tools              []responsesTool `json:"tools"`
	ToolChoice         json.RawMessage `json:"tool_choice"`
	ParallelToolCalls  *bool           `json:"parallel_tool_calls"`
	Reasoning          *struct {
		Effort *string `json:"effort"`
	} `json:"reasoning"`
	Text *struct {
		Format json.RawMessage `json:"format"`
	} `json:"text"`
	Temperature *float64        `json:"temperature"`
	TopP        *float64        `json:"top_p"`
	ServiceTier *string         `json:"service_tier"`
	Metadata    json.RawMessage `json:"metadata"`
	Truncation  *string         `json:"truncation"`
	User        *string         `json:"user"`
}

// responsesTool is a Responses tool: flat function tools, or built-in ones.
type responsesTool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name,omitempty"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters,omitempty"`
	Strict      *bool           `json:"strict,omitempty"`
}

// responsesItem is one input item: a message, a function call or its output.
type responsesItem struct {
	Type      string          `json:"type"`
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"`
	CallID    string          `json:"call_id"`
	Name      string          `json:"name"`
	Arguments string          `json:"arguments"`
	Output    json.RawMessage `json:"output"`
}

// responsesCall is a validated Responses request: the chat plan plus what the response object echoes.
type responsesCall struct {
	req  responsesRequest
	plan *plan
}

var responsesTiers = map[string]string{"": "", "auto": "auto", "default": "on_demand", "flex": "flex"}

// parseResponses validates a Responses request and turns it into the chat
// request it means, so both APIs answer by the same rules.
func (s *Server) parseResponses(body []byte) (*responsesCall, *reqError) {
	var rr responsesRequest
	if err := json.Unmarshal(body, &rr); err != nil {
		return nil, badRequest("", "We could not parse the JSON body of your request. Please check that it is valid JSON and try again.")
	}
	switch {
	case rr.Model == nil || *rr.Model == "":
		return nil, badRequest("model", "property 'model' is missing")
	case len(bytes.TrimSpace(rr.Input)) == 0 || string(bytes.TrimSpace(rr.Input)) == "null":
		return nil, badRequest("input", "property 'input' is missing")
	case rr.Store != nil && *rr.Store:
		return nil, badRequest("store", "`store` is not supported: only false or null are accepted")
	case rr.PreviousResponseID != nil:
		return nil, badRequest("previous_response_id", "`previous_response_id` is not supported: send the conversation in `input`")
	case rr.Truncation != nil && *rr.Truncation != "auto" && *rr.Truncation != "disabled":
		return nil, badRequest("truncation", "'truncation' : value must be one of auto, disabled")
	}
	tier, ok := "", true
	if rr.ServiceTier != nil {
		tier, ok = responsesTiers[*rr.ServiceTier]
	}
	if !ok {
		return nil, badRequest("service_tier", "'service_tier' : value must be one of auto, default, flex")
	}
	msgs, e := responsesMessages(rr)
	if e != nil {
		return nil, e
	}
	req := chatRequest{Model: rr.Model, Messages: msgs, MaxCompletionTokens: rr.MaxOutputTokens, Stream: rr.Stream,
		ParallelToolCalls: rr.ParallelToolCalls, ServiceTier: tier, Temperature: rr.Temperature, TopP: rr.TopP, bodySize: len(body)}
	if req.Tools, req.ToolChoice, e = responsesTools(rr); e != nil {
		return nil, e
	}
	if rr.Text != nil && len(rr.Text.Format) > 0 {
		req.ResponseFormat = responsesFormat(rr.Text.Format)
	}
	if rr.Reasoning != nil && rr.Reasoning.Effort != nil {
		req.ReasoningEffort = rr.Reasoning.Effort
		if m := s.models[*rr.Model]; m != nil && m.Reasoning == ReasoningQwen {
			parsed := "parsed" // reasoning goes into its own output item, never into the text
			req.ReasoningFormat = &parsed
		}
	}
	p, e := s.validate(req)
	if e != nil {
		e.model = s.models[*rr.Model]
		return nil, e
	}
	p.responses = true
	return &responsesCall{req: rr, plan: p}, nil
}

// responsesMessages turns instructions and input into chat messages.
func responsesMessages(rr responsesRequest) ([]chatMessage, *reqError) {
	var msgs []chatMessage
	if rr.Instructions != nil {
		b, _ := json.Marshal(*rr.Instructions)
		msgs = append(msgs, chatMessage{Role: "system", Content: b})
	}
	in := bytes.TrimSpace(rr.Input)
	if in[0] == '"' {
		return append(msgs, chatMessage{Role: "user", Content: in}), nil
	}
	var items []responsesItem
	if json.Unmarshal(in, &items) != nil {
		return nil, badRequest("input", "'input' : value must be a string or an array of input items")
	}
	for i, it := range items {
		switch it.Type {
		case "", "message":
			if it.Role != "user" && it.Role != "assistant" && it.Role != "system" && it.Role != "developer" {
				return nil, badRequest(fmt.Sprintf("input.%d.role", i), fmt.Sprintf("'input.%d.role' : value must be one of user, assistant, system, developer", i))
			}
			msgs = append(msgs, chatMessage{Role: it.Role, Content: it.Content})
		case "function_call":
			msgs = append(msgs, chatMessage{Role: "assistant", Content: json.RawMessage("null")})
		case "function_call_output":
			out := it.Output
			if len(out) > 0 && out[0] != '"' {
				out, _ = json.Marshal(string(out))
			}
			msgs = append(msgs, chatMessage{Role: "tool", Content: out})
		case "reasoning":
		default:
			return nil, badRequest(fmt.Sprintf("input.%d.type", i), fmt.Sprintf("'input.%d.type' : value %q is not supported", i, it.Type))
		}
	}
	if len(msgs) == 0 {
		return nil, badRequest("input", "'input' : minimum number of items is 1")
	}
	return msgs, nil
}

// responsesTools converts flat function tools and tool_choice to their chat form.
func responsesTools(rr responsesRequest) (json.RawMessage, json.RawMessage, *reqError) {
	var tools []map[string]any
	for i, t := range rr.Tools {
		switch t.Type {
		case "function":
			if t.Name == "" {
				return nil, nil, badRequest(fmt.Sprintf("tools.%d.name", i), fmt.Sprintf("'tools.%d' : property 'name' is missing", i))
			}
			fn := map[string]any{"name": t.Name}
			if len(t.Parameters) > 0 {
				fn["parameters"] = t.Parameters
			}
			tools = append(tools, map[string]any{"type": "function", "function": fn})
		case "browser_search", "code_interpreter":
			tools = append(tools, map[string]any{"type": t.Type})
		default:
			return nil, nil, badRequest(fmt.Sprintf("tools.%d.type", i), fmt.Sprintf("'tools.%d.type' : tool type %q is not supported", i, t.Type))
		}
	}
	var rawTools json.RawMessage
	if tools != nil {
		rawTools, _ = json.Marshal(tools)
	}
	choice := bytes.TrimSpace(rr.ToolChoice)
	if len(choice) > 0 && choice[0] == '{' {
		var named struct {
			Type string `json:"type"`
			Name string `json:"name"`
		}
		_ = json.Unmarshal(choice, &named)
		choice, _ = json.Marshal(map[string]any{"type": "function", "function": map[string]string{"name": named.Name}})
	}
	return rawTools, choice, nil
}

// responsesFormat converts text.format to the chat response_format.
func responsesFormat(raw json.RawMessage) json.RawMessage {
	var f struct {
		Type   string          `json:"type"`
		Name   string          `json:"name"`
		Schema json.RawMessage `json:"schema"`
		Strict *bool           `json:"strict"`
	}
	if json.Unmarshal(raw, &f) != nil || f.Type != "json_schema" {
		return raw
	}
	b, _ := json.Marshal(map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": f.Name, "schema": f.Schema, "strict": f.Strict}})
	return b
}

// respond serves POST /openai/v1/responses: non-streaming and streamed.
func (s *Server) respond(w http.ResponseWriter, r *http.Request, ks *keyState) {
	var call *responsesCall
	s.complete(w, r, ks, func(body []byte) (*plan, *reqError) {
		c, e := s.parseResponses(body)
		if e != nil {
			return nil, e
		}
		call = c
		return c.plan, nil
	}, func(a *answer) {
		ro := newResponseObject(a, call.req)
		if a.p.stream {
			s.streamResponse(w, r, a, ro)
			return
		}
		if !s.pace(r, s.cfg.FirstTokenLatency+s.generationTime(a.usage.CompletionTokens)) {
			return
		}
		b, _ := json.Marshal(ro.final())
		writeJSON(w, append(b, '\n'))
	})
}
