package groq

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/parley-chat/parley/internal/chat"
)

// maxEventBytes bounds one SSE event, so a broken upstream cannot eat memory.
const maxEventBytes = 4 << 20

// sseReader reads Groq's chat.completion.chunk events.
type sseReader struct {
	br        *bufio.Reader
	done      bool
	sawFinish bool
}

func newSSEReader(r io.Reader) *sseReader {
	return &sseReader{br: bufio.NewReaderSize(r, 4<<10)}
}

// streamError is an error Groq reported inside the stream.
type streamError struct {
	status  int
	errType string
	code    string
	message string
}

func (e *streamError) Error() string {
	return fmt.Sprintf("groq stream error: status %d, type %s, code %s", e.status, e.errType, e.code)
}

// errStreamCut is a stream that ended without [DONE] or a finish reason.
var errStreamCut = errors.New("groq stream ended early")

type wireUsage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func (u *wireUsage) usage() *chat.Usage {
	if u == nil {
		return nil
	}
	total := u.TotalTokens
	if total == 0 {
		total = u.PromptTokens + u.CompletionTokens
	}
	return &chat.Usage{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: total}
}

type wireErrorBody struct {
	Message    string `json:"message"`
	Type       string `json:"type"`
	Code       any    `json:"code"`
	StatusCode int    `json:"status_code"`
}

type wireChunk struct {
	Choices []struct {
		Delta struct {
			Content   string `json:"content"`
			Reasoning string `json:"reasoning"`
		} `json:"delta"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	XGroq *struct {
		Usage *wireUsage     `json:"usage"`
		Error *wireErrorBody `json:"error"`
	} `json:"x_groq"`
	Usage *wireUsage     `json:"usage"`
	Error *wireErrorBody `json:"error"`
}

// next returns the next chunk, io.EOF after [DONE], a *streamError for an
// error event, errStreamCut or the read error otherwise.
func (r *sseReader) next() (chat.Chunk, error) {
	if r.done {
		return chat.Chunk{}, io.EOF
	}
	for {
		event, data, err := r.readEvent()
		if err != nil {
			if err == io.EOF {
				r.done = true
				if r.sawFinish {
					return chat.Chunk{}, io.EOF // tolerate a missing [DONE]
				}
				return chat.Chunk{}, errStreamCut
			}
			return chat.Chunk{}, err
		}
		if len(data) == 0 && event == "" {
			continue
		}
		if bytes.HasPrefix(data, []byte("[DONE]")) {
			r.done = true
			return chat.Chunk{}, io.EOF
		}
		var c wireChunk
		jerr := json.Unmarshal(data, &c)
		if event == "error" || (jerr == nil && (c.Error != nil || (c.XGroq != nil && c.XGroq.Error != nil))) {
			r.done = true
			return chat.Chunk{}, frameError(event, data, c)
		}
		if jerr != nil {
			r.done = true
			return chat.Chunk{}, fmt.Errorf("groq stream: malformed chunk: %w", jerr)
		}
		out := chat.Chunk{Data: json.RawMessage(data)}
		if len(c.Choices) > 0 {
			out.Content = c.Choices[0].Delta.Content
			out.Reasoning = c.Choices[0].Delta.Reasoning
			if fr := c.Choices[0].FinishReason; fr != nil && *fr != "" {
				out.FinishReason = *fr
				r.sawFinish = true
			}
		}
		if c.XGroq != nil && c.XGroq.Usage != nil {
			out.Usage = c.XGroq.Usage.usage()
		} else if c.Usage != nil {
			out.Usage = c.Usage.usage()
		}
		return out, nil
	}
}

// frameError builds the error of an error frame (whatever its shape).
func frameError(event string, data []byte, c wireChunk) *streamError {
	e := &streamError{status: 500}
	body := c.Error
	if body == nil && c.XGroq != nil {
		body = c.XGroq.Error
	}
	if body == nil && event == "error" {
		var flat wireErrorBody
		if json.Unmarshal(data, &flat) == nil && (flat.Message != "" || flat.StatusCode != 0) {
			body = &flat
		}
	}
	if body != nil {
		e.errType, e.message = body.Type, body.Message
		if body.Code != nil {
			e.code = fmt.Sprint(body.Code)
		}
		if body.StatusCode != 0 {
			e.status = body.StatusCode
		}
	}
	return e
}

// readEvent reads one SSE event: its name and its data lines joined by "\n".
func (r *sseReader) readEvent() (event string, data []byte, err error) {
	var buf []byte
	hasData := false
	size := 0
	for {
		line, err := r.readLine()
		if err != nil {
			if err == io.EOF && (hasData || event != "") {
				return event, buf, nil
			}
			return "", nil, err
		}
		size += len(line)
		if size > maxEventBytes {
			return "", nil, errors.New("groq stream: event too large")
		}
		if len(line) == 0 {
			if hasData || event != "" {
				return event, buf, nil
			}
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "event":
			event = string(value)
		case "data":
			if hasData {
				buf = append(buf, '\n')
			}
			buf = append(buf, value...)
			hasData = true
		}
	}
}

// readLine returns one line without its end of line (\n, \r\n).
func (r *sseReader) readLine() ([]byte, error) {
	var line []byte
	for {
		frag, err := r.br.ReadSlice('\n')
		line = append(line, frag...)
		if len(line) > maxEventBytes {
			return nil, errors.New("groq stream: line too large")
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				return bytes.TrimRight(line, "\r\n"), nil
			}
			return nil, err
		}
		return bytes.TrimRight(line, "\r\n"), nil
	}
}
