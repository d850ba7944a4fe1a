// Package page holds the one rule of list sizes every list endpoint and
// store method shares.
package page

// Page size bounds of every list.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Clamp brings a requested page size into [1, MaxLimit], 0 or less
// meaning DefaultLimit.
func Clamp(n int) int {
	switch {
	case n <= 0:
		return DefaultLimit
	case n > MaxLimit:
		return MaxLimit
	}
	return n
}
