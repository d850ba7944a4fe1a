package httpapi

import (
	"net/http"
	"sort"
	"strconv"

	"github.com/parley-chat/parley/internal/account"
	"github.com/parley-chat/parley/internal/errs"
)

// OpenAIError is the body of every /v1 error, in OpenAI's envelope.
type OpenAIError struct {
	Error OpenAIErrorBody `json:"error"`
}

// OpenAIErrorBody is the inside of OpenAI's error envelope.
type OpenAIErrorBody struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

// openAIKind is the status, type and code a parley error becomes on /v1.
type openAIKind struct {
	status    int
	typ, code string
}

var openAIKinds = map[errs.Code]openAIKind{
	errs.Invalid:       {http.StatusBadRequest, "invalid_request_error", ""},
	errs.Unauthorized:  {http.StatusUnauthorized, "invalid_request_error", "invalid_api_key"},
	errs.Forbidden:     {http.StatusForbidden, "invalid_request_error", "forbidden"},
	errs.NotFound:      {http.StatusNotFound, "invalid_request_error", "model_not_found"}, // /v1 has no other 404
	errs.Conflict:      {http.StatusConflict, "invalid_request_error", "conflict"},
	errs.TooLarge:      {http.StatusRequestEntityTooLarge, "invalid_request_error", "request_too_large"},
	errs.RateLimited:   {http.StatusTooManyRequests, "rate_limit_error", "rate_limit_exceeded"},
	errs.QuotaExceeded: {http.StatusTooManyRequests, "insufficient_quota", "insufficient_quota"},
	errs.Unavailable:   {http.StatusServiceUnavailable, "server_error", "service_unavailable"},
	errs.Upstream:      {http.StatusBadGateway, "server_error", "upstream_error"},
}

// openAIErrorFor converts err into OpenAI's envelope and its status. An
// uncoded error is a 500 whose message carries an error id, logged here.
func openAIErrorFor(r *http.Request, err error) (int, OpenAIError, int) {
	e, ok := errs.As(err)
	k, known := openAIKinds[errs.CodeOf(err)]
	if !ok || !known {
		p, _ := ProblemFor(r, err)
		Logger(r).ErrorContext(r.Context(), "unexpected error", "error_id", p.ErrorID, "err", err.Error())
		if info := infoFrom(r.Context()); info != nil {
			info.errorID = p.ErrorID
		}
		code := "internal_error"
		return http.StatusInternalServerError, OpenAIError{OpenAIErrorBody{Message: p.Detail, Type: "server_error", Code: &code}}, 0
	}
	body := OpenAIErrorBody{Message: e.Message, Type: k.typ}
	if k.code != "" {
		c := k.code
		body.Code = &c
	}
	if len(e.Fields) > 0 {
		names := make([]string, 0, len(e.Fields))
		for f := range e.Fields {
			names = append(names, f)
		}
		sort.Strings(names)
		p := names[0]
		body.Param = &p
		if body.Message == "validation failed" {
			body.Message = p + " " + e.Fields[p]
		}
	}
	return k.status, OpenAIError{body}, e.RetryAfterSeconds
}

// writeOpenAIError answers err in OpenAI's envelope.
func writeOpenAIError(w http.ResponseWriter, r *http.Request, err error) {
	status, body, retry := openAIErrorFor(r, err)
	if retry > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retry))
	}
	if errs.CodeOf(err) == errs.QuotaExceeded {
		// OpenAI's clients honour this: retrying before the reset is useless.
		w.Header().Set("X-Should-Retry", "false")
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="parley"`)
	}
	_ = WriteJSON(w, status, body)
}

// modelNotFound is OpenAI's answer to an unknown model.
func modelNotFound(model string) error {
	return &errs.Error{Code: errs.NotFound, Fields: map[string]string{"model": "does not exist"},
		Message: "The model `" + model + "` does not exist or you do not have access to it."}
}

// openAIHandler authenticates a personal API token and answers errors in
// OpenAI's envelope; h gets the token's user.
func (a *ChatAPI) openAIHandler(w http.ResponseWriter, r *http.Request,
	h func(w http.ResponseWriter, r *http.Request, u account.User) error) error {
	u, tok, err := a.authenticateAPIToken(r)
	if err == nil {
		r = r.WithContext(WithUser(r.Context(), u, tok.ID))
		err = h(w, r, u)
	}
	if err != nil {
		writeOpenAIError(w, r, err)
	}
	return nil
}

type openAIModel struct {
	ID            string `json:"id"`
	Object        string `json:"object"`
	Created       int64  `json:"created"`
	OwnedBy       string `json:"owned_by"`
	ContextWindow int    `json:"context_window,omitempty"`
	MaxCompletion int    `json:"max_completion_tokens,omitempty"`
}

type openAIModelList struct {
	Object string        `json:"object"`
	Data   []openAIModel `json:"data"`
}

// openAIModels answers GET /v1/models.
func (a *ChatAPI) openAIModels(w http.ResponseWriter, r *http.Request) error {
	return a.openAIHandler(w, r, func(w http.ResponseWriter, r *http.Request, _ account.User) error {
		out := openAIModelList{Object: "list", Data: []openAIModel{}}
		if a.configured() {
			ms, err := a.d.Chat.Models(r.Context())
			if err != nil {
				return err
			}
			for _, m := range ms {
				out.Data = append(out.Data, openAIModel{ID: m.ID, Object: "model", Created: m.Created, OwnedBy: m.OwnedBy,
					ContextWindow: m.ContextWindow, MaxCompletion: m.MaxCompletion})
			}
		}
		return WriteJSON(w, http.StatusOK, out)
	})
}
