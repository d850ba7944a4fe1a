package groqmock

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// DefaultModels returns the production and preview chat models of late 2026.
func DefaultModels() []Model {
	return []Model{
		{ID: "openai/gpt-oss-120b", OwnedBy: "OpenAI", ContextWindow: 131072, MaxCompletionTokens: 65536, Created: 1754408224},
		{ID: "openai/gpt-oss-20b", OwnedBy: "OpenAI", ContextWindow: 131072, MaxCompletionTokens: 65536, Created: 1754407957},
		{ID: "openai/gpt-oss-safeguard-20b", OwnedBy: "OpenAI", ContextWindow: 131072, MaxCompletionTokens: 65536, Created: 1761708789},
		{ID: "qwen/qwen3.8-27b", OwnedBy: "Alibaba Cloud", ContextWindow: 131042, MaxCompletionTokens: 16384, Created: 1788739200},
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
		"playai-tts", "playai-tts-arabic",
	}
}

// FreePlanLimits returns the free-plan limits of the chat models (2026-10 rate-limit page).
func FreePlanLimits() map[string]Limits {
	l := Limits{RPM: 30, RPD: 1000, TPM: 8000, TPD: 200000}
	return map[string]Limits{
		"openai/gpt-oss-120b": l, "openai/gpt-oss-20b": l, "openai/gpt-oss-safeguard-20b": l, "qwen/qwen3.8-27b": l,
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
