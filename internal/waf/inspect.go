package waf

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/corazawaf/coraza/v3/types"
)

// verdict is what the rules made of one request.
type verdict struct {
	interrupted bool  // the rules decided to refuse it
	ruleID      int   // the rule that decided (949110: anomaly score)
	rules       []int // ids of the logging rules that matched
	err         error // the body could not be read
}

// inspect runs the request's line, headers and body (without the excluded
// JSON fields) through the rules. It reads the body and puts it back, so the
// handler sees every byte; a read error is kept for the handler too.
func (f *Firewall) inspect(r *http.Request, exclude []string) verdict {
	tx := f.waf.NewTransaction()
	defer func() { _ = tx.Close() }()
	tx.ProcessConnection(request(r).ClientIP, 0, "", 0)
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	tx.ProcessURI(uri, r.Method, r.Proto)
	tx.AddRequestHeader("Host", r.Host)
	tx.SetServerName(hostOnly(r.Host))
	for k, vs := range r.Header {
		for _, v := range vs {
			tx.AddRequestHeader(k, v)
		}
	}
	v := verdict{}
	if it := tx.ProcessRequestHeaders(); it != nil {
		return f.verdict(tx.MatchedRules(), it.RuleID)
	}
	if r.Body != nil && r.Body != http.NoBody {
		body, err := io.ReadAll(r.Body)
		r.Body = replayBody{Reader: io.MultiReader(bytes.NewReader(body), errReader{err}), Closer: r.Body}
		if err != nil {
			v.err = err
			return v
		}
		if len(exclude) > 0 {
			body = withoutFields(body, exclude)
		}
		if it, _, err := tx.WriteRequestBody(body); it != nil || err != nil {
			return f.verdictOr(tx, it, err)
		}
	}
	it, err := tx.ProcessRequestBody()
	return f.verdictOr(tx, it, err)
}

// verdictOr turns the outcome of a body phase into a verdict.
func (f *Firewall) verdictOr(tx types.Transaction, it *types.Interruption, err error) verdict {
	if err != nil {
		// An engine failure is not the client's fault: let the request
		// through and say so.
		f.o.Logger.Error("waf could not inspect a request body", "err", err.Error())
		return verdict{}
	}
	if it != nil {
		return f.verdict(tx.MatchedRules(), it.RuleID)
	}
	v := f.verdict(tx.MatchedRules(), 0)
	v.interrupted = false
	return v
}

// verdict lists the ids of the logging rules that matched.
func (f *Firewall) verdict(rules []types.MatchedRule, interruptedBy int) verdict {
	v := verdict{interrupted: true, ruleID: interruptedBy}
	for _, m := range rules {
		if l, ok := m.(interface{ Log() bool }); ok && !l.Log() {
			continue // bookkeeping rules (nolog): scores, setup
		}
		if id := m.Rule().ID(); id != 0 && !slices.Contains(v.rules, id) {
			v.rules = append(v.rules, id)
		}
	}
	slices.Sort(v.rules)
	return v
}

// withoutFields drops the top-level fields of a JSON object whose names
// match one of fields as encoding/json matches them (case-insensitively),
// so every spelling the handler would read as that field is left out. A
// body that is not a JSON object is inspected whole.
func withoutFields(body []byte, fields []string) []byte {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return body
	}
	for k := range obj {
		for _, name := range fields {
			if strings.EqualFold(k, name) {
				delete(obj, k)
			}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the other fields reach the rules as sent
	if err := enc.Encode(obj); err != nil {
		return body
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func hostOnly(hostport string) string {
	if i := strings.LastIndexByte(hostport, ':'); i > 0 && !strings.Contains(hostport[i:], "]") {
		return hostport[:i]
	}
	return hostport
}

// replayBody gives the handler the bytes inspect read, then the error that
// ended the read (nil: EOF), and closes the original body.
type replayBody struct {
	io.Reader
	io.Closer
}

// errReader returns err, or EOF when err is nil.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	return 0, io.EOF
}
