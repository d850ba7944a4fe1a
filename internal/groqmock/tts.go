package groqmock

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-audio/audio"
	"github.com/go-audio/wav"
)

// speechRequest is the body of POST /openai/v1/audio/speech.
type speechRequest struct {
	Model          string   `json:"model"`
	Input          *string  `json:"input"`
	Voice          string   `json:"voice"`
	ResponseFormat string   `json:"response_format"`
	SampleRate     *int     `json:"sample_rate"`
	Speed          *float64 `json:"speed"`
}

var speechRates = []int{8000, 16000, 22050, 24000, 32000, 44100, 48000}

// vocalDirection matches Orpheus's bracketed directions such as [cheerful]: they shape the voice and are not spoken.
var vocalDirection = regexp.MustCompile(`\[[a-zA-Z ]{1,30}\]`)

// speak serves POST /openai/v1/audio/speech: a real WAV file (16-bit PCM
// mono at sample_rate, 48 kHz by default) whose length follows the words
// and the speed, with the spoken text stored in its INFO comment.
func (s *Server) speak(w http.ResponseWriter, r *http.Request, ks *keyState) {
	var req speechRequest
	var rate int
	var speed float64
	s.serveAudio(w, r, ks, func(time.Time) (*audioCall, *reqError) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			return nil, tooLargeBody(err)
		}
		if json.Unmarshal(body, &req) != nil {
			return nil, badRequest("", "We could not parse the JSON body of your request. Please check that it is valid JSON and try again.")
		}
		m, e := s.audioModel(req.Model, KindSpeech, "audio speech")
		if e != nil {
			return nil, e
		}
		fail := func(param, msg string) (*audioCall, *reqError) {
			e := badRequest(param, msg)
			e.model = m
			return nil, e
		}
		switch {
		case req.Input == nil:
			return fail("input", "property 'input' is missing")
		case strings.TrimSpace(*req.Input) == "":
			return fail("input", "input must not be empty")
		case utf8.RuneCountInString(*req.Input) > m.ContextWindow:
			return fail("input", fmt.Sprintf("input must be at most %d characters", m.ContextWindow))
		case !contains(m.Voices, req.Voice):
			return fail("voice", "voice must be one of ["+strings.Join(m.Voices, " ")+"]")
		case req.ResponseFormat != "" && req.ResponseFormat != "wav":
			return fail("response_format", "response_format must be one of [wav]")
		}
		rate, speed = 48000, 1.0
		if req.SampleRate != nil {
			if !containsInt(speechRates, *req.SampleRate) {
				return fail("sample_rate", "sample_rate must be one of [8000 16000 22050 24000 32000 44100 48000]")
			}
			rate = *req.SampleRate
		}
		if req.Speed != nil {
			if *req.Speed < 0.5 || *req.Speed > 5 {
				return fail("speed", "'speed' : number must be between 0.5 and 5")
			}
			speed = *req.Speed
		}
		return &audioCall{model: m, cost: cost{tokens: utf8.RuneCountInString(*req.Input)}}, nil
	}, func(*audioCall) {
		spoken := strings.Join(strings.Fields(vocalDirection.ReplaceAllString(*req.Input, " ")), " ")
		b, err := SynthesizeWAV(spoken, req.Voice, rate, speed)
		if err != nil {
			writeError(w, http.StatusInternalServerError, apiError{Message: "Internal Server Error", Type: "internal_server_error"})
			return
		}
		w.Header().Set("Content-Type", "audio/wav")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
	})
}

func containsInt(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// SynthesizeWAV renders text as a playable WAV file: one gliding tone per
// word (pitch from the voice and the word, 0.3 s a word at speed 1) with
// short pauses, 16-bit PCM mono at rate. The text goes into the file's INFO
// comment so groqmock's transcription hears back exactly what was spoken.
func SynthesizeWAV(text, voice string, rate int, speed float64) ([]byte, error) {
	words := strings.Fields(text)
	if len(words) == 0 {
		words = []string{"…"}
	}
	h := fnv.New32a()
	h.Write([]byte(voice))
	base := 110 + float64(h.Sum32()%120) // the voice's pitch, 110–230 Hz
	wordLen, gap := int(0.30*float64(rate)/speed), int(0.06*float64(rate)/speed)
	data := make([]int, 0, len(words)*(wordLen+gap))
	for _, word := range words {
		wh := fnv.New32a()
		wh.Write([]byte(word))
		f0 := base * (1 + float64(wh.Sum32()%40)/100)
		for i := range wordLen {
			t := float64(i) / float64(rate)
			env := math.Sin(math.Pi * float64(i) / float64(wordLen)) // rises and falls like a syllable
			f := f0 * (1 + 0.15*float64(i)/float64(wordLen))
			v := env * (0.6*math.Sin(2*math.Pi*f*t) + 0.25*math.Sin(4*math.Pi*f*t) + 0.1*math.Sin(6*math.Pi*f*t))
			data = append(data, int(v*12000))
		}
		data = append(data, make([]int, gap)...)
	}
	var out memFile
	enc := wav.NewEncoder(&out, rate, 16, 1, 1)
	enc.Metadata = &wav.Metadata{Comments: text, Software: "groqmock"}
	buf := &audio.IntBuffer{Format: &audio.Format{NumChannels: 1, SampleRate: rate}, Data: data, SourceBitDepth: 16}
	if err := enc.Write(buf); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return out.buf.Bytes(), nil
}

// memFile is an in-memory io.WriteSeeker: the WAV encoder seeks back to
// write the chunk sizes once the data is known.
type memFile struct {
	buf bytes.Buffer
	pos int
}

func (m *memFile) Write(p []byte) (int, error) {
	b := m.buf.Bytes()
	if m.pos == len(b) {
		n, _ := m.buf.Write(p)
		m.pos += n
		return n, nil
	}
	n := copy(b[m.pos:], p)
	if n < len(p) {
		m.buf.Write(p[n:])
	}
	m.pos += len(p)
	return len(p), nil
}

func (m *memFile) Seek(off int64, whence int) (int64, error) {
	var at int64
	switch whence {
	case io.SeekStart:
		at = off
	case io.SeekCurrent:
		at = int64(m.pos) + off
	case io.SeekEnd:
		at = int64(m.buf.Len()) + off
	}
	if at < 0 || at > int64(m.buf.Len()) {
		return 0, errors.New("memFile: seek out of range")
	}
	m.pos = int(at)
	return at, nil
}
