package httpapi_test

import (
	"testing"

	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/httpapi/apitest"
)

// openAIErr decodes an OpenAI error envelope.
func openAIErr(t *testing.T, res *apitest.Response) httpapi.OpenAIErrorBody {
	t.Helper()
	var env httpapi.OpenAIError
	res.Decode(t, &env)
	if env.Error.Message == "" || env.Error.Type == "" {
		t.Fatalf("not an OpenAI error envelope: %s", res.Body)
	}
	return env.Error
}
