package httpapi

import (
	"net/http"
	"time"
)

// UsageJSON is the body of GET /api/v1/usage.
type UsageJSON struct {
	Day       string           `json:"day"`
	Quota     *int64           `json:"quota"`
	Used      int64            `json:"used"`
	Remaining *int64           `json:"remaining"`
	ResetsAt  Time             `json:"resets_at"`
	ByModel   []ModelUsageJSON `json:"by_model"`
}

// ModelUsageJSON is one model's share of a day's usage.
type ModelUsageJSON struct {
	Model            string `json:"model"`
	Requests         int64  `json:"requests"`
	PromptTokens     int64  `json:"prompt_tokens"`
	CompletionTokens int64  `json:"completion_tokens"`
}

// getUsage answers GET /api/v1/usage: today's use, what is left, and when
// the quota resets.
func (s *Server) getUsage(w http.ResponseWriter, r *http.Request) error {
	u, _ := CurrentUser(r)
	sum, err := s.d.Usage.Usage(r.Context(), u)
	if err != nil {
		return err
	}
	out := UsageJSON{Day: sum.Day.Format(time.DateOnly), Used: sum.Used, ResetsAt: Time(sum.ResetsAt), ByModel: []ModelUsageJSON{}}
	if sum.Quota > 0 {
		q, rem := sum.Quota, sum.Remaining()
		out.Quota, out.Remaining = &q, &rem
	}
	for _, m := range sum.ByModel {
		out.ByModel = append(out.ByModel, ModelUsageJSON{Model: m.Model, Requests: m.Requests,
			PromptTokens: m.PromptTokens, CompletionTokens: m.CompletionTokens})
	}
	return WriteJSON(w, http.StatusOK, out)
}
