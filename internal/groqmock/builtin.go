package groqmock

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// compoundCustom is the part of compound_custom the double reads.
type compoundCustom struct {
	Tools *struct {
		EnabledTools []string `json:"enabled_tools"`
	} `json:"tools"`
}

// searchSettings is the part of search_settings the double reads.
type searchSettings struct {
	IncludeDomains []string `json:"include_domains"`
}

// executedTool is one entry of message.executed_tools (groq-python ExecutedTool).
type executedTool struct {
	Index         int            `json:"index"`
	Type          string         `json:"type"`
	Name          string         `json:"name,omitempty"`
	Arguments     string         `json:"arguments"`
	Output        *string        `json:"output"`
	SearchResults *searchResults `json:"search_results,omitempty"`
	CodeResults   []codeResult   `json:"code_results,omitempty"`
}

type searchResults struct {
	Results []searchResult `json:"results"`
}

type searchResult struct {
	Title   string  `json:"title"`
	URL     string  `json:"url"`
	Content string  `json:"content"`
	Score   float64 `json:"score"`
}

type codeResult struct {
	Text string `json:"text"`
}

// compoundTools are the compound systems' tools on by default (docs/compound/built-in-tools).
var compoundTools = []string{"web_search", "code_interpreter", "visit_website"}

// checkTools refuses tool combinations Groq refuses: custom tools on compound
// systems, and built-in tools on models without them.
func checkTools(m *Model, tools *toolSpec, req chatRequest) *reqError {
	if tools == nil {
		return nil
	}
	if m.Kind == KindCompound {
		return badRequest("tools", "Custom user-provided tools are not supported by compound systems; configure `compound_custom.tools.enabled_tools` instead")
	}
	if len(tools.builtins) > 0 && !m.BuiltinTools {
		return unsupported(tools.builtins[0])
	}
	return nil
}

// wantsCode is the double's rule for choosing code execution: the prompt asks
// to calculate, compute, run code or plot.
func wantsCode(prompt string) bool {
	l := strings.ToLower(prompt)
	for _, w := range []string{"calculate", "compute", "python", "run code", "execute", "plot", "how many"} {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// runBuiltins decides the server-side tools of a compound system or of a
// model given browser_search/code_interpreter, and returns what they did.
// Compound systems search unless the prompt is empty, and run code when
// wantsCode; compound-mini makes one call. A model with built-in tools runs
// code_interpreter when wantsCode (or it is the only built-in tool) and
// browser_search otherwise; tool_choice "none" runs nothing.
func runBuiltins(p *plan, req chatRequest, tools *toolSpec, prompt string) []executedTool {
	var kinds []string
	switch {
	case p.model.Kind == KindCompound:
		enabled := compoundTools
		if req.CompoundCustom != nil && req.CompoundCustom.Tools != nil && req.CompoundCustom.Tools.EnabledTools != nil {
			enabled = req.CompoundCustom.Tools.EnabledTools
		}
		if wantsCode(prompt) && contains(enabled, "code_interpreter") {
			kinds = append(kinds, "python")
		}
		if strings.TrimSpace(prompt) != "" && contains(enabled, "web_search") {
			kinds = append(kinds, "search")
		}
		if len(kinds) > p.model.MaxToolCalls {
			kinds = kinds[:p.model.MaxToolCalls]
		}
	case tools != nil && len(tools.builtins) > 0 && tools.choice != "none":
		code, browse := contains(tools.builtins, "code_interpreter"), contains(tools.builtins, "browser_search")
		if code && (wantsCode(prompt) || !browse) {
			kinds = append(kinds, "python")
		} else if browse {
			kinds = append(kinds, "search")
		}
	}
	var domains []string
	if req.SearchSettings != nil {
		domains = req.SearchSettings.IncludeDomains
	}
	out := make([]executedTool, 0, len(kinds))
	for i, k := range kinds {
		var t executedTool
		if k == "python" {
			t = codeTool(prompt)
		} else {
			t = searchTool(prompt, domains)
		}
		t.Index = i
		if p.model.Kind != KindCompound {
			t.Name = map[string]string{"python": "python", "search": "browser.search"}[k]
		}
		out = append(out, t)
	}
	return out
}

// query is the search query the double derives from a prompt: its first 80 characters.
func query(prompt string) string {
	q := strings.Join(strings.Fields(prompt), " ")
	if utf8.RuneCountInString(q) > 80 {
		q = string([]rune(q)[:80])
	}
	return q
}

func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case b.Len() > 0 && !strings.HasSuffix(b.String(), "-"):
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

// searchTool returns three deterministic results on example domains (or on
// search_settings.include_domains), so no one follows them to a real site.
func searchTool(prompt string, domains []string) executedTool {
	q := query(prompt)
	if len(domains) == 0 {
		domains = []string{"encyclopedia.example.com", "news.example.org", "docs.example.net"}
	}
	kinds := []string{"Overview", "Latest news", "Reference guide"}
	var res []searchResult
	var text strings.Builder
	for i, kind := range kinds {
		d := domains[i%len(domains)]
		r := searchResult{
			Title:   fmt.Sprintf("%s: %s", q, kind),
			URL:     "https://" + d + "/" + url.PathEscape(slug(q)) + "-" + strconv.Itoa(i+1),
			Content: fmt.Sprintf("%s of %q, as groqmock's offline search imagines it. No real page was fetched.", kind, q),
			Score:   float64(90-7*i) / 100,
		}
		res = append(res, r)
		fmt.Fprintf(&text, "Title: %s\nURL: %s\nContent: %s\nScore: %.2f\n\n", r.Title, r.URL, r.Content, r.Score)
	}
	args, _ := json.Marshal(map[string]string{"query": q})
	out := strings.TrimSpace(text.String())
	return executedTool{Type: "search", Arguments: string(args), Output: &out, SearchResults: &searchResults{Results: res}}
}

// codeTool runs "code" that counts the characters of the prompt: real
// output a client can show, computed rather than invented.
func codeTool(prompt string) executedTool {
	code := fmt.Sprintf("text = %s\nprint(len(text))", strconv.Quote(query(prompt)))
	out := strconv.Itoa(utf8.RuneCountInString(query(prompt))) + "\n"
	args, _ := json.Marshal(map[string]string{"code": code})
	return executedTool{Type: "python", Arguments: string(args), Output: &out, CodeResults: []codeResult{{Text: out}}}
}

// citeSources appends the sources of the search results to an answer, as Markdown links.
func citeSources(content string, tools []executedTool) string {
	var b strings.Builder
	n := 0
	for _, t := range tools {
		if t.SearchResults == nil {
			continue
		}
		for _, r := range t.SearchResults.Results {
			if n == 0 {
				b.WriteString("\n\n**Sources**\n")
			}
			n++
			fmt.Fprintf(&b, "%d. [%s](%s)\n", n, r.Title, r.URL)
		}
	}
	for _, t := range tools {
		if t.Type == "python" && t.Output != nil {
			fmt.Fprintf(&b, "\n\nThe code interpreter printed `%s`.", strings.TrimSpace(*t.Output))
		}
	}
	return content + strings.TrimRight(b.String(), "\n")
}
