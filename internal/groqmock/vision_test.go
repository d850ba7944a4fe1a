package groqmock

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
)

const visionModel = "qwen/qwen3.8-27b"

// pngOf returns a PNG whose header declares w×h (the pixels are 1×1: DecodeConfig reads only the header).
func pngOf(t *testing.T, w, h uint32) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 1, 1))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], w) // IHDR data starts at 16: width, height
	binary.BigEndian.PutUint32(b[20:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	return b
}

func dataURL(b []byte) string { return "data:image/png;base64," + base64.StdEncoding.EncodeToString(b) }

func imageMessage(text string, urls ...string) map[string]any {
	parts := []map[string]any{{"type": "text", "text": text}}
	for _, u := range urls {
		parts = append(parts, map[string]any{"type": "image_url", "image_url": map[string]any{"url": u}})
	}
	return map[string]any{"role": "user", "content": parts}
}

func TestVisionWithOpenAIClient(t *testing.T) {
	_, hs, _ := start(t, Config{})
	c := client(hs, "gsk_a1")
	got, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{
		Model: visionModel,
		Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage([]openai.ChatCompletionContentPartUnionParam{
			openai.TextContentPart("what is in this picture"),
			openai.ImageContentPart(openai.ChatCompletionContentPartImageImageURLParam{URL: dataURL(pngOf(t, 640, 480))}),
		})},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Choices[0].Message.Content != Reply("what is in this picture") {
		t.Errorf("content %q", got.Choices[0].Message.Content)
	}
}

func TestVisionLimits(t *testing.T) {
	img := pngOf(t, 100, 100)
	served := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok.png":
			_, _ = w.Write(img)
		case "/huge.png":
			_, _ = w.Write(pngOf(t, 8000, 5000))
		default:
			http.NotFound(w, r)
		}
	}))
	defer served.Close()
	_, hs, _ := start(t, Config{FetchClient: served.Client()})
	six := make([]string, 6)
	for i := range six {
		six[i] = dataURL(img)
	}
	tests := []struct {
		name   string
		model  string
		msg    map[string]any
		status int
		want   string
	}{
		{"non-vision model", testModel, imageMessage("look", dataURL(img)), 400, "messages[0].content must be a string"},
		{"five images pass", visionModel, imageMessage("look", six[:5]...), 200, ""},
		{"six images", visionModel, imageMessage("look", six...), 400, "up to 5 images"},
		{"over 33 megapixels", visionModel, imageMessage("look", dataURL(pngOf(t, 8000, 5000))), 400, "exceeds the maximum of 33177600 pixels"},
		{"exactly 33 megapixels", visionModel, imageMessage("look", dataURL(pngOf(t, 7680, 4320))), 200, ""},
		{"not an image", visionModel, imageMessage("look", dataURL([]byte("plain text"))), 400, "could not be decoded"},
		{"broken base64", visionModel, imageMessage("look", "data:image/png;base64,***"), 400, "could not be decoded"},
		{"base64 request over 4MB", visionModel, imageMessage(strings.Repeat("x", MaxBase64Request), dataURL(img)), 413, "Request Entity Too Large"},
		{"URL image", visionModel, imageMessage("look", served.URL+"/ok.png"), 200, ""},
		{"URL image over 33 megapixels", visionModel, imageMessage("look", served.URL+"/huge.png"), 400, "33177600 pixels"},
		{"URL that fails", visionModel, imageMessage("look", served.URL+"/missing.png"), 400, "Failed to retrieve image"},
		{"file URL", visionModel, imageMessage("look", "file:///etc/passwd"), 400, "only http, https and data URLs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, hs, "gsk_a1", map[string]any{"model": tt.model, "messages": []map[string]any{tt.msg},
				"max_completion_tokens": 10})
			if r.status != tt.status || (tt.want != "" && !strings.Contains(apiErr(t, r.body).Message, tt.want)) {
				t.Errorf("%d %.300s", r.status, r.body)
			}
		})
	}
}
