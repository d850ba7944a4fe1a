package groqmock

import (
	"strings"
)

// answer decides the reply of a validated request:
//   - tool calls when the tools rule fires on a conversation that ends with
//     a user message (see pickCalls);
//   - otherwise the built-in tools that run (runBuiltins), the reasoning the
//     plan asks for (reasoningOptions), and the content: Reply (AnswersEcho)
//     or DemoAnswer (AnswersDemo) of the last user message, a JSON value in
//     JSON mode, a score for prompt guards, with the sources cited;
//   - everything cut to max_completion_tokens, reasoning first, as
//     reasoning tokens count against it at Groq.
func (s *Server) answer(p *plan, req chatRequest, texts []string, tools *toolSpec) {
	last := ""
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == "user" {
			last = texts[i]
			break
		}
	}
	p.prompt = last
	if req.ParallelToolCalls != nil && tools != nil {
		tools.parallel = *req.ParallelToolCalls
	}
	if req.Messages[len(req.Messages)-1].Role == "user" {
		p.toolCalls = tools.pickCalls(last)
	}
	demo := s.cfg.Answers == AnswersDemo
	if len(p.toolCalls) == 0 {
		p.executed = runBuiltins(p, req, tools, last)
	}
	reasoning := ""
	if p.reasoningMode != "" {
		reasoning = ReasoningFor(last, p.effort, demo)
		if len(p.executed) > 0 {
			reasoning += " " + toolNote(p.executed)
		}
	}
	p.finish = "stop"
	if len(p.toolCalls) > 0 {
		p.finish = "tool_calls"
	} else {
		p.content = s.contentFor(p, last, demo)
	}
	p.applyBudget(reasoning)
	p.estimate = p.promptTokens + s.cfg.DefaultCompletionEstimate
	if p.maxTokens > 0 {
		p.estimate = p.promptTokens + p.maxTokens
	}
}

// contentFor is the text of an answer without tool calls.
func (s *Server) contentFor(p *plan, prompt string, demo bool) string {
	if p.model.Kind == KindGuard {
		return guardScore(prompt)
	}
	text := Reply(prompt)
	if demo {
		text = DemoAnswer(prompt)
	}
	switch p.jsonMode {
	case "json_object":
		return jsonObjectAnswer(Reply(prompt))
	case "json_schema":
		return jsonSchemaAnswer(p.schema, Reply(prompt))
	}
	if len(p.executed) > 0 {
		text = citeSources(text, p.executed)
	}
	return text
}

// applyBudget places the reasoning (in message.reasoning, in <think> tags, or
// hidden) and cuts reasoning and content to max tokens, finishing "length"
// when anything was cut.
func (p *plan) applyBudget(reasoning string) {
	if p.reasoningMode == "raw" {
		p.content = "<think>\n" + reasoning + "\n</think>\n\n" + p.content
		reasoning = ""
	}
	if p.maxTokens > 0 {
		cutR, cutReasoning := firstTokens(reasoning, p.maxTokens)
		reasoning = cutR
		rest := p.maxTokens - CountTokens(reasoning)
		cutC, cutContent := firstTokens(p.content, rest)
		if len(p.toolCalls) == 0 && (cutReasoning || cutContent) {
			p.content, p.finish = cutC, "length"
		}
	}
	p.reasoningTokens = CountTokens(reasoning)
	if p.reasoningMode == "parsed" {
		p.reasoning = reasoning
	}
}

// toolNote is the sentence a reasoning trace adds about the tools that ran.
func toolNote(tools []executedTool) string {
	var names []string
	for _, t := range tools {
		names = append(names, map[string]string{"search": "a web search", "python": "the code interpreter"}[t.Type])
	}
	return "I used " + strings.Join(names, " and ") + " to check."
}

// guardScore is a prompt-guard verdict: the probability that the text is an
// attack, high for the classic "ignore previous instructions" phrasing.
func guardScore(text string) string {
	l := strings.ToLower(text)
	for _, w := range []string{"ignore previous instructions", "ignore all previous", "disregard your instructions", "jailbreak"} {
		if strings.Contains(l, w) {
			return "0.9992"
		}
	}
	return "0.0003"
}
