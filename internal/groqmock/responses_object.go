package groqmock

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// responseObject is one Responses answer with the ids of its output items,
// so the streamed events and the final object agree.
type responseObject struct {
	a       *answer
	rr      responsesRequest
	id      string
	items   []map[string]any // output items in their final state
	textIdx int              // index of the message item, -1 when none
}

// ulidID returns prefix + "_" + a lowercase ULID, like Groq's resp_… and msg_… ids.
func ulidID(prefix string, now time.Time) string {
	return prefix + "_" + strings.TrimPrefix(requestID(now), "req_")
}

func newResponseObject(a *answer, rr responsesRequest) *responseObject {
	now := time.Unix(a.created, 0)
	ro := &responseObject{a: a, rr: rr, id: ulidID("resp", now), textIdx: -1}
	if a.p.reasoning != "" {
		ro.items = append(ro.items, map[string]any{"type": "reasoning", "id": ulidID("rs", now), "status": "completed",
			"summary": []any{}, "content": []any{map[string]any{"type": "reasoning_text", "text": a.p.reasoning}}})
	}
	for _, c := range a.p.toolCalls {
		ro.items = append(ro.items, map[string]any{"type": "function_call", "id": ulidID("fc", now), "call_id": c.ID,
			"name": c.Name, "arguments": c.Arguments, "status": "completed"})
	}
	if len(a.p.toolCalls) == 0 {
		ro.textIdx = len(ro.items)
		ro.items = append(ro.items, map[string]any{"type": "message", "id": ulidID("msg", now), "status": "completed",
			"role": "assistant", "content": []any{outputText(a.p.content)}})
	}
	return ro
}

func outputText(text string) map[string]any {
	return map[string]any{"type": "output_text", "text": text, "annotations": []any{}, "logprobs": []any{}}
}

// object renders the response with status and output as given (the final
// object, or the in-progress one the stream opens with).
func (ro *responseObject) object(status string, output []map[string]any, withUsage bool) map[string]any {
	rr, p := ro.rr, ro.a.p
	var effort any
	if rr.Reasoning != nil && rr.Reasoning.Effort != nil {
		effort = *rr.Reasoning.Effort
	} else if p.model.Reasoning != ReasoningNone {
		effort = p.effort
	}
	format := any(map[string]any{"type": "text"})
	if rr.Text != nil && len(rr.Text.Format) > 0 {
		format = json.RawMessage(rr.Text.Format)
	}
	tools := any([]any{})
	if rr.Tools != nil {
		tools = rr.Tools
	}
	choice := any("auto")
	if len(rr.ToolChoice) > 0 {
		choice = json.RawMessage(rr.ToolChoice)
	}
	metadata := any(map[string]any{})
	if len(rr.Metadata) > 0 && string(rr.Metadata) != "null" {
		metadata = json.RawMessage(rr.Metadata)
	}
	tier := "default"
	if rr.ServiceTier != nil && *rr.ServiceTier != "" {
		tier = *rr.ServiceTier
	}
	truncation := "disabled"
	if rr.Truncation != nil {
		truncation = *rr.Truncation
	}
	o := map[string]any{
		"id": ro.id, "object": "response", "status": status, "created_at": ro.a.created, "output": output,
		"previous_response_id": nil, "model": p.model.ID, "reasoning": map[string]any{"effort": effort, "summary": nil},
		"max_output_tokens": rr.MaxOutputTokens, "instructions": rr.Instructions, "text": map[string]any{"format": format},
		"tools": tools, "tool_choice": choice, "truncation": truncation, "metadata": metadata,
		"temperature": valueOr(rr.Temperature, 1), "top_p": valueOr(rr.TopP, 1), "user": rr.User, "service_tier": tier,
		"error": nil, "incomplete_details": nil, "usage": nil, "parallel_tool_calls": rr.ParallelToolCalls == nil || *rr.ParallelToolCalls,
		"store": false, "background": false, "max_tool_calls": nil, "top_logprobs": 0,
	}
	if status == "incomplete" {
		o["incomplete_details"] = map[string]any{"reason": "max_output_tokens"}
	}
	if withUsage {
		u := ro.a.usage
		o["usage"] = map[string]any{"input_tokens": u.PromptTokens, "input_tokens_details": map[string]any{"cached_tokens": 0},
			"output_tokens": u.CompletionTokens, "output_tokens_details": map[string]any{"reasoning_tokens": p.reasoningTokens},
			"total_tokens": u.TotalTokens}
	}
	return o
}

func valueOr(v *float64, d float64) float64 {
	if v == nil {
		return d
	}
	return *v
}

// status is "incomplete" when max_output_tokens cut the answer.
func (ro *responseObject) status() string {
	if ro.a.p.finish == "length" {
		return "incomplete"
	}
	return "completed"
}

func (ro *responseObject) final() map[string]any { return ro.object(ro.status(), ro.items, true) }

// streamResponse sends the Responses event sequence: response.created and
// .in_progress, then per output item .output_item.added, its deltas
// (reasoning_text, output_text, function_call_arguments) and .done events,
// and response.completed (or .incomplete) with the final object. Every event
// is `event: <type>` + `data: <json>` carrying type and sequence_number.
func (s *Server) streamResponse(w http.ResponseWriter, r *http.Request, a *answer, ro *responseObject) {
	if !s.pace(r, s.cfg.FirstTokenLatency) {
		return
	}
	h := w.Header()
	h["Content-Type"] = []string{"text/event-stream"}
	h["Cache-Control"] = []string{"no-cache"}
	w.WriteHeader(http.StatusOK)
	sw := &sseWriter{w: w, rc: http.NewResponseController(w), paced: s.cfg.TokensPerSecond > 0, buf: make([]byte, 0, 512)}
	seq := 0
	emit := func(typ string, fields map[string]any) {
		fields["type"], fields["sequence_number"] = typ, seq
		seq++
		b, _ := json.Marshal(fields)
		sw.frame(typ, b)
	}
	next := s.pacer(r, sw)
	emit("response.created", map[string]any{"response": ro.object("in_progress", []map[string]any{}, false)})
	emit("response.in_progress", map[string]any{"response": ro.object("in_progress", []map[string]any{}, false)})
	for i, item := range ro.items {
		id := item["id"]
		base := func() map[string]any { return map[string]any{"item_id": id, "output_index": i} }
		switch item["type"] {
		case "reasoning":
			emit("response.output_item.added", map[string]any{"output_index": i, "item": map[string]any{"type": "reasoning", "id": id,
				"status": "in_progress", "summary": []any{}, "content": []any{}}})
			for _, tok := range splitTokens(a.p.reasoning) {
				if !next() {
					return
				}
				d := base()
				d["content_index"], d["delta"] = 0, tok
				emit("response.reasoning_text.delta", d)
			}
			d := base()
			d["content_index"], d["text"] = 0, a.p.reasoning
			emit("response.reasoning_text.done", d)
		case "function_call":
			added := map[string]any{}
			for k, v := range item {
				added[k] = v
			}
			added["arguments"], added["status"] = "", "in_progress"
			emit("response.output_item.added", map[string]any{"output_index": i, "item": added})
			if !next() {
				return
			}
			d := base()
			d["delta"] = item["arguments"]
			emit("response.function_call_arguments.delta", d)
			d = base()
			d["arguments"] = item["arguments"]
			emit("response.function_call_arguments.done", d)
		case "message":
			emit("response.output_item.added", map[string]any{"output_index": i, "item": map[string]any{"type": "message", "id": id,
				"status": "in_progress", "role": "assistant", "content": []any{}}})
			d := base()
			d["content_index"], d["part"] = 0, outputText("")
			emit("response.content_part.added", d)
			for _, tok := range splitTokens(a.p.content) {
				if !next() {
					return
				}
				d := base()
				d["content_index"], d["delta"], d["logprobs"] = 0, tok, []any{}
				emit("response.output_text.delta", d)
			}
			d = base()
			d["content_index"], d["text"], d["logprobs"] = 0, a.p.content, []any{}
			emit("response.output_text.done", d)
			d = base()
			d["content_index"], d["part"] = 0, outputText(a.p.content)
			emit("response.content_part.done", d)
		}
		emit("response.output_item.done", map[string]any{"output_index": i, "item": item})
	}
	end := "response.completed"
	if ro.status() == "incomplete" {
		end = "response.incomplete"
	}
	emit(end, map[string]any{"response": ro.final()})
	sw.flush()
}
