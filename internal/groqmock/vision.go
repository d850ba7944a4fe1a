package groqmock

import (
	"bytes"
	"fmt"
	"image"
	_ "image/gif"  // image/gif decoder for DecodeConfig
	_ "image/jpeg" // image/jpeg decoder
	_ "image/png"  // image/png decoder
	"io"
	"net/http"
	"strings"
	"time"

	_ "golang.org/x/image/webp" // image/webp decoder: Groq takes JPEG, PNG, GIF and WebP
)

// Groq's documented vision limits (console.groq.com/docs/vision).
const (
	MaxImagesPerRequest = 5
	MaxImagePixels      = 33177600 // 33 megapixels, per image
	MaxImageURLBytes    = 20 << 20 // an image fetched from a URL
	MaxBase64Request    = 4 << 20  // a request that carries a base64 image
)

// defaultFetchClient fetches image URLs; the double never follows more than 3 redirects.
var defaultFetchClient = &http.Client{
	Timeout: 10 * time.Second,
	CheckRedirect: func(_ *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return http.ErrUseLastResponse
		}
		return nil
	},
}

// checkImages applies the vision rules once the model is known: non-vision
// models refuse image parts as Groq does, vision models get the count, size
// and resolution limits, and each image is decoded (web URLs fetched).
func (s *Server) checkImages(p *plan) *reqError {
	if len(p.images) == 0 {
		return nil
	}
	if !p.model.Vision {
		i := p.images[0].message
		return badRequest(fmt.Sprintf("messages[%d].content", i), fmt.Sprintf("messages[%d].content must be a string", i))
	}
	if p.hasBase64 && p.bodySize > MaxBase64Request {
		return &reqError{status: http.StatusRequestEntityTooLarge, body: apiError{
			Message: "Request Entity Too Large", Type: "invalid_request_error", Code: "request_too_large"}}
	}
	if len(p.images) > MaxImagesPerRequest {
		return badRequest("messages", fmt.Sprintf("Too many images provided. This model supports up to %d images per request.", MaxImagesPerRequest))
	}
	for _, img := range p.images {
		data := img.data
		if img.url != "" {
			var e *reqError
			if data, e = s.fetchImage(img.url); e != nil {
				return e
			}
		}
		if img.bad {
			return badRequest("messages", "Invalid image data: the base64 data URL could not be decoded.")
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return badRequest("messages", "Invalid image data: the image could not be decoded (JPEG, PNG, GIF and WebP are supported).")
		}
		if cfg.Width*cfg.Height > MaxImagePixels {
			return badRequest("messages", fmt.Sprintf("Image resolution %dx%d exceeds the maximum of %d pixels (33 megapixels).",
				cfg.Width, cfg.Height, MaxImagePixels))
		}
	}
	return nil
}

// fetchImage downloads an image URL within MaxImageURLBytes.
func (s *Server) fetchImage(url string) ([]byte, *reqError) {
	if !strings.HasPrefix(url, "http://") && !strings.HasPrefix(url, "https://") {
		return nil, badRequest("messages", "Invalid image URL: only http, https and data URLs are supported.")
	}
	c := s.cfg.FetchClient
	if c == nil {
		c = defaultFetchClient
	}
	resp, err := c.Get(url)
	if err != nil {
		return nil, badRequest("messages", "Failed to retrieve image from URL.")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, badRequest("messages", fmt.Sprintf("Failed to retrieve image from URL: status %d.", resp.StatusCode))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxImageURLBytes+1))
	if err != nil {
		return nil, badRequest("messages", "Failed to retrieve image from URL.")
	}
	if len(data) > MaxImageURLBytes {
		return nil, badRequest("messages", "Image size exceeds the maximum of 20MB for image URLs.")
	}
	return data, nil
}
