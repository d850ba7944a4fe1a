package groqmock

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// apiError is the inside of Groq's error envelope {"error":{…}}.
type apiError struct {
	Message          string `json:"message"`
	Type             string `json:"type"`
	Param            string `json:"param,omitempty"`
	Code             string `json:"code,omitempty"`
	FailedGeneration string `json:"failed_generation,omitempty"`
	StatusCode       int    `json:"status_code,omitempty"`
}

// envelope marshals e as Groq does: compact JSON followed by a newline.
func envelope(e apiError) []byte {
	b, err := json.Marshal(struct {
		Error apiError `json:"error"`
	}{e})
	if err != nil { // cannot happen: only strings and ints
		panic(err)
	}
	return append(b, '\n')
}

// writeError answers status with the error envelope.
func writeError(w http.ResponseWriter, status int, e apiError) {
	b := envelope(e)
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// invalid answers 400 invalid_request_error about param.
func invalid(w http.ResponseWriter, param, msg string) {
	writeError(w, http.StatusBadRequest, apiError{Message: msg, Type: "invalid_request_error", Param: param})
}
