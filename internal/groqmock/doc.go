// Package groqmock is an offline double of Groq's OpenAI-compatible API that
// follows the wire behaviour recorded in groq-api.md: chat completions (plain,
// streamed, tool calls, vision, reasoning, JSON modes, built-in tools and
// compound systems), the Responses API, Whisper transcriptions and
// translations, Orpheus speech, model listing, per-organisation per-model rate
// limits (requests, tokens and audio seconds) with Groq's headers and error
// texts, and injectable faults.
//
// Serve it with httptest.NewServer(groqmock.New(cfg)) and point a client at
// srv.URL+"/openai/v1". Its choices where Groq's behaviour is not documented:
//
//   - Tokens: CountTokens counts one token per started group of four code
//     points. A request's prompt costs, per message, 4 plus the tokens of its
//     text (text parts joined by newlines; images are free), plus the tokens of
//     the raw "tools" JSON when tools are sent.
//   - Answers: Reply(last user message) with Config.Answers AnswersEcho (the
//     default), DemoAnswer with AnswersDemo; cut to max_completion_tokens (or
//     max_tokens) with finish_reason "length", reasoning first. Streams send
//     one chunk per token. Tool calls follow the rule documented on pickCalls;
//     built-in tools the rule on runBuiltins.
//   - Reasoning: in AnswersEcho mode a reasoning model reasons only when the
//     request asks (reasoning_effort, reasoning_format or include_reasoning
//     true), so echo token counts stay those of Reply; AnswersDemo follows
//     Groq's defaults (gpt-oss: message.reasoning; qwen: <think> in content,
//     parsed with JSON mode or tools). The text is ReasoningFor.
//   - Rate limits: one bucket per (organisation, model) with six units (RPM,
//     RPD, TPM, TPD, ASH, ASD), each draining continuously at limit/window. A
//     chat request is charged 1 request and an estimate of prompt + max
//     completion tokens (or Config.DefaultCompletionEstimate when unset);
//     right after admission the token units are corrected to the actual
//     usage, so the response's headers show the estimate and the next request
//     sees the correction. Speech charges its characters as tokens; audio
//     transcription charges max(duration, 10) audio seconds. A refused request
//     (413, 429) and a faulted one are never charged. When several units
//     refuse, the 429 names the one with the longest wait.
//   - Headers: x-ratelimit-* report RPD (requests), TPM (tokens) and ASH
//     (audio-seconds) of the requested model on every response once the model
//     is known, and are left out for a unit without a limit; models endpoints
//     carry none. Every chat, responses and audio answer carries x-request-id.
//   - Streams put x_groq.usage on the last chunk always and the top-level usage
//     only when stream_options.include_usage is true; no [DONE] follows an
//     injected error frame.
//   - Audio: WAV durations are exact; other containers are recognised by
//     magic bytes and their length estimated at 16 kB/s. A WAV made by the
//     speech endpoint transcribes to its own text; other audio to TranscriptFor.
package groqmock
