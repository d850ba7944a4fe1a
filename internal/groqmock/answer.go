package groqmock

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// usage is Groq's usage object, fields in wire order.
type usage struct {
	QueueTime        float64 `json:"queue_time"`
	PromptTokens     int     `json:"prompt_tokens"`
	PromptTime       float64 `json:"prompt_time"`
	CompletionTokens int     `json:"completion_tokens"`
	CompletionTime   float64 `json:"completion_time"`
	TotalTokens      int     `json:"total_tokens"`
	TotalTime        float64 `json:"total_time"`

	CompletionTokensDetails *completionDetails `json:"completion_tokens_details,omitempty"`
}

type completionDetails struct {
	ReasoningTokens int `json:"reasoning_tokens"`
}

type xGroq struct {
	ID    string `json:"id"`
	Seed  *int64 `json:"seed,omitempty"`
	Usage *usage `json:"usage,omitempty"`
}

type wireFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type wireToolCall struct {
	Index    *int         `json:"index,omitempty"`
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function wireFunction `json:"function"`
}

type wireMessage struct {
	Role          string         `json:"role,omitempty"`
	Content       *string        `json:"content,omitempty"`
	Reasoning     *string        `json:"reasoning,omitempty"`
	ExecutedTools []executedTool `json:"executed_tools,omitempty"`
	ToolCalls     []wireToolCall `json:"tool_calls,omitempty"`
}

type wireChoice struct {
	Index        int             `json:"index"`
	Message      *wireMessage    `json:"message,omitempty"`
	Delta        *wireMessage    `json:"delta,omitempty"`
	Logprobs     json.RawMessage `json:"logprobs"`
	FinishReason *string         `json:"finish_reason"`
}

type wireCompletion struct {
	ID                string          `json:"id"`
	Object            string          `json:"object"`
	Created           int64           `json:"created"`
	Model             string          `json:"model"`
	Choices           []wireChoice    `json:"choices"`
	Usage             *usage          `json:"usage,omitempty"`
	UsageBreakdown    json.RawMessage `json:"usage_breakdown,omitempty"`
	SystemFingerprint string          `json:"system_fingerprint,omitempty"`
	XGroq             *xGroq          `json:"x_groq,omitempty"`
	ServiceTier       string          `json:"service_tier,omitempty"`
}

// wireChunk is one chat.completion.chunk, fields in Groq's order.
type wireChunk struct {
	ID                string       `json:"id"`
	Object            string       `json:"object"`
	Created           int64        `json:"created"`
	Model             string       `json:"model"`
	SystemFingerprint string       `json:"system_fingerprint,omitempty"`
	Choices           []wireChoice `json:"choices"`
	XGroq             *xGroq       `json:"x_groq,omitempty"`
	Usage             *usage       `json:"usage,omitempty"`
}

var jsonNull = json.RawMessage("null")

// answer is one accepted completion ready to be written.
type answer struct {
	p       *plan
	id      string
	reqID   string
	fp      string
	created int64
	seed    int64
	usage   usage
	fault   *Fault // set for stream faults
}

func (s *Server) newAnswer(p *plan, reqID string, now time.Time, completion int) *answer {
	a := &answer{p: p, id: chatID(), reqID: reqID, fp: fingerprint(p.model.ID), created: now.Unix(), seed: p.seed}
	if p.model.Kind == KindCompound { // compound answers carry no fingerprint (recorded shape)
		a.fp = ""
	}
	if a.seed == 0 {
		a.seed = rand.Int64N(1 << 31)
	}
	ct := float64(completion) / 1000
	if s.cfg.TokensPerSecond > 0 {
		ct = float64(completion) / s.cfg.TokensPerSecond
	}
	pt := float64(p.promptTokens) / 50000
	a.usage = usage{
		QueueTime: nanos(0.0001 + s.cfg.FirstTokenLatency.Seconds()), PromptTokens: p.promptTokens, PromptTime: nanos(pt),
		CompletionTokens: completion, CompletionTime: nanos(ct), TotalTokens: p.promptTokens + completion, TotalTime: nanos(pt + ct),
	}
	if p.reasoningTokens > 0 {
		a.usage.CompletionTokensDetails = &completionDetails{ReasoningTokens: p.reasoningTokens}
	}
	return a
}

// nanos rounds seconds to nanoseconds, as Groq's usage times are.
func nanos(sec float64) float64 { return math.Round(sec*1e9) / 1e9 }

func (a *answer) wireCalls(indexed bool) []wireToolCall {
	calls := make([]wireToolCall, len(a.p.toolCalls))
	for i, c := range a.p.toolCalls {
		calls[i] = wireToolCall{ID: c.ID, Type: "function", Function: wireFunction{Name: c.Name, Arguments: c.Arguments}}
		if indexed {
			calls[i].Index = &i
		}
	}
	return calls
}

// completionJSON is the non-streamed answer body.
func (a *answer) completionJSON() []byte {
	msg := &wireMessage{Role: "assistant", ExecutedTools: a.p.executed}
	if a.p.reasoning != "" {
		msg.Reasoning = &a.p.reasoning
	}
	if len(a.p.toolCalls) > 0 {
		msg.ToolCalls = a.wireCalls(false)
	} else {
		msg.Content = &a.p.content
	}
	x := &xGroq{ID: a.reqID, Seed: &a.seed}
	if a.p.model.Kind == KindCompound {
		x.Seed = nil
	}
	b, _ := json.Marshal(wireCompletion{
		ID: a.id, Object: "chat.completion", Created: a.created, Model: a.p.model.ID,
		Choices: []wireChoice{{Message: msg, Logprobs: jsonNull, FinishReason: &a.p.finish}},
		Usage:   &a.usage, UsageBreakdown: a.breakdown(), SystemFingerprint: a.fp,
		XGroq: x, ServiceTier: a.p.tier,
	})
	return append(b, '\n')
}

// breakdown is usage_breakdown: null, or for a compound system the usage of
// the model that answered (recorded shape: models[{model, usage}]).
func (a *answer) breakdown() json.RawMessage {
	if a.p.model.Kind != KindCompound {
		return jsonNull
	}
	b, _ := json.Marshal(map[string]any{"models": []map[string]any{{"model": "openai/gpt-oss-120b", "usage": a.usage}}})
	return b
}

func (a *answer) chunk(delta *wireMessage, finish *string, x *xGroq, u *usage) []byte {
	b, _ := json.Marshal(wireChunk{
		ID: a.id, Object: "chat.completion.chunk", Created: a.created, Model: a.p.model.ID, SystemFingerprint: a.fp,
		Choices: []wireChoice{{Delta: delta, Logprobs: jsonNull, FinishReason: finish}}, XGroq: x, Usage: u,
	})
	return b
}

// firstChunk carries the role and x_groq {id, seed}.
func (a *answer) firstChunk() []byte {
	empty := ""
	return a.chunk(&wireMessage{Role: "assistant", Content: &empty}, nil, &xGroq{ID: a.reqID, Seed: &a.seed}, nil)
}

// lastChunk carries finish_reason and x_groq.usage, and top-level usage when asked for.
func (a *answer) lastChunk() []byte {
	var top *usage
	if a.p.includeUsage {
		top = &a.usage
	}
	return a.chunk(&wireMessage{}, &a.p.finish, &xGroq{ID: a.reqID, Usage: &a.usage}, top)
}

// deltaPrefix is the constant start of every middle chunk, up to the value
// of its one delta field (content or reasoning).
func (a *answer) deltaPrefix(field string) []byte {
	b := make([]byte, 0, 256)
	b = append(b, `{"id":"`...)
	b = append(b, a.id...)
	b = append(b, `","object":"chat.completion.chunk","created":`...)
	b = strconv.AppendInt(b, a.created, 10)
	b = append(b, `,"model":`...)
	m, _ := json.Marshal(a.p.model.ID)
	b = append(b, m...)
	if a.fp != "" {
		b = append(b, `,"system_fingerprint":"`...)
		b = append(b, a.fp...)
		b = append(b, '"')
	}
	b = append(b, `,"choices":[{"index":0,"delta":{"`...)
	b = append(b, field...)
	b = append(b, `":`...)
	return b
}

const contentSuffix = `},"logprobs":null,"finish_reason":null}]}`
