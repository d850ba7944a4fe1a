package main

import (
	"context"
	"errors"

	"github.com/parley-chat/parley/internal/groq"
	"github.com/parley-chat/parley/internal/httpapi"
	"github.com/parley-chat/parley/internal/incident"
	"github.com/parley-chat/parley/internal/statuspage"
	"github.com/parley-chat/parley/internal/store"
)

// readyChecks are the /readyz checks beyond the database's: Redis when
// configured, and the Groq key pool when keys are configured.
func (in *infra) readyChecks(pool *groq.Pool) []httpapi.ReadyCheck {
	var out []httpapi.ReadyCheck
	if in.redis != nil {
		out = append(out, httpapi.ReadyCheck{Name: "redis", Check: in.redisPing})
	}
	if pool != nil {
		out = append(out, httpapi.ReadyCheck{Name: "groq", Check: func(ctx context.Context) error {
			if c := poolCheck(pool.Snapshot(ctx)); c.Status == incident.Outage {
				return errors.New(c.Detail)
			}
			return nil
		}})
	}
	return out
}

// poolCheck judges the key pool: a key that is not dead is usable (a cooling
// one only for a while). Without any configured key chat is off but the
// rest works: degraded, and still ready (readiness fails only on outage).
func poolCheck(keys []groq.KeyStatus) statuspage.Check {
	if len(keys) == 0 {
		return statuspage.Check{Status: incident.Degraded, Detail: "no Groq keys configured"}
	}
	active, cooling := 0, 0
	for _, k := range keys {
		switch k.State {
		case groq.StateActive:
			active++
		case groq.StateCooling:
			cooling++
		}
	}
	switch {
	case active > 0:
		return statuspage.Check{Status: incident.Operational}
	case cooling > 0:
		return statuspage.Check{Status: incident.Degraded, Detail: "every key is cooling down"}
	}
	return statuspage.Check{Status: incident.Outage, Detail: "no usable Groq key"}
}

// startStatus watches api, database, redis (when configured) and groq (when
// a pool is given) until ctx ends: the public status page.
func (in *infra) startStatus(ctx context.Context, st store.Store, pool *groq.Pool) *statuspage.Page {
	comps := []statuspage.Component{
		{Name: "api", Critical: true, Probe: func(context.Context) statuspage.Check {
			return statuspage.Check{Status: incident.Operational}
		}},
		{Name: "database", Critical: true, Probe: statuspage.ProbeErr(st.Ping)},
	}
	if in.redis != nil {
		comps = append(comps, statuspage.Component{Name: "redis", Probe: statuspage.ProbeErr(in.redisPing)})
	}
	if pool != nil {
		comps = append(comps, statuspage.Component{Name: "groq", Critical: true, Probe: func(ctx context.Context) statuspage.Check {
			return poolCheck(pool.Snapshot(ctx))
		}})
	}
	page := statuspage.New(statuspage.Options{Components: comps, Store: st, Logger: in.log})
	go page.Run(ctx)
	return page
}
