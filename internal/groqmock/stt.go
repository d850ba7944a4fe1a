package groqmock

import (
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// sttRequest is a validated transcription or translation request.
type sttRequest struct {
	translate  bool
	model      *Model
	audio      []byte
	ext        string
	format     string // json, text, verbose_json
	words      bool   // timestamp_granularities has word
	segments   bool   // timestamp_granularities has segment (the default)
	language   string
	duration   float64
	transcript string
}

var languageCode = regexp.MustCompile(`^[a-z]{2,3}$`)

// transcribe serves POST /openai/v1/audio/transcriptions and /translations.
func (s *Server) transcribe(w http.ResponseWriter, r *http.Request, ks *keyState, translate bool) {
	var req *sttRequest
	s.serveAudio(w, r, ks, func(now time.Time) (*audioCall, *reqError) {
		var e *reqError
		req, e = s.parseSTT(w, r, translate)
		if e != nil {
			return nil, e
		}
		billed := math.Max(req.duration, MinBilledSeconds)
		return &audioCall{model: req.model, cost: cost{audio: billed}}, nil
	}, func(*audioCall) { s.writeSTT(w, req) })
}

func (s *Server) parseSTT(w http.ResponseWriter, r *http.Request, translate bool) (*sttRequest, *reqError) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxAudioUpload+1<<20)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		if e := tooLargeBody(err); e.status == http.StatusRequestEntityTooLarge {
			return nil, e
		}
		return nil, badRequest("", "request Content-Type isn't multipart/form-data")
	}
	defer r.MultipartForm.RemoveAll()
	form := r.MultipartForm.Value
	get := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	what := "audio transcriptions"
	if translate {
		what = "audio translations"
	}
	m, e := s.audioModel(get("model"), KindTranscription, what)
	if e != nil {
		return nil, e
	}
	req := &sttRequest{translate: translate, model: m, format: "json", segments: true}
	fail := func(param, msg string) (*sttRequest, *reqError) {
		e := badRequest(param, msg)
		e.model = m
		return nil, e
	}
	if translate && !m.Translation {
		e := wrongKind(m, what)
		e.model = m
		return nil, e
	}
	if f := get("response_format"); f != "" {
		if f != "json" && f != "text" && f != "verbose_json" {
			return fail("response_format", "response_format must be one of [json text verbose_json]")
		}
		req.format = f
	}
	if g := append(form["timestamp_granularities[]"], form["timestamp_granularities"]...); len(g) > 0 {
		if req.format != "verbose_json" {
			return fail("timestamp_granularities", "timestamp_granularities requires response_format to be verbose_json")
		}
		req.words, req.segments = false, false
		for _, v := range g {
			switch v {
			case "word":
				req.words = true
			case "segment":
				req.segments = true
			default:
				return fail("timestamp_granularities", "timestamp_granularities must be one of [word segment]")
			}
		}
	}
	if t := get("temperature"); t != "" {
		if v, err := strconv.ParseFloat(t, 64); err != nil || v < 0 || v > 1 {
			return fail("temperature", "'temperature' : number must be between 0 and 1")
		}
	}
	if p := get("prompt"); utf8.RuneCountInString(p) > MaxAudioPromptRune {
		return fail("prompt", fmt.Sprintf("prompt length must be %d characters or fewer, but provided prompt contains %d characters",
			MaxAudioPromptRune, utf8.RuneCountInString(p)))
	}
	req.language = get("language")
	if req.language != "" && (!languageCode.MatchString(req.language) || (translate && req.language != "en")) {
		if translate {
			return fail("language", "language must be en for translations")
		}
		return fail("language", "language must be an ISO-639-1 code such as en or fr")
	}
	files := r.MultipartForm.File["file"]
	url := get("url")
	switch {
	case len(files) == 0 && url == "":
		return fail("file", "either file or url must be provided")
	case len(files) > 0 && url != "":
		return fail("file", "only one of file or url can be provided")
	case len(files) > 0:
		data, ext, e := readUpload(files[0])
		if e != nil {
			e.model = m
			return nil, e
		}
		req.audio, req.ext = data, ext
	default:
		data, e := s.fetchAudio(url)
		if e != nil {
			e.model = m
			return nil, e
		}
		req.audio, req.ext = data, strings.TrimPrefix(path.Ext(url), ".")
	}
	info, ok := inspectAudio(req.audio)
	if !ok {
		return fail("file", "could not process file - is it a valid media file?")
	}
	if info.seconds < MinAudioSeconds {
		return fail("file", fmt.Sprintf("audio file is too short. Minimum audio length is %.2f seconds.", MinAudioSeconds))
	}
	req.duration, req.transcript = info.seconds, info.text
	if req.transcript == "" {
		req.transcript = TranscriptFor(info.seconds)
	}
	return req, nil
}

// readUpload reads the multipart file within MaxAudioUpload and checks its extension.
func readUpload(fh *multipart.FileHeader) ([]byte, string, *reqError) {
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(fh.Filename), "."))
	if !contains(audioSupportedTypes, ext) {
		e := badRequest("file", "file must be one of the following types: ["+strings.Join(audioSupportedTypes, " ")+"]")
		e.body.Code = "unsupported_audio_format"
		return nil, "", e
	}
	if fh.Size > MaxAudioUpload {
		return nil, "", tooLargeBody(&http.MaxBytesError{Limit: MaxAudioUpload})
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", badRequest("file", "could not read the file")
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, "", badRequest("file", "could not read the file")
	}
	return data, ext, nil
}

// fetchAudio reads a url field: a base64 data URL or a web URL.
func (s *Server) fetchAudio(url string) ([]byte, *reqError) {
	if rest, ok := strings.CutPrefix(url, "data:"); ok {
		_, b64, found := strings.Cut(rest, ";base64,")
		data, err := base64.StdEncoding.DecodeString(b64)
		if !found || err != nil {
			return nil, badRequest("url", "could not decode the base64 data URL")
		}
		return data, nil
	}
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return nil, badRequest("url", "url must be an http, https or base64 data URL")
	}
	c := s.cfg.FetchClient
	if c == nil {
		c = defaultFetchClient
	}
	resp, err := c.Get(url)
	if err != nil || resp.StatusCode != http.StatusOK {
		if err == nil {
			resp.Body.Close()
		}
		return nil, badRequest("url", "failed to retrieve media from url")
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 100<<20+1))
	if err != nil || len(data) > 100<<20 {
		return nil, badRequest("url", "failed to retrieve media from url")
	}
	return data, nil
}

// TranscriptFor is what the double hears in audio it did not make itself.
func TranscriptFor(seconds float64) string {
	return fmt.Sprintf("groqmock heard %.1f seconds of audio.", seconds)
}
