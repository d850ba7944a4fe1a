package sqlkit

import (
	"encoding/json"
	"fmt"

	"github.com/parley-chat/parley/internal/chat"
)

// FormatParams is the stored JSON of generation parameters.
func FormatParams(p chat.Params) string {
	b, _ := json.Marshal(p) // pointers to numbers and strings always marshal
	return string(b)
}

// ParseParams reads stored parameters; "" reads as none.
func ParseParams(s string, p *chat.Params) error {
	*p = chat.Params{}
	if s == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(s), p); err != nil {
		return fmt.Errorf("stored params: %w", err)
	}
	return nil
}
