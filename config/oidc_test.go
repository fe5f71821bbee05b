package config_test

import (
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/kamflow/kamflow/config"
	"github.com/kamflow/kamflow/store"
)

func TestOIDCSettings(t *testing.T) {
	env := map[string]string{
		"KAMFLOW_DB_USER": "kamflow", "KAMFLOW_BASE_URL": "https://kam.example.com",
		"KAMFLOW_OIDC_ISSUER": "https://login.example.com/realms/staff", "KAMFLOW_OIDC_CLIENT_ID": "kamflow",
		"KAMFLOW_OIDC_CLIENT_SECRET": "s3cret", "KAMFLOW_OIDC_ROLE_MAP": "kam-leads=lead, kam-hr=hr,kam-leads=committee",
		"KAMFLOW_OIDC_NAME": "Okta", "KAMFLOW_LOCAL_PASSWORDS": "off",
	}
	c, err := config.Load(config.ModeWeb, nil, envOf(env), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o := c.OIDC
	if !o.Enabled() || o.RedirectURL != "https://kam.example.com/login/oidc/callback" || o.PostLogoutRedirectURL != "https://kam.example.com/login" || o.GroupsClaim != "groups" || o.Name != "Okta" || c.SignIn.LocalPasswords {
		t.Errorf("oidc = %+v, local passwords %v", o, c.SignIn.LocalPasswords)
	}
	want := map[string][]store.Role{"kam-leads": {store.RoleLead, store.RoleCommittee}, "kam-hr": {store.RoleHR}}
	if !reflect.DeepEqual(o.RoleMap, want) {
		t.Errorf("role map = %v, want %v", o.RoleMap, want)
	}

	// Without KAMFLOW_BASE_URL the provider is not asked to send the
	// browser back after sign-out: kamflow does not know its address.
	delete(env, "KAMFLOW_BASE_URL")
	c, err = config.Load(config.ModeWeb, nil, envOf(env), io.Discard)
	if err != nil || c.OIDC.PostLogoutRedirectURL != "" || !strings.HasSuffix(c.OIDC.RedirectURL, "/login/oidc/callback") {
		t.Fatalf("without base URL: oidc %+v, err %v", c.OIDC, err)
	}

	// Without any OIDC setting, passwords are on and company sign-in off.
	c, err = config.Load(config.ModeWeb, nil, envOf(map[string]string{"KAMFLOW_DB_USER": "kamflow"}), io.Discard)
	if err != nil || c.OIDC.Enabled() || !c.SignIn.LocalPasswords {
		t.Fatalf("defaults: oidc %+v, passwords %v, err %v", c.OIDC, c.SignIn.LocalPasswords, err)
	}
}

func TestOIDCBadSettingsNameTheSetting(t *testing.T) {
	full := func(extra map[string]string) map[string]string {
		m := map[string]string{"KAMFLOW_DB_USER": "kamflow", "KAMFLOW_OIDC_ISSUER": "https://login.example.com",
			"KAMFLOW_OIDC_CLIENT_ID": "kamflow", "KAMFLOW_OIDC_CLIENT_SECRET": "s3cret"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		env     map[string]string
		setting string
	}{
		{map[string]string{"KAMFLOW_DB_USER": "kamflow", "KAMFLOW_LOCAL_PASSWORDS": "off"}, "KAMFLOW_LOCAL_PASSWORDS"},
		{map[string]string{"KAMFLOW_DB_USER": "kamflow", "KAMFLOW_LOCAL_PASSWORDS": "maybe"}, "KAMFLOW_LOCAL_PASSWORDS"},
		{map[string]string{"KAMFLOW_DB_USER": "kamflow", "KAMFLOW_OIDC_CLIENT_ID": "kamflow"}, "KAMFLOW_OIDC_CLIENT_ID"},
		{map[string]string{"KAMFLOW_DB_USER": "kamflow", "KAMFLOW_OIDC_ROLE_MAP": "a=lead"}, "KAMFLOW_OIDC_ROLE_MAP"},
		{full(map[string]string{"KAMFLOW_OIDC_ISSUER": "http://login.example.com"}), "KAMFLOW_OIDC_ISSUER"},
		{full(map[string]string{"KAMFLOW_OIDC_ISSUER": "login.example.com"}), "KAMFLOW_OIDC_ISSUER"},
		{full(map[string]string{"KAMFLOW_OIDC_CLIENT_ID": ""}), "KAMFLOW_OIDC_CLIENT_ID"},
		{full(map[string]string{"KAMFLOW_OIDC_CLIENT_SECRET": ""}), "KAMFLOW_OIDC_CLIENT_SECRET"},
		{full(map[string]string{"KAMFLOW_OIDC_ROLE_MAP": "kam-leads=boss"}), "KAMFLOW_OIDC_ROLE_MAP"},
		{full(map[string]string{"KAMFLOW_OIDC_ROLE_MAP": "kam-leads"}), "KAMFLOW_OIDC_ROLE_MAP"},
		{full(map[string]string{"KAMFLOW_OIDC_REDIRECT_URL": "https://kam.example.com/elsewhere"}), "KAMFLOW_OIDC_REDIRECT_URL"},
		{full(map[string]string{"KAMFLOW_OIDC_NAME": "two\nlines"}), "KAMFLOW_OIDC_NAME"},
	}
	for _, tc := range cases {
		_, err := config.Load(config.ModeWeb, nil, envOf(tc.env), io.Discard)
		var ce *config.Error
		if !errors.As(err, &ce) || ce.Setting != tc.setting || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: err = %v, want one line naming %s", tc.env, err, tc.setting)
		}
	}
	// A provider on this machine may speak plain HTTP (tests, a local Keycloak).
	c, err := config.Load(config.ModeWeb, nil, envOf(full(map[string]string{"KAMFLOW_OIDC_ISSUER": "http://127.0.0.1:9000"})), io.Discard)
	if err != nil || c.OIDC.Issuer != "http://127.0.0.1:9000" {
		t.Errorf("loopback issuer = %v, %v", c, err)
	}
}
