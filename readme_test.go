package main_test

import (
	"os"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/config"
)

// TestReadmeDocumentsEveryVariable keeps the configuration table complete.
func TestReadmeDocumentsEveryVariable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range config.Variables(config.ModeWeb) {
		if !strings.Contains(string(readme), "`"+v[0]+"`") {
			t.Errorf("README does not document %s", v[0])
		}
	}
	for _, cmd := range []string{"go run . dev", "go test ./..."} {
		if !strings.Contains(string(readme), cmd) {
			t.Errorf("README lacks the command %q", cmd)
		}
	}
}
