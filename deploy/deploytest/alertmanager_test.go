package deploytest

import (
	"path/filepath"
	"testing"

	amconfig "github.com/prometheus/alertmanager/config"
)

// TestAlertmanagerConfigLoads loads alertmanager.yml with Alertmanager's own
// configuration package (the version the Compose stack runs), which applies
// every validation `amtool check-config` does.
func TestAlertmanagerConfigLoads(t *testing.T) {
	cfg, err := amconfig.LoadFile(filepath.Join(repoRoot, "deploy/alertmanager/alertmanager.yml"))
	if err != nil {
		t.Fatalf("alertmanager.yml: %v", err)
	}
	if len(cfg.InhibitRules) == 0 || cfg.Route == nil || len(cfg.Route.Routes) == 0 {
		t.Errorf("config lost its routes or inhibit rules: %+v", cfg)
	}
}
