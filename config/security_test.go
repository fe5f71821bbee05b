package config_test

import (
	"io"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/config"
)

func TestBaseURL(t *testing.T) {
	good := map[string]string{
		"https://kamflow.example.com":       "https://kamflow.example.com",
		"https://kamflow.example.com/":      "https://kamflow.example.com",
		"https://example.com:8443/kamflow/": "https://example.com:8443/kamflow",
		"http://127.0.0.1:8080":             "http://127.0.0.1:8080",
		"  https://kamflow.example.com  ":   "https://kamflow.example.com",
	}
	for in, want := range good {
		c, err := config.Load(config.ModeWeb, nil, envOf(map[string]string{"KAMFLOW_BASE_URL": in}), io.Discard)
		if err != nil || c.BaseURL != want || c.BaseURLDerived {
			t.Errorf("%q: %v, %+v; want %s", in, err, c, want)
		}
	}
	for _, bad := range []string{"kamflow.example.com", "/kamflow", "ftp://example.com", "https://", "https://u:p@example.com",
		"https://example.com/?next=x", "https://example.com/#top", "https://example.com:99999", "javascript:alert(1)"} {
		_, err := config.Load(config.ModeWeb, nil, envOf(map[string]string{"KAMFLOW_BASE_URL": bad}), io.Discard)
		if err == nil || !strings.HasPrefix(err.Error(), "KAMFLOW_BASE_URL: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: %v; want one line naming KAMFLOW_BASE_URL", bad, err)
		}
	}
}

func TestBaseURLDefaultsToTheListeningAddress(t *testing.T) {
	c, err := config.Load(config.ModeDev, nil, envOf(nil), io.Discard)
	if err != nil || c.BaseURL != "http://127.0.0.1:8080" || !c.BaseURLDerived {
		t.Errorf("dev: %v, %q derived=%v", err, c.BaseURL, c.BaseURLDerived)
	}
	c, err = config.Load(config.ModeWeb, nil, envOf(map[string]string{"KAMFLOW_HTTP_ADDR": "0.0.0.0:8443"}), io.Discard)
	if err != nil || c.BaseURL != "https://localhost:8443" {
		t.Errorf("web with secure cookies: %v, %q", err, c.BaseURL)
	}
}

func TestCSRFSecret(t *testing.T) {
	if _, err := config.Load(config.ModeWeb, nil, envOf(map[string]string{"KAMFLOW_CSRF_SECRET": "short"}), io.Discard); err == nil || !strings.HasPrefix(err.Error(), "KAMFLOW_CSRF_SECRET: ") {
		t.Errorf("short secret: %v", err)
	}
	secret := strings.Repeat("k", 32)
	c, err := config.Load(config.ModeWeb, nil, envOf(map[string]string{"KAMFLOW_CSRF_SECRET": secret}), io.Discard)
	if err != nil || c.CSRFSecret != secret {
		t.Errorf("secret: %v", err)
	}
}
