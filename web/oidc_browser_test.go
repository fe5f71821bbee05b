package web_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kamflow/kamflow/store"
	"github.com/kamflow/kamflow/web/browsertest"
)

// TestCompanySignInInBrowser clicks "Sign in with …" on kamflow's real
// login page in Chromium, chooses the person on the provider's page and
// arrives on kamflow's start page signed in, with the group's role.
func TestCompanySignInInBrowser(t *testing.T) {
	exe, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("KAMFLOW_TEST_REQUIRE_BROWSER") != "" {
			t.Fatal("Chromium is not on PATH but KAMFLOW_TEST_REQUIRE_BROWSER requires the browser tests")
		}
		t.Skip("browser test skipped: install Debian's chromium")
	}
	w := newOIDCWorld(t, nil)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(browsertest.ProfileDir(t)))...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })

	var button, providerTitle, location, header string
	err = chromedp.Run(ctx,
		chromedp.Navigate(w.URL+"/login"),
		chromedp.Text(`.company-sign-in a`, &button, chromedp.ByQuery),
		chromedp.Click(`.company-sign-in a`, chromedp.ByQuery),
		chromedp.WaitVisible(`#as-otto`, chromedp.ByQuery),
		chromedp.Title(&providerTitle),
		chromedp.Click(`#as-otto`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/logout"]`, chromedp.ByQuery),
		chromedp.Location(&location),
		chromedp.Text(`header`, &header, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(button) != "Sign in with Test IdP" || providerTitle != "Test identity provider" {
		t.Errorf("button %q, provider's page %q", button, providerTitle)
	}
	if location != w.URL+"/" || !strings.Contains(header, "Otto Ostermann") {
		t.Errorf("arrived at %s, header %q", location, header)
	}
	if got := w.roles(personOtto.Email); len(got) != 1 || got[0] != store.RoleHR {
		t.Errorf("roles = %v, want [hr]", got)
	}
}

// TestCompanySignOutInBrowser is the shared PC: Otto signs in with the
// company account in Chromium and clicks "Sign out". The browser passes
// through the provider's end_session (kamflow's page allows its form to
// lead there) and lands on kamflow's sign-in page, which says he is signed
// out; "Sign in with …" then shows the provider's page asking who it is
// instead of signing Otto straight back in.
func TestCompanySignOutInBrowser(t *testing.T) {
	exe, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("KAMFLOW_TEST_REQUIRE_BROWSER") != "" {
			t.Fatal("Chromium is not on PATH but KAMFLOW_TEST_REQUIRE_BROWSER requires the browser tests")
		}
		t.Skip("browser test skipped: install Debian's chromium")
	}
	w := newOIDCWorld(t, nil)
	w.idp.rememberSignIns()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(browsertest.ProfileDir(t)))...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })

	var location, notice, providerTitle string
	err = chromedp.Run(ctx,
		chromedp.Navigate(w.URL+"/login"),
		chromedp.Click(`.company-sign-in a`, chromedp.ByQuery),
		chromedp.WaitVisible(`#as-otto`, chromedp.ByQuery),
		chromedp.Click(`#as-otto`, chromedp.ByQuery),
		chromedp.WaitVisible(`form[action="/logout"] button`, chromedp.ByQuery),
		chromedp.Click(`form[action="/logout"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.company-sign-in a`, chromedp.ByQuery),
		chromedp.Location(&location),
		chromedp.Text(`.notice`, &notice, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatal(err)
	}
	if location != w.URL+"/login" || strings.TrimSpace(notice) != "You are signed out." {
		t.Errorf("after sign-out at %s, notice %q", location, notice)
	}
	if ended := w.idp.endedSessions(); len(ended) != 1 || ended[0] != "otto "+testClientID {
		t.Errorf("provider ended %q", ended)
	}
	err = chromedp.Run(ctx,
		chromedp.Click(`.company-sign-in a`, chromedp.ByQuery),
		chromedp.WaitVisible(`#as-otto`, chromedp.ByQuery),
		chromedp.Title(&providerTitle),
	)
	if err != nil || providerTitle != "Test identity provider" {
		t.Fatalf("next company sign-in: page %q, %v", providerTitle, err)
	}
}
