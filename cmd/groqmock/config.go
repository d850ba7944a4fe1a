package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/parley-chat/parley/internal/groqmock"
)

// options is the program's configuration, from flags and GROQMOCK_* variables.
type options struct {
	addr            string
	orgs            []groqmock.Org
	limits          []limitSpec
	freePlan        bool
	compound        bool
	mock            groqmock.Config
	logLevel        string
	logFormat       string
	logRequests     bool
	shutdownTimeout time.Duration
}

// limitSpec is one -limit entry: limits for a model ("" = every model), for one org or all ("").
type limitSpec struct {
	org, model string
	limits     groqmock.Limits
}

// demoKey is the key of the demo organisation served when no -org is given.
const demoKey = "gsk_demo_key"

// listFlag collects a repeatable flag.
type listFlag struct {
	values *[]string
}

func (l listFlag) String() string {
	if l.values == nil {
		return ""
	}
	return strings.Join(*l.values, " ")
}

func (l listFlag) Set(v string) error {
	*l.values = append(*l.values, v)
	return nil
}

// parseOptions reads getenv first, then args (command-line values win; repeated flags add up).
func parseOptions(args []string, getenv func(string) string, usageOut io.Writer) (*options, error) {
	o := &options{}
	var orgs, limits []string
	fs := flag.NewFlagSet("groqmock", flag.ContinueOnError)
	fs.SetOutput(usageOut)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8081", "listen address (GROQMOCK_ADDR)")
	fs.Var(listFlag{&orgs}, "org", "organisation and its keys, `org_a=gsk_a1,gsk_a2`; repeatable (GROQMOCK_ORGS, ';'-separated).\n"+
		"Without any, one demo org \"org_demo\" with key "+demoKey+" is served")
	fs.Var(listFlag{&limits}, "limit", "limits `[org:]model=RPM/RPD/TPM/TPD[/ASH/ASD]` (0 = unlimited, model * = every model,\n"+
		"ASH/ASD = audio seconds per hour/day); repeatable (GROQMOCK_LIMITS, ';'-separated). Without limits every bucket is unlimited")
	fs.BoolVar(&o.freePlan, "free-plan", false, "apply Groq's free-plan limits to every model, e.g. 30/1000/8000/200000 for gpt-oss,\n"+
		"20 RPM/2000 RPD/7200 ASH/28800 ASD for Whisper (GROQMOCK_FREE_PLAN)")
	fs.StringVar(&o.mock.Answers, "answers", groqmock.AnswersEcho, "what completions say: echo (\"groqmock heard: …\", for tests) or demo\n"+
		"(Markdown answers with headings, lists, tables, code and formulas, and reasoning streams) (GROQMOCK_ANSWERS)")
	fs.BoolVar(&o.compound, "compound", false, "also serve groq/compound and groq/compound-mini (shut down by Groq on 2026-09-21) (GROQMOCK_COMPOUND)")
	fs.DurationVar(&o.mock.FirstTokenLatency, "latency", 0, "delay before the first byte of each completion (GROQMOCK_LATENCY)")
	fs.Float64Var(&o.mock.TokensPerSecond, "tps", 0, "generation speed in tokens per second (reasoning and answer), 0 = instant (GROQMOCK_TPS)")
	fs.IntVar(&o.mock.DefaultCompletionEstimate, "default-completion-estimate", 256,
		"completion tokens charged up front when a request sets no max tokens (GROQMOCK_DEFAULT_COMPLETION_ESTIMATE)")
	fs.BoolVar(&o.mock.FlexCapacityExceeded, "flex-capacity-exceeded", false,
		"answer 498 capacity_exceeded to service_tier \"flex\" (GROQMOCK_FLEX_CAPACITY_EXCEEDED)")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error (GROQMOCK_LOG_LEVEL)")
	fs.StringVar(&o.logFormat, "log-format", "text", "text or json (GROQMOCK_LOG_FORMAT)")
	fs.BoolVar(&o.logRequests, "log-requests", false, "log every request: method, path, status, duration, key fingerprint (GROQMOCK_LOG_REQUESTS)")
	fs.DurationVar(&o.shutdownTimeout, "shutdown-timeout", 10*time.Second, "how long SIGTERM waits for open requests (GROQMOCK_SHUTDOWN_TIMEOUT)")
	fs.Usage = func() {
		fmt.Fprintf(usageOut, "groqmock serves an offline double of Groq's OpenAI-compatible API under /openai/v1.\n\n"+
			"Usage: groqmock [flags]\n\nEvery flag can also be set by the GROQMOCK_* variable named in its description.\n\n")
		fs.PrintDefaults()
	}

	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		env := "GROQMOCK_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if f.Name == "org" {
			env = "GROQMOCK_ORGS"
		} else if f.Name == "limit" {
			env = "GROQMOCK_LIMITS"
		}
		v := getenv(env)
		if v == "" {
			return
		}
		parts := []string{v}
		if f.Name == "org" || f.Name == "limit" {
			parts = strings.Split(v, ";")
		}
		for _, p := range parts {
			if err := fs.Set(f.Name, strings.TrimSpace(p)); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", env, err))
			}
		}
	})
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments %q", fs.Args()))
	}
	for _, s := range orgs {
		org, err := parseOrg(s)
		errs = append(errs, err)
		o.orgs = append(o.orgs, org)
	}
	for _, s := range limits {
		l, err := parseLimit(s)
		errs = append(errs, err)
		o.limits = append(o.limits, l)
	}
	if o.mock.TokensPerSecond < 0 || o.mock.FirstTokenLatency < 0 || o.mock.DefaultCompletionEstimate < 0 {
		errs = append(errs, errors.New("-latency, -tps and -default-completion-estimate must not be negative"))
	}
	if o.mock.Answers != groqmock.AnswersEcho && o.mock.Answers != groqmock.AnswersDemo {
		errs = append(errs, fmt.Errorf("-answers %q: want echo or demo", o.mock.Answers))
	}
	if o.compound {
		o.mock.Models = append(groqmock.DefaultModels(), groqmock.CompoundModels()...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(o.orgs) == 0 {
		o.orgs = []groqmock.Org{{ID: "org_demo", Keys: []string{demoKey}}}
	}
	o.applyLimits()
	o.mock.Orgs = o.orgs
	return o, nil
}

func parseOrg(s string) (groqmock.Org, error) {
	id, keys, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(id) == "" || strings.TrimSpace(keys) == "" {
		return groqmock.Org{}, fmt.Errorf("-org %q: want org_id=key1,key2", s)
	}
	org := groqmock.Org{ID: strings.TrimSpace(id)}
	for _, k := range strings.Split(keys, ",") {
		if k = strings.TrimSpace(k); k != "" {
			org.Keys = append(org.Keys, k)
		}
	}
	return org, nil
}

func parseLimit(s string) (limitSpec, error) {
	bad := fmt.Errorf("-limit %q: want [org:]model=RPM/RPD/TPM/TPD[/ASH/ASD]", s)
	target, values, ok := strings.Cut(s, "=")
	if !ok {
		return limitSpec{}, bad
	}
	var l limitSpec
	if org, model, scoped := strings.Cut(target, ":"); scoped {
		l.org, target = org, model
	}
	l.model = strings.TrimSpace(target)
	if l.model == "*" {
		l.model = ""
	}
	nums := strings.Split(values, "/")
	if len(nums) != 4 && len(nums) != 6 {
		return limitSpec{}, bad
	}
	var n [6]int
	for i, v := range nums {
		x, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || x < 0 {
			return limitSpec{}, bad
		}
		n[i] = x
	}
	l.limits = groqmock.Limits{RPM: n[0], RPD: n[1], TPM: n[2], TPD: n[3], ASH: n[4], ASD: n[5]}
	return l, nil
}

// applyLimits gives each org the free plan (if asked), then the -limit entries in order.
func (o *options) applyLimits() {
	for i := range o.orgs {
		org := &o.orgs[i]
		org.Limits = map[string]groqmock.Limits{}
		if o.freePlan {
			org.Limits = groqmock.FreePlanLimits()
		}
		for _, l := range o.limits {
			if l.org == "" || l.org == org.ID {
				org.Limits[l.model] = l.limits
			}
		}
	}
}
