package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/kamflow/kamflow/store"
)

// OIDCOptions configure company sign-in through the company's OpenID
// Connect provider (Entra ID, Okta, Keycloak, Google).
type OIDCOptions struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	// RedirectURL is kamflow's /login/oidc/callback as registered at the
	// provider.
	RedirectURL string
	// PostLogoutRedirectURL is kamflow's /login as registered at the
	// provider, where it sends the browser back after sign-out; empty: the
	// provider is not asked to send it back.
	PostLogoutRedirectURL string
	// GroupsClaim names the claim listing the user's groups ("groups").
	GroupsClaim string
	// RoleMap gives each group's kamflow roles; set, a user's roles follow
	// her groups at every sign-in and unknown users in a mapped group are
	// created. Empty: roles are an admin's to give.
	RoleMap map[string][]store.Role
	// Name is the provider's name on the sign-in button; empty: "your
	// company account".
	Name string
}

// oidcTimeout bounds every request kamflow makes to the provider.
const oidcTimeout = 10 * time.Second

// oidcClient talks to the provider. Its discovery document is fetched on
// first use and kept, so kamflow starts while the provider is down and
// company sign-in works as soon as it answers.
type oidcClient struct {
	opts OIDCOptions
	http *http.Client

	mu       sync.Mutex
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	// endSession is the provider's end_session_endpoint, "" if it offers
	// none or one kamflow cannot use (endSessionErr says why).
	endSession    string
	endSessionErr error
	// formActions are the origins sign-out's form may lead to (the
	// page's CSP form-action): the issuer's, and the end-session
	// endpoint's once discovered.
	formActions []string
}

func newOIDCClient(o *OIDCOptions) *oidcClient {
	if o == nil || o.Issuer == "" {
		return nil
	}
	if o.GroupsClaim == "" {
		o.GroupsClaim = "groups"
	}
	c := &oidcClient{opts: *o, http: &http.Client{Timeout: oidcTimeout}}
	if origin := cspOrigin(o.Issuer); origin != "" {
		c.formActions = []string{origin}
	}
	return c
}

// cspOrigin is raw's scheme and host as a CSP source, "" when raw is not
// an http(s) URL fit for one.
func cspOrigin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || strings.ContainsAny(u.Host, " ;,'\"") {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// formActionOrigins are the provider's origins sign-out may redirect a
// form submission to.
func (o *oidcClient) formActionOrigins() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.formActions
}

// context carries kamflow's HTTP client to go-oidc and oauth2.
func (o *oidcClient) context(ctx context.Context) context.Context {
	return oidc.ClientContext(ctx, o.http)
}

// discover returns the provider, fetching its discovery document once.
func (o *oidcClient) discover(ctx context.Context) (*oidc.Provider, *oidc.IDTokenVerifier, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.provider != nil {
		return o.provider, o.verifier, nil
	}
	p, err := oidc.NewProvider(o.context(ctx), o.opts.Issuer)
	if err != nil {
		return nil, nil, fmt.Errorf("company sign-in: discovery at %s: %w", o.opts.Issuer, err)
	}
	// An end_session_endpoint kamflow cannot use spoils sign-out at the
	// provider only, not sign-in: sign-out reports it.
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil {
		o.endSessionErr = fmt.Errorf("company sign-out: discovery document at %s: %w", o.opts.Issuer, err)
	} else if origin := cspOrigin(meta.EndSession); meta.EndSession != "" && origin == "" {
		o.endSessionErr = fmt.Errorf("company sign-out: end_session_endpoint %q at %s is not an http(s) URL", meta.EndSession, o.opts.Issuer)
	} else if meta.EndSession != "" {
		o.endSession = meta.EndSession
		if !slices.Contains(o.formActions, origin) {
			o.formActions = append(slices.Clip(o.formActions), origin)
		}
	}
	o.provider = p
	// Keys are fetched (and refetched on rotation) with kamflow's client.
	o.verifier = p.VerifierContext(o.context(context.Background()), &oidc.Config{ClientID: o.opts.ClientID})
	return o.provider, o.verifier, nil
}

func (o *oidcClient) oauth2Config(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID: o.opts.ClientID, ClientSecret: o.opts.ClientSecret, RedirectURL: o.opts.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}
}

// oidcIdentity is what kamflow takes from the provider about a person.
type oidcIdentity struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
	Groups        []string
	// IDToken is the verified ID token as the provider sent it, handed back
	// at sign-out.
	IDToken string
}

// errOIDCAnswer is a provider answer kamflow cannot accept (bad token,
// wrong nonce, subjects that differ).
var errOIDCAnswer = errors.New("company sign-in: provider's answer not accepted")

// identify redeems the code (with the PKCE verifier), verifies the ID
// token and its nonce, and reads the person's e-mail address, whether the
// provider verified it, name and groups — from the ID token, and from the
// userinfo endpoint for what the token leaves out.
func (o *oidcClient) identify(ctx context.Context, code, verifier, nonce string) (*oidcIdentity, error) {
	p, v, err := o.discover(ctx)
	if err != nil {
		return nil, err
	}
	ctx = o.context(ctx)
	tok, err := o.oauth2Config(p).Exchange(ctx, code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, fmt.Errorf("%w: code exchange: %v", errOIDCAnswer, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: no id_token", errOIDCAnswer)
	}
	idt, err := v.Verify(ctx, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: id token: %v", errOIDCAnswer, err)
	}
	if idt.Nonce != nonce {
		return nil, fmt.Errorf("%w: nonce does not match", errOIDCAnswer)
	}
	var claims map[string]json.RawMessage
	if err := idt.Claims(&claims); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", errOIDCAnswer, err)
	}
	id := &oidcIdentity{Subject: idt.Subject, IDToken: raw}
	o.readClaims(claims, id)
	_, hasVerified := claims["email_verified"]
	_, hasGroups := claims[o.opts.GroupsClaim]
	if (id.Email == "" || !hasVerified || !hasGroups) && p.UserInfoEndpoint() != "" {
		ui, err := p.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return nil, fmt.Errorf("%w: userinfo: %v", errOIDCAnswer, err)
		}
		if ui.Subject != idt.Subject {
			return nil, fmt.Errorf("%w: userinfo is about another subject", errOIDCAnswer)
		}
		var more map[string]json.RawMessage
		if err := ui.Claims(&more); err != nil {
			return nil, fmt.Errorf("%w: userinfo claims: %v", errOIDCAnswer, err)
		}
		for k, v := range claims {
			more[k] = v // the signed token wins
		}
		o.readClaims(more, id)
	}
	return id, nil
}

// endSessionURL is where sign-out sends the browser so that the provider
// ends its sign-in too (OpenID Connect RP-Initiated Logout): the
// provider's end_session_endpoint with the session's ID token as hint, the
// client ID and, when configured, where to come back to. "" when the
// provider offers no such endpoint.
func (o *oidcClient) endSessionURL(ctx context.Context, idToken string) (string, error) {
	if _, _, err := o.discover(ctx); err != nil {
		return "", err
	}
	o.mu.Lock()
	endpoint, bad := o.endSession, o.endSessionErr
	o.mu.Unlock()
	if bad != nil {
		return "", bad
	}
	if endpoint == "" {
		return "", nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("company sign-out: end_session_endpoint %q: %w", endpoint, err)
	}
	q := u.Query() // an endpoint's own parameters stay
	q.Set("id_token_hint", idToken)
	q.Set("client_id", o.opts.ClientID)
	if o.opts.PostLogoutRedirectURL != "" {
		q.Set("post_logout_redirect_uri", o.opts.PostLogoutRedirectURL)
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// readClaims fills id from claims; email_verified may come as a boolean
// or, from some providers, as the string "true".
func (o *oidcClient) readClaims(claims map[string]json.RawMessage, id *oidcIdentity) {
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(claims[k], &s)
		return s
	}
	id.Email, id.Name = str("email"), str("name")
	var b bool
	id.EmailVerified = json.Unmarshal(claims["email_verified"], &b) == nil && b || str("email_verified") == "true"
	id.Groups = nil
	var groups []string
	if json.Unmarshal(claims[o.opts.GroupsClaim], &groups) == nil {
		id.Groups = groups
	} else if g := str(o.opts.GroupsClaim); g != "" {
		id.Groups = []string{g}
	}
}

// managesRoles reports whether roles follow the provider's groups.
func (o *oidcClient) managesRoles() bool { return len(o.opts.RoleMap) > 0 }

// roles are the kamflow roles of groups under the role map.
func (o *oidcClient) roles(groups []string) []store.Role {
	seen := map[store.Role]bool{}
	var out []store.Role
	for _, g := range groups {
		for _, r := range o.opts.RoleMap[g] {
			if !seen[r] {
				seen[r] = true
				out = append(out, r)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
