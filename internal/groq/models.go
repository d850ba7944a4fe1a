package groq

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"

	"github.com/parley-chat/parley/internal/chat"
	"github.com/parley-chat/parley/internal/errs"
)

// modelsAttempts bounds the keys tried for one model listing.
const modelsAttempts = 3

// Models implements chat.Completer: Groq's model list through any usable
// key, cached for ModelsTTL (a stale list is served if Groq fails).
func (p *Pool) Models(ctx context.Context) ([]chat.Model, error) {
	p.modelsMu.Lock()
	defer p.modelsMu.Unlock()
	now := p.opts.Now()
	if p.modelsSet && now.Sub(p.modelsAt) < p.opts.ModelsTTL {
		return append([]chat.Model(nil), p.models...), nil
	}
	p.syncKeys(ctx)
	var lastErr error
	for range modelsAttempts {
		k := p.anyKey()
		if k == nil {
			break
		}
		ms, err := p.fetchModels(ctx, k)
		if err == nil {
			p.models, p.modelsAt, p.modelsSet = ms, now, true
			return append([]chat.Model(nil), ms...), nil
		}
		lastErr = err
		if ctx.Err() != nil {
			break
		}
	}
	if p.modelsSet {
		p.log.Warn("groq model list stale", "err", lastErr)
		return append([]chat.Model(nil), p.models...), nil
	}
	if lastErr == nil {
		return nil, errs.E(errs.Unavailable, "no usable Groq API key")
	}
	return nil, errs.Wrap(errs.Unavailable, lastErr, "the Groq model list is unavailable")
}

// anyKey rotates over all usable keys.
func (p *Pool) anyKey() *key {
	p.mu.Lock()
	defer p.mu.Unlock()
	var live []*key
	for _, k := range p.keys {
		if !k.dead {
			live = append(live, k)
		}
	}
	if len(live) == 0 {
		return nil
	}
	p.orgRR++
	return live[p.orgRR%len(live)]
}

func (p *Pool) fetchModels(ctx context.Context, k *key) ([]chat.Model, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.UpstreamTimeout)
	defer cancel()
	resp, err := p.client.models(ctx, k.secret)
	if err != nil {
		return nil, fmt.Errorf("groq models: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		e := classify(resp, p.opts.Now())
		if e.kind == failKeyDead {
			p.markDead(ctx, k, e.deadReason())
		}
		return nil, e
	}
	defer resp.Body.Close()
	var list struct {
		Data []struct {
			ID            string `json:"id"`
			OwnedBy       string `json:"owned_by"`
			Created       int64  `json:"created"`
			Active        *bool  `json:"active"`
			ContextWindow int    `json:"context_window"`
			MaxCompletion int    `json:"max_completion_tokens"`
		} `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxErrorBody*16)).Decode(&list); err != nil {
		return nil, fmt.Errorf("groq models: malformed list: %w", err)
	}
	out := make([]chat.Model, 0, len(list.Data))
	for _, m := range list.Data {
		if m.ID == "" || (m.Active != nil && !*m.Active) {
			continue
		}
		out = append(out, chat.Model{ID: m.ID, OwnedBy: m.OwnedBy, Created: m.Created, ContextWindow: m.ContextWindow, MaxCompletion: m.MaxCompletion})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
