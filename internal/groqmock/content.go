package groqmock

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// imageRef is one image_url content part: a data URL (data set) or a web URL.
type imageRef struct {
	message int    // index of the message that carries it
	url     string // the web URL, when not a data URL
	data    []byte // the decoded bytes of a data URL
	bad     bool   // a data URL whose base64 does not decode
}

// contentPart is one element of an array content (chat) or input (responses).
type contentPart struct {
	Type     string          `json:"type"`
	Text     string          `json:"text"`
	ImageURL json.RawMessage `json:"image_url"`
}

// messageContent extracts a message's text and images: a string, null, or
// an array of parts. Text parts are joined by newlines; image_url parts are
// returned for checkImages; other part types make the content invalid.
func messageContent(raw json.RawMessage) (string, []imageRef, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil, true
	}
	switch raw[0] {
	case '"':
		var t string
		return t, nil, json.Unmarshal(raw, &t) == nil
	case '[':
		var parts []contentPart
		if json.Unmarshal(raw, &parts) != nil {
			return "", nil, false
		}
		var b strings.Builder
		var imgs []imageRef
		for _, pt := range parts {
			switch pt.Type {
			case "text", "input_text", "output_text":
				if b.Len() > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(pt.Text)
			case "image_url", "input_image":
				img, ok := parseImageURL(pt.ImageURL)
				if !ok {
					return "", nil, false
				}
				imgs = append(imgs, img)
			default:
				return "", nil, false
			}
		}
		return b.String(), imgs, true
	}
	return "", nil, false
}

// parseImageURL reads {"url": "…"} (chat) or a bare string (responses input_image).
func parseImageURL(raw json.RawMessage) (imageRef, bool) {
	var url string
	if json.Unmarshal(raw, &url) != nil {
		var obj struct {
			URL string `json:"url"`
		}
		if json.Unmarshal(raw, &obj) != nil {
			return imageRef{}, false
		}
		url = obj.URL
	}
	if url == "" {
		return imageRef{}, false
	}
	if rest, ok := strings.CutPrefix(url, "data:"); ok {
		_, b64, found := strings.Cut(rest, ";base64,")
		if !found {
			return imageRef{bad: true}, true
		}
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return imageRef{bad: true}, true
		}
		return imageRef{data: data}, true
	}
	return imageRef{url: url}, true
}
