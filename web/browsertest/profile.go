// Package browsertest holds what the browser tests of several packages
// share.
package browsertest

import (
	"os"
	"testing"
	"time"
)

// ProfileDir is a directory for Chromium's profile, removed after the
// browser is closed: call it before registering the browser's cleanup.
// Chromium's helper processes may still write there for a moment after the
// browser exits, which made t.TempDir's removal fail the test.
func ProfileDir(t testing.TB) string {
	dir, err := os.MkdirTemp("", "kamflow-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; os.RemoveAll(dir) != nil && i < 50; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	return dir
}
