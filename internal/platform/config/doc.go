package config

import (
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"text/tabwriter"
)

// PrintHelp writes one line per variable: name, default, description, and
// whether NAME_FILE is accepted.
func PrintHelp(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VARIABLE\tDEFAULT\tDESCRIPTION")
	for _, v := range Vars {
		def := v.Default
		if def == "" {
			def = "-"
		}
		desc := strings.ReplaceAll(v.Description, "`", "")
		if v.Secret {
			desc += " (secret; also " + v.Name + "_FILE)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Name, def, desc)
	}
	_ = tw.Flush()
}

// MarkdownTable renders Vars as the README's configuration table.
func MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| Variable | Default | Description |\n|---|---|---|\n")
	for _, v := range Vars {
		def := ""
		if v.Default != "" {
			def = "`" + v.Default + "`"
		}
		desc := v.Description
		if v.Secret {
			desc += " Secret: also `" + v.Name + "_FILE`."
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", v.Name, def, strings.ReplaceAll(desc, "|", `\|`))
	}
	return b.String()
}

// Masked returns every variable with its effective value for the start-up
// log; secrets show only whether they are set.
func (c Config) Masked() []slog.Attr {
	attrs := make([]slog.Attr, 0, len(Vars))
	for _, v := range Vars {
		val := reflect.ValueOf(v.field(&c)).Elem()
		if v.Secret {
			state := "unset"
			if !val.IsZero() {
				state = "set"
			}
			attrs = append(attrs, slog.String(v.Name, state))
			continue
		}
		attrs = append(attrs, slog.String(v.Name, fmt.Sprint(val.Interface())))
	}
	return attrs
}
