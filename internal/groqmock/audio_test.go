package groqmock

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-audio/wav"
	"github.com/openai/openai-go/v3"
)

// speech asks the double for speech and returns the WAV bytes.
func speech(t *testing.T, hs *httptest.Server, text string) []byte {
	t.Helper()
	c := client(hs, "gsk_a1")
	resp, err := c.Audio.Speech.New(context.Background(), openai.AudioSpeechNewParams{
		Model: "canopylabs/orpheus-v1-english", Input: text,
		Voice:          openai.AudioSpeechNewParamsVoiceUnion{OfString: openai.String("autumn")},
		ResponseFormat: openai.AudioSpeechNewParamsResponseFormatWAV,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
	}
	return b
}

func TestSpeechIsPlayableWAV(t *testing.T) {
	_, hs, _ := start(t, Config{})
	b := speech(t, hs, "[cheerful] Hello there, this is parley reading aloud.")
	d := wav.NewDecoder(bytes.NewReader(b))
	buf, err := d.FullPCMBuffer()
	if err != nil || !d.IsValidFile() || d.SampleRate != 48000 || d.NumChans != 1 || d.BitDepth != 16 {
		t.Fatalf("not a 48 kHz mono 16-bit WAV: %v %+v", err, d)
	}
	dur, _ := d.Duration()
	// 7 spoken words (the direction is not spoken) at 0.36 s each.
	if math.Abs(dur.Seconds()-7*0.36) > 0.01 {
		t.Errorf("duration %v", dur)
	}
	peak := 0
	for _, v := range buf.Data {
		peak = max(peak, v, -v)
	}
	if peak < 5000 || peak > 32767 {
		t.Errorf("peak %d: silent or clipped", peak)
	}
}

func TestSpeechRefusals(t *testing.T) {
	_, hs, _ := start(t, Config{})
	ok := map[string]any{"model": "canopylabs/orpheus-v1-english", "input": "hi", "voice": "troy"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for a, b := range ok {
			m[a] = b
		}
		m[k] = v
		return m
	}
	tests := []struct {
		body   map[string]any
		status int
		msg    string
	}{
		{with("response_format", "mp3"), 400, "response_format must be one of [wav]"},
		{with("voice", "alloy"), 400, "voice must be one of [autumn diana hannah austin daniel troy]"},
		{with("sample_rate", 11025), 400, "sample_rate must be one of"},
		{with("speed", 9), 400, "'speed' : number must be between 0.5 and 5"},
		{with("input", strings.Repeat("a", 4001)), 400, "input must be at most 4000 characters"},
		{with("model", testModel), 400, "does not support audio speech"},
		{with("sample_rate", 8000), 200, ""},
	}
	for _, tt := range tests {
		r := do(t, hs, http.MethodPost, "/openai/v1/audio/speech", "gsk_a1", tt.body)
		if r.status != tt.status || (tt.msg != "" && !strings.Contains(apiErr(t, r.body).Message, tt.msg)) {
			t.Errorf("%v: %d %.200s", tt.body, r.status, r.body)
		}
	}
}

func TestTranscriptionFormatsWithOpenAIClient(t *testing.T) {
	_, hs, _ := start(t, Config{})
	audio := speech(t, hs, "The quick brown fox. It jumps over the lazy dog.")
	c := client(hs, "gsk_a1")
	got, err := c.Audio.Transcriptions.New(context.Background(), openai.AudioTranscriptionNewParams{
		File: openai.File(bytes.NewReader(audio), "note.wav", "audio/wav"), Model: "whisper-large-v3-turbo"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Text != " The quick brown fox. It jumps over the lazy dog." || !strings.Contains(got.RawJSON(), `"x_groq":{"id":"req_`) {
		t.Errorf("json: %s", got.RawJSON())
	}
	verbose, err := c.Audio.Transcriptions.New(context.Background(), openai.AudioTranscriptionNewParams{
		File: openai.File(bytes.NewReader(audio), "note.wav", "audio/wav"), Model: "whisper-large-v3",
		ResponseFormat: openai.AudioResponseFormatVerboseJSON, TimestampGranularities: []string{"word", "segment"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(verbose.Segments) != 2 || verbose.Segments[1].Text != " It jumps over the lazy dog." || len(verbose.Words) != 10 ||
		verbose.Language != "English" || math.Abs(verbose.Duration-10*0.36) > 0.01 || verbose.Segments[1].End > verbose.Duration+0.01 {
		t.Errorf("verbose: %s", verbose.RawJSON())
	}
	// Words only: segments is null, as Groq answers.
	r := postAudio(t, hs, "/openai/v1/audio/transcriptions", "note.wav", audio,
		map[string]string{"model": "whisper-large-v3", "response_format": "verbose_json", "timestamp_granularities[]": "word"})
	if r.status != 200 || !strings.Contains(r.body, `"segments":null`) || !strings.Contains(r.body, `"words":[{"word":"The"`) {
		t.Errorf("words only: %s", r.body)
	}
	r = postAudio(t, hs, "/openai/v1/audio/transcriptions", "note.wav", audio, map[string]string{"model": "whisper-large-v3", "response_format": "text"})
	if r.status != 200 || r.body != " The quick brown fox. It jumps over the lazy dog.\n" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("text: %q %v", r.body, r.header)
	}
	tr, err := c.Audio.Translations.New(context.Background(), openai.AudioTranslationNewParams{
		File: openai.File(bytes.NewReader(audio), "note.wav", "audio/wav"), Model: "whisper-large-v3"})
	if err != nil || tr.Text != " The quick brown fox. It jumps over the lazy dog." {
		t.Errorf("translation %+v %v", tr, err)
	}
}

func postAudio(t *testing.T, hs *httptest.Server, path, filename string, data []byte, fields map[string]string) reply {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	if filename != "" {
		fw, _ := mw.CreateFormFile("file", filename)
		_, _ = fw.Write(data)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, hs.URL+path, &body)
	req.Header.Set("Authorization", "Bearer gsk_a1")
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

func TestTranscriptionRefusals(t *testing.T) {
	_, hs, _ := start(t, Config{})
	wavData, _ := SynthesizeWAV("hello", "troy", 16000, 1)
	webm := append([]byte{0x1A, 0x45, 0xDF, 0xA3}, make([]byte, 32000)...)
	tests := []struct {
		name   string
		path   string
		file   string
		data   []byte
		fields map[string]string
		status int
		msg    string
	}{
		{"srt", "transcriptions", "a.wav", wavData, map[string]string{"response_format": "srt"}, 400, "response_format must be one of [json text verbose_json]"},
		{"vtt", "transcriptions", "a.wav", wavData, map[string]string{"response_format": "vtt"}, 400, "response_format must be one of"},
		{"oga extension", "transcriptions", "voice.oga", wavData, nil, 400, "file must be one of the following types: [flac mp3 mp4 mpeg mpga m4a ogg opus wav webm]"},
		{"not audio", "transcriptions", "a.mp3", []byte("hello, I am text"), nil, 400, "could not process file - is it a valid media file?"},
		{"no file", "transcriptions", "", nil, nil, 400, "either file or url must be provided"},
		{"granularity without verbose", "transcriptions", "a.wav", wavData, map[string]string{"timestamp_granularities[]": "word"}, 400, "requires response_format"},
		{"long prompt", "transcriptions", "a.wav", wavData, map[string]string{"prompt": strings.Repeat("x", 904)}, 400,
			"prompt length must be 896 characters or fewer, but provided prompt contains 904 characters"},
		{"turbo translation", "translations", "a.wav", wavData, map[string]string{"model": "whisper-large-v3-turbo"}, 400, "does not support audio translations"},
		{"chat model", "transcriptions", "a.wav", wavData, map[string]string{"model": testModel}, 400, "does not support audio transcriptions"},
		{"too large", "transcriptions", "big.wav", make([]byte, MaxAudioUpload+1), nil, 413, "Request Entity Too Large"},
		{"webm accepted", "transcriptions", "rec.webm", webm, nil, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := map[string]string{"model": "whisper-large-v3"}
			for k, v := range tt.fields {
				fields[k] = v
			}
			r := postAudio(t, hs, "/openai/v1/audio/"+tt.path, tt.file, tt.data, fields)
			if r.status != tt.status || (tt.msg != "" && !strings.Contains(apiErr(t, r.body).Message, tt.msg)) {
				t.Errorf("%d %.300s", r.status, r.body)
			}
		})
	}
	// A url field with a base64 data URL works like a file.
	r := postAudio(t, hs, "/openai/v1/audio/transcriptions", "", nil, map[string]string{"model": "whisper-large-v3",
		"url": "data:audio/wav;base64," + base64.StdEncoding.EncodeToString(wavData)})
	if r.status != 200 || !strings.Contains(r.body, `"text":" hello"`) {
		t.Errorf("data url: %d %s", r.status, r.body)
	}
}

func TestAudioSecondsLimits(t *testing.T) {
	mock, hs, clk := start(t, Config{Orgs: []Org{{ID: "org_a", Keys: []string{"gsk_a1"},
		Limits: map[string]Limits{"whisper-large-v3": {RPD: 2000, ASH: 25, ASD: 28800}}}}})
	short, _ := SynthesizeWAV("one two", "troy", 16000, 1) // 0.72 s, billed 10 s
	fields := map[string]string{"model": "whisper-large-v3"}
	r := postAudio(t, hs, "/openai/v1/audio/transcriptions", "a.wav", short, fields)
	h := r.header
	if r.status != 200 || h.Get("X-Ratelimit-Limit-Audio-Seconds") != "25" || h.Get("X-Ratelimit-Remaining-Audio-Seconds") != "15" ||
		h.Get("X-Ratelimit-Reset-Audio-Seconds") != "24m0s" || h.Get("X-Ratelimit-Limit-Requests") != "2000" || h.Get("X-Ratelimit-Limit-Tokens") != "" {
		t.Fatalf("headers %v", h)
	}
	_ = postAudio(t, hs, "/openai/v1/audio/transcriptions", "a.wav", short, fields)
	r = postAudio(t, hs, "/openai/v1/audio/transcriptions", "a.wav", short, fields)
	e := apiErr(t, r.body)
	want := "Rate limit reached for model `whisper-large-v3` in organization `org_a` service tier `on_demand` on audio seconds per hour (ASH): " +
		"Limit 25, Used 20, Requested 10. Please try again in 12m0s."
	if r.status != 429 || e.Type != "audio_seconds" || e.Code != "rate_limit_exceeded" || !strings.HasPrefix(e.Message, want) ||
		r.header.Get("Retry-After") != "720" {
		t.Errorf("429: %d %v %s", r.status, r.header, r.body)
	}
	clk.Advance(12 * 60e9)
	if r = postAudio(t, hs, "/openai/v1/audio/transcriptions", "a.wav", short, fields); r.status != 200 {
		t.Errorf("after the wait: %d %s", r.status, r.body)
	}
	if st := mock.Stats().Orgs["org_a"]; st.AudioSeconds != 30 || st.RateLimited != 1 {
		t.Errorf("stats %+v", st)
	}
	long := append([]byte{0x1A, 0x45, 0xDF, 0xA3}, make([]byte, 26*nominalBytesPerSecond)...) // ~26 s of webm > ASH 25
	r = postAudio(t, hs, "/openai/v1/audio/transcriptions", "a.webm", long, fields)
	if r.status != 413 || !strings.Contains(r.body, "Request too large for model `whisper-large-v3`") {
		t.Errorf("over ASH: %d %s", r.status, r.body)
	}
}

// FuzzInspectAudio: no upload makes the double panic or allocate past the file.
func FuzzInspectAudio(f *testing.F) {
	w, _ := SynthesizeWAV("seed words", "troy", 8000, 1)
	f.Add(w)
	f.Add(w[:44])
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, ok := inspectAudio(b)
		if ok && (info.seconds < 0 || math.IsNaN(info.seconds) || len(info.text) > len(b)) {
			t.Errorf("info %+v for %d bytes", info, len(b))
		}
	})
}
