package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"github.com/parley-chat/parley/internal/errs"
)

// DecodeJSON strictly decodes the request body, a JSON object, into dst:
// content type application/json (else 415), not empty, no unknown fields,
// right types, nothing after the object, within the body limit (else 413).
func DecodeJSON(r *http.Request, dst any) error {
	if err := checkJSONContentType(r); err != nil {
		return err
	}
	return decodeBody(r.Body, dst, false)
}

// DecodeOptionalJSON is DecodeJSON for bodies that may be left out: an
// empty body leaves dst untouched.
func DecodeOptionalJSON(r *http.Request, dst any) error {
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return nil
	}
	if err := checkJSONContentType(r); err != nil {
		return err
	}
	return decodeBody(r.Body, dst, true)
}

func checkJSONContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return errs.E(errs.UnsupportedMediaType, "the request body must be application/json")
	}
	return nil
}

func decodeBody(body io.Reader, dst any, optional bool) error {
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		if errors.Is(err, io.EOF) && optional {
			return nil
		}
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) || errors.Is(err, os.ErrDeadlineExceeded) {
			return decodeError(err)
		}
		return errs.E(errs.Invalid, "unexpected data after the JSON object")
	}
	return nil
}

func decodeError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(mbe.Limit)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return errSlowBody
	case errors.Is(err, io.EOF):
		return errs.E(errs.Invalid, "the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errs.E(errs.Invalid, "malformed JSON: the body ends too early")
	case errors.As(err, &syn):
		return errs.E(errs.Invalid, "malformed JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return errs.E(errs.Invalid, "the request body must be a JSON object")
		}
		return errs.Validation(map[string]string{typ.Field: "must be " + jsonKind(typ.Type.Kind().String())})
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return errs.Validation(map[string]string{name: "is not a known field"})
	}
	return errs.Wrap(errs.Invalid, err, "malformed JSON")
}

// errSlowBody answers a body that did not arrive within the server's
// ReadTimeout; the server closes the connection after the answer.
var errSlowBody = errs.E(errs.RequestTimeout, "the request body did not arrive in time")

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"):
		return "a whole number"
	case strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "true or false"
	case goKind == "slice", goKind == "array":
		return "an array"
	}
	return "an object"
}

// Optional tells an absent field from an explicit null: Set is true when
// the field appeared, Null when it was null.
type Optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// UnmarshalJSON implements json.Unmarshaler.
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Null = true
		return nil
	}
	return json.Unmarshal(b, &o.Value)
}
