package httpapi_test

import (
	"testing"

	"github.com/parley-chat/parley/internal/httpapi/apitest"
	"github.com/parley-chat/parley/internal/httpapi/problem"
)

// openAIErr decodes an OpenAI error envelope.
func openAIErr(t *testing.T, res *apitest.Response) problem.OpenAIBody {
	t.Helper()
	var env problem.OpenAI
	res.Decode(t, &env)
	if env.Error.Message == "" || env.Error.Type == "" {
		t.Fatalf("not an OpenAI error envelope: %s", res.Body)
	}
	return env.Error
}
