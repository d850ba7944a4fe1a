// Package groqmock is an offline double of Groq's OpenAI-compatible API that
// follows the wire behaviour recorded in groq-api.md: chat completions (plain,
// streamed, tool calls), model listing, per-organisation per-model rate limits
// with Groq's headers and error texts, and injectable faults.
//
// Serve it with httptest.NewServer(groqmock.New(cfg)) and point a client at
// srv.URL+"/openai/v1". Its choices where Groq's behaviour is not documented:
//
//   - Tokens: CountTokens counts one token per started group of four code
//     points. A request's prompt costs, per message, 4 plus the tokens of its
//     text (text parts joined by newlines; images are free), plus the tokens of
//     the raw "tools" JSON when tools are sent.
//   - Answers: Reply(last user message), cut to max_completion_tokens (or
//     max_tokens) with finish_reason "length". Streams send one content chunk
//     per token. Tool calls follow the rule documented on the tools code: a
//     named tool_choice, "call <name> {json args}" in the last user message, or
//     tool_choice "required"; a conversation ending in a tool result gets text.
//   - Rate limits: one bucket per (organisation, model) with four units (RPM,
//     RPD, TPM, TPD), each draining continuously at limit/window. A request is
//     charged 1 request and an estimate of prompt + max completion tokens (or
//     Config.DefaultCompletionEstimate when unset); right after admission the
//     token units are corrected to the actual usage, so the response's headers
//     show the estimate and the next request sees the correction. A refused
//     request (413, 429) and a faulted one are never charged. When several units
//     refuse, the 429 names the one with the longest wait.
//   - Headers: x-ratelimit-* report RPD (requests) and TPM (tokens) of the
//     requested model on every chat response once the model is known, and are
//     left out for a unit without a limit; models endpoints carry none.
//     Every chat response carries x-request-id (the x_groq.id).
//   - Streams put x_groq.usage on the last chunk always and the top-level usage
//     only when stream_options.include_usage is true; no [DONE] follows an
//     injected error frame.
package groqmock
