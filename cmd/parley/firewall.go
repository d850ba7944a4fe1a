package main

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/parley-chat/parley/internal/platform/config"
	"github.com/parley-chat/parley/internal/waf"
)

// newFirewall loads the OWASP rules when PARLEY_WAF is detect or block.
func newFirewall(cfg config.Config, log *slog.Logger, reg prometheus.Registerer) (*waf.Firewall, error) {
	mode, err := waf.ParseMode(cfg.WAF)
	if err != nil {
		return nil, err
	}
	fw, err := waf.New(waf.Options{Mode: mode, Paranoia: cfg.WAFParanoia, MaxBody: cfg.MaxBodyBytes, Logger: log, Registerer: reg})
	if err != nil {
		return nil, err
	}
	if mode != waf.Off {
		log.Info("web application firewall on", "mode", string(mode), "paranoia", cfg.WAFParanoia,
			"load_ms", fw.LoadTime().Milliseconds())
	}
	return fw, nil
}
