package groqmock

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// sttSegment is one verbose_json segment, fields as Groq's docs show them.
type sttSegment struct {
	ID               int     `json:"id"`
	Seek             int     `json:"seek"`
	Start            float64 `json:"start"`
	End              float64 `json:"end"`
	Text             string  `json:"text"`
	Tokens           []int   `json:"tokens"`
	Temperature      float64 `json:"temperature"`
	AvgLogprob       float64 `json:"avg_logprob"`
	CompressionRatio float64 `json:"compression_ratio"`
	NoSpeechProb     float64 `json:"no_speech_prob"`
}

type sttWord struct {
	Word  string  `json:"word"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

var languageNames = map[string]string{"en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian",
	"pt": "Portuguese", "nl": "Dutch", "ar": "Arabic", "he": "Hebrew", "ja": "Japanese", "zh": "Chinese", "ru": "Russian"}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// writeSTT answers in the requested format: json {text, x_groq}, text, or
// verbose_json {task, language, duration, text, segments|null, words?, x_groq}.
// Whisper's text starts with a space, as Groq's recorded answers do.
func (s *Server) writeSTT(w http.ResponseWriter, req *sttRequest) {
	text := " " + req.transcript
	x := map[string]string{"id": w.Header().Get("X-Request-Id")}
	switch req.format {
	case "text":
		b := []byte(text + "\n")
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
		return
	case "json":
		b, _ := json.Marshal(struct {
			Text  string            `json:"text"`
			XGroq map[string]string `json:"x_groq"`
		}{text, x})
		writeJSON(w, append(b, '\n'))
		return
	}
	lang := languageNames[req.language]
	if lang == "" {
		lang = "English"
		if req.language != "" && !req.translate {
			lang = req.language
		}
	}
	task := "transcribe"
	if req.translate {
		task = "translate"
	}
	body := struct {
		Task     string            `json:"task"`
		Language string            `json:"language"`
		Duration float64           `json:"duration"`
		Text     string            `json:"text"`
		Words    []sttWord         `json:"words,omitempty"`
		Segments []sttSegment      `json:"segments"`
		XGroq    map[string]string `json:"x_groq"`
	}{Task: task, Language: lang, Duration: req.duration, Text: text, XGroq: x}
	if req.segments {
		body.Segments = segmentsOf(req.transcript, req.duration)
	}
	if req.words {
		body.Words = wordsOf(req.transcript, req.duration)
	}
	b, _ := json.Marshal(body)
	writeJSON(w, append(b, '\n'))
}

// segmentsOf splits a transcript at sentence ends and spreads the segments
// over the duration in proportion to their length.
func segmentsOf(text string, dur float64) []sttSegment {
	var parts []string
	start := 0
	for i, r := range text {
		if r == '.' || r == '?' || r == '!' {
			parts = append(parts, text[start:i+1])
			start = i + 1
		}
	}
	if rest := strings.TrimSpace(text[start:]); rest != "" {
		parts = append(parts, text[start:])
	}
	total := float64(len(text))
	segs := make([]sttSegment, 0, len(parts))
	at := 0.0
	for i, p := range parts {
		span := dur * float64(len(p)) / total
		seg := sttSegment{ID: i, Seek: int(at * 100), Start: round2(at), End: round2(at + span),
			Text: " " + strings.TrimSpace(p), Temperature: 0, AvgLogprob: -0.12, CompressionRatio: 1.2, NoSpeechProb: 0.01}
		for _, tok := range splitTokens(strings.TrimSpace(p)) {
			seg.Tokens = append(seg.Tokens, 50364+len(tok)*97%1000)
		}
		segs = append(segs, seg)
		at += span
	}
	return segs
}

// wordsOf spreads the transcript's words over the duration by length.
func wordsOf(text string, dur float64) []sttWord {
	fields := strings.Fields(text)
	total := 0
	for _, f := range fields {
		total += len(f) + 1
	}
	words := make([]sttWord, 0, len(fields))
	at := 0.0
	for _, f := range fields {
		span := dur * float64(len(f)+1) / float64(total)
		words = append(words, sttWord{Word: f, Start: round2(at), End: round2(at + span)})
		at += span
	}
	return words
}
