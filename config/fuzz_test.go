package config

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary values to every setting and flag: Load either
// returns a config or an *Error naming the setting, and never panics.
func FuzzLoad(f *testing.F) {
	f.Add("sqlite", "127.0.0.1:8080", "info", "7233", "--http-addr=:8081")
	f.Add("mysql", "not-an-address", "loud", "-1", "--nope")
	f.Add("", ":0", "DEBUG", "70000", "extra")
	f.Fuzz(func(t *testing.T, driver, addr, level, port, arg string) {
		for _, mode := range []Mode{ModeDev, ModeWorker, ModeWeb, ModeMigrate} {
			env := func(name string) string {
				switch {
				case strings.HasSuffix(name, "DB_DRIVER"):
					return driver
				case strings.HasSuffix(name, "HTTP_ADDR"):
					return addr
				case strings.HasSuffix(name, "LOG_LEVEL"):
					return level
				case strings.Contains(name, "PORT"):
					return port
				}
				return ""
			}
			cfg, err := Load(mode, []string{arg}, env, io.Discard)
			var ce *Error
			switch {
			case err == nil && cfg == nil:
				t.Fatal("no config and no error")
			case errors.Is(err, ErrHelp):
			case err != nil && (!errors.As(err, &ce) || ce.Setting == "" || ce.Reason == ""):
				t.Fatalf("error without setting or reason: %#v", err)
			}
		}
	})
}
