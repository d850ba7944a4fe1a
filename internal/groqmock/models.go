package groqmock

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// Kind says which endpoints a model serves; the zero value is a chat model.
type Kind string

// The model kinds of Groq's catalogue.
const (
	KindChat          Kind = ""              // chat completions and responses
	KindTranscription Kind = "transcription" // audio transcriptions (and translations when Translation)
	KindSpeech        Kind = "speech"        // audio speech
	KindGuard         Kind = "guard"         // prompt-guard classifiers, served on chat completions
	KindCompound      Kind = "compound"      // groq/compound systems: chat with server-side tools
)

// Reasoning names a model family's reasoning controls (groq-api.md "Reasoning").
type Reasoning string

// The reasoning families.
const (
	ReasoningNone   Reasoning = ""
	ReasoningGPTOSS Reasoning = "gpt-oss" // reasoning_effort low|medium|high, include_reasoning, no reasoning_format
	ReasoningQwen   Reasoning = "qwen"    // reasoning_effort none|default, reasoning_format raw|parsed|hidden
)

// Model is one model the double serves. The zero value of every field after
// Created describes a plain chat model, so Model{ID, OwnedBy, ContextWindow,
// MaxCompletionTokens} stays a valid chat model.
type Model struct {
	ID                  string
	OwnedBy             string
	ContextWindow       int
	MaxCompletionTokens int
	Created             int64

	Kind Kind
	// Vision models take image_url content parts (within VisionLimits).
	Vision bool
	// Reasoning is the model's reasoning family; ReasoningNone for none.
	Reasoning Reasoning
	// BuiltinTools models take tools of type browser_search and code_interpreter.
	BuiltinTools bool
	// StrictSchema models honour json_schema strict:true (constrained decoding).
	StrictSchema bool
	// Translation transcription models also serve /audio/translations.
	Translation bool
	// Voices of a speech model.
	Voices []string
	// MaxToolCalls caps a compound system's tool calls per request.
	MaxToolCalls int
}

// DefaultModels returns Groq's catalogue as a free or developer organisation
// saw it in October 2026: chat and reasoning (gpt-oss, qwen3.8 with vision,
// allam), safety classifiers, Whisper speech-to-text and Orpheus
// text-to-speech. The compound systems were shut down on 2026-09-21 (see
// CompoundModels). The first entry is the default chat model of parley's tests.
func DefaultModels() []Model {
	return []Model{
		{ID: "openai/gpt-oss-120b", OwnedBy: "OpenAI", ContextWindow: 131072, MaxCompletionTokens: 65536, Created: 1754408224,
			Reasoning: ReasoningGPTOSS, BuiltinTools: true, StrictSchema: true},
		{ID: "openai/gpt-oss-20b", OwnedBy: "OpenAI", ContextWindow: 131072, MaxCompletionTokens: 65536, Created: 1754407957,
			Reasoning: ReasoningGPTOSS, BuiltinTools: true, StrictSchema: true},
		{ID: "openai/gpt-oss-safeguard-20b", OwnedBy: "OpenAI", ContextWindow: 131072, MaxCompletionTokens: 65536, Created: 1761708789,
			Reasoning: ReasoningGPTOSS},
		{ID: "qwen/qwen3.8-27b", OwnedBy: "Alibaba Cloud", ContextWindow: 131042, MaxCompletionTokens: 16384, Created: 1788739200,
			Reasoning: ReasoningQwen, Vision: true},
		{ID: "allam-2-7b", OwnedBy: "SDAIA", ContextWindow: 4096, MaxCompletionTokens: 4096, Created: 1737672203},
		{ID: "meta-llama/llama-prompt-guard-2-22m", OwnedBy: "Meta", ContextWindow: 512, MaxCompletionTokens: 512, Created: 1748632101,
			Kind: KindGuard},
		{ID: "meta-llama/llama-prompt-guard-2-86m", OwnedBy: "Meta", ContextWindow: 512, MaxCompletionTokens: 512, Created: 1748632165,
			Kind: KindGuard},
		{ID: "whisper-large-v3", OwnedBy: "OpenAI", ContextWindow: 448, MaxCompletionTokens: 448, Created: 1693721698,
			Kind: KindTranscription, Translation: true},
		{ID: "whisper-large-v3-turbo", OwnedBy: "OpenAI", ContextWindow: 448, MaxCompletionTokens: 448, Created: 1728413088,
			Kind: KindTranscription},
		{ID: "canopylabs/orpheus-v1-english", OwnedBy: "Canopy Labs", ContextWindow: 4000, MaxCompletionTokens: 50000, Created: 1766186316,
			Kind: KindSpeech, Voices: []string{"autumn", "diana", "hannah", "austin", "daniel", "troy"}},
		{ID: "canopylabs/orpheus-arabic-saudi", OwnedBy: "Canopy Labs", ContextWindow: 4000, MaxCompletionTokens: 50000, Created: 1765926439,
			Kind: KindSpeech, Voices: []string{"abdullah", "fahad", "sultan", "lulwa", "noura", "aisha"}},
	}
}

// CompoundModels returns Groq's compound systems as they were served until
// their shutdown on 2026-09-21, for deployments (and demos) that still want
// them: groq/compound makes up to 10 tool calls, groq/compound-mini one.
func CompoundModels() []Model {
	return []Model{
		{ID: "groq/compound", OwnedBy: "Groq", ContextWindow: 131072, MaxCompletionTokens: 8192, Created: 1756949530,
			Kind: KindCompound, MaxToolCalls: 10},
		{ID: "groq/compound-mini", OwnedBy: "Groq", ContextWindow: 131072, MaxCompletionTokens: 8192, Created: 1756949707,
			Kind: KindCompound, MaxToolCalls: 1},
	}
}

// DefaultDecommissioned returns model ids shut down for free and developer tiers.
func DefaultDecommissioned() []string {
	return []string{
		"llama-3.3-70b-versatile", "llama-3.1-8b-instant", "groq/compound", "groq/compound-mini",
		"qwen/qwen3.6-27b", "qwen/qwen3-32b", "meta-llama/llama-4-scout-17b-16e-instruct",
		"meta-llama/llama-4-maverick-17b-128e-instruct", "meta-llama/llama-guard-4-12b",
		"moonshotai/kimi-k2-instruct", "moonshotai/kimi-k2-instruct-0905", "gemma2-9b-it",
		"deepseek-r1-distill-llama-70b", "llama3-70b-8192", "llama3-8b-8192", "mixtral-8x7b-32768",
		"playai-tts", "playai-tts-arabic", "distil-whisper-large-v3-en",
	}
}

// FreePlanLimits returns the free-plan limits of the default models and the
// compound systems (rate-limit page, 2026-10; compound from its 2025–26 copy).
func FreePlanLimits() map[string]Limits {
	l := Limits{RPM: 30, RPD: 1000, TPM: 8000, TPD: 200000}
	guard := Limits{RPM: 30, RPD: 14400, TPM: 15000, TPD: 500000}
	whisper := Limits{RPM: 20, RPD: 2000, ASH: 7200, ASD: 28800}
	orpheus := Limits{RPM: 10, RPD: 100, TPM: 1200, TPD: 3600}
	compound := Limits{RPM: 30, RPD: 250, TPM: 70000}
	return map[string]Limits{
		"openai/gpt-oss-120b": l, "openai/gpt-oss-20b": l, "openai/gpt-oss-safeguard-20b": l, "qwen/qwen3.8-27b": l,
		"allam-2-7b":                          {RPM: 30, RPD: 7000, TPM: 6000, TPD: 500000},
		"meta-llama/llama-prompt-guard-2-22m": guard, "meta-llama/llama-prompt-guard-2-86m": guard,
		"whisper-large-v3": whisper, "whisper-large-v3-turbo": whisper,
		"canopylabs/orpheus-v1-english": orpheus, "canopylabs/orpheus-arabic-saudi": orpheus,
		"groq/compound": compound, "groq/compound-mini": compound,
	}
}

// modelObject is one entry of GET /openai/v1/models, with Groq's extra fields.
type modelObject struct {
	ID                  string `json:"id"`
	Object              string `json:"object"`
	Created             int64  `json:"created"`
	OwnedBy             string `json:"owned_by"`
	Active              bool   `json:"active"`
	ContextWindow       int    `json:"context_window"`
	PublicApps          *bool  `json:"public_apps"`
	MaxCompletionTokens int    `json:"max_completion_tokens"`
}

func toObject(m *Model) modelObject {
	return modelObject{ID: m.ID, Object: "model", Created: m.Created, OwnedBy: m.OwnedBy, Active: true,
		ContextWindow: m.ContextWindow, MaxCompletionTokens: m.MaxCompletionTokens}
}

func buildModelList(models []Model) []byte {
	list := struct {
		Object string        `json:"object"`
		Data   []modelObject `json:"data"`
	}{Object: "list", Data: make([]modelObject, 0, len(models))}
	for i := range models {
		list.Data = append(list.Data, toObject(&models[i]))
	}
	b, _ := json.Marshal(list)
	return append(b, '\n')
}

func writeJSON(w http.ResponseWriter, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func (s *Server) listModels(w http.ResponseWriter) { writeJSON(w, s.modelList) }

func (s *Server) getModel(w http.ResponseWriter, id string) {
	m := s.models[id]
	if m == nil {
		writeError(w, http.StatusNotFound, modelNotFound(id))
		return
	}
	b, _ := json.Marshal(toObject(m))
	writeJSON(w, append(b, '\n'))
}

func modelNotFound(id string) apiError {
	return apiError{
		Message: "The model `" + id + "` does not exist or you do not have access to it.",
		Type:    "invalid_request_error", Code: "model_not_found",
	}
}

// lookupModel resolves a request's model id: known, decommissioned (400) or unknown (404).
func (s *Server) lookupModel(id string) (*Model, *reqError) {
	if m := s.models[id]; m != nil {
		return m, nil
	}
	if s.decomm[id] {
		return nil, &reqError{status: http.StatusBadRequest, body: apiError{
			Message: "The model `" + id + "` has been decommissioned and is no longer supported. Please refer to " +
				"https://console.groq.com/docs/deprecations for a recommendation on which model to use instead.",
			Type: "invalid_request_error", Code: "model_decommissioned"}}
	}
	return nil, &reqError{status: http.StatusNotFound, body: modelNotFound(id)}
}

// wrongKind is the 400 for a model used on an endpoint it does not serve.
func wrongKind(m *Model, what string) *reqError {
	e := badRequest("model", "The model `"+m.ID+"` does not support "+what+".")
	e.body.Code = "model_not_supported"
	return e
}
