package groq

import "context"

// candidates returns the orgs with a usable key (rotated for fair ties), the
// preferred org of the affinity, and the channel that signals freed room.
func (p *Pool) candidates(affinity string, excluded map[string]bool) (orgs []string, prefer string, wake <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	seen := map[string]bool{}
	for _, k := range p.keys {
		if k.dead || excluded[k.fp] || seen[k.org] {
			continue
		}
		seen[k.org] = true
		orgs = append(orgs, k.org)
	}
	if n := len(orgs); n > 1 {
		p.orgRR++
		r := p.orgRR % n
		orgs = append(orgs[r:], orgs[:r]...)
	}
	if affinity != "" {
		if o := p.affinity.get(affinity); seen[o] {
			prefer = o
		}
	}
	return orgs, prefer, p.wake
}

// pickKey rotates over the usable keys of org (capacity is per org; rotating
// makes a dead key show up soon).
func (p *Pool) pickKey(org string, excluded map[string]bool) *key {
	p.mu.Lock()
	defer p.mu.Unlock()
	var live []*key
	for _, k := range p.byOrg[org] {
		if !k.dead && !excluded[k.fp] {
			live = append(live, k)
		}
	}
	if len(live) == 0 {
		return nil
	}
	i := p.rr[org] % len(live)
	p.rr[org]++
	return live[i]
}

// learnOrg moves k into the org Groq named (if any) and returns the org the
// request really used.
func (p *Pool) learnOrg(ctx context.Context, k *key, named, used string) string {
	if named == "" {
		return used
	}
	p.mu.Lock()
	changed := k.org != named
	if changed {
		k.org, k.orgSource = named, OrgLearned
		p.rebuildLocked()
	}
	p.mu.Unlock()
	if changed {
		p.log.Info("groq key org learned", "key", k.fp, "org", named)
		if err := p.ledger.LearnOrg(ctx, k.fp, named); err != nil {
			p.log.Warn("groq learned org not shared", "key", k.fp, "err", err)
		}
	}
	return named
}

// markDead takes k out of rotation, for every replica; logged once.
func (p *Pool) markDead(ctx context.Context, k *key, reason string) {
	until := p.opts.Now().Add(p.opts.DeadKeyTTL)
	p.mu.Lock()
	was, org := k.dead, k.org
	k.dead, k.deadReason, k.deadUntil = true, reason, until
	p.mu.Unlock()
	if was {
		return
	}
	p.log.Error("groq key removed from rotation", "key", k.fp, "org", org, "reason", reason, "until", until)
	if err := p.ledger.MarkDead(ctx, k.fp, reason, until); err != nil {
		p.log.Warn("groq dead key not shared", "key", k.fp, "err", err)
	}
}
