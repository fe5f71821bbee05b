package web_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// testIdentityProvider is a real OpenID provider (zitadel's op package)
// over a small in-memory storage: one confidential client (kamflow), the
// people below, auth requests, codes, access tokens and one RSA key. Its
// login page lists the people, one button each; choosing one approves
// the request for her. With rememberSignIns it keeps a sign-in of its own
// in a cookie, as company providers do, and approves the next request from
// that browser without asking — until kamflow ends it at end_session.
type testIdentityProvider struct {
	URL    string
	server *httptest.Server
	store  *opStorage
}

// idpSessionCookie is the provider's own sign-in (rememberSignIns).
const idpSessionCookie = "idp_session"

// opPerson is someone the provider can sign in.
type opPerson struct {
	Subject, Email, Name string
	Verified             bool
	Groups               []string
}

const (
	testClientID     = "kamflow"
	testClientSecret = "kamflow-test-secret"
)

func newTestIdentityProvider(t *testing.T, people ...opPerson) *testIdentityProvider {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	st := &opStorage{key: key, people: map[string]opPerson{}, requests: map[string]*opAuthRequest{}, codes: map[string]string{}, tokens: map[string]opToken{}}
	for _, p := range people {
		st.people[p.Subject] = p
	}
	idp := &testIdentityProvider{store: st}
	mux := http.NewServeMux()
	idp.server = httptest.NewServer(mux)
	t.Cleanup(idp.server.Close)
	idp.URL = idp.server.URL
	provider, err := op.NewProvider(&op.Config{CryptoKey: sha256.Sum256([]byte("test provider")), CodeMethodS256: true, AuthMethodPost: true,
		DefaultLogoutRedirectURI: "/signed-out"},
		st, op.StaticIssuer(idp.URL), op.WithAllowInsecure())
	if err != nil {
		t.Fatal(err)
	}
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("authRequestID")
		if ck, err := r.Cookie(idpSessionCookie); err == nil && st.signedInAt(ck.Value) {
			// Signed in here already: no questions, straight back.
			if err := st.approve(id, ck.Value); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			http.Redirect(w, r, idp.URL+"/authorize/callback?id="+id, http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Test identity provider</title><h1>Test identity provider</h1><form method="post" action="/login"><input type="hidden" name="id" value="%s">`, html.EscapeString(id))
		for _, p := range st.sortedPeople() {
			fmt.Fprintf(w, `<button type="submit" name="subject" value="%s" id="as-%s">Continue as %s</button>`, html.EscapeString(p.Subject), html.EscapeString(p.Subject), html.EscapeString(p.Email))
		}
		fmt.Fprint(w, `<button type="submit" name="subject" value="" id="deny">Deny</button></form>`)
	})
	mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue("id")
		req, err := st.AuthRequestByID(r.Context(), id)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		subject := r.FormValue("subject")
		if subject == "" {
			// The person declines: back to the client with access_denied.
			op.AuthRequestError(w, r, req, oidc.ErrAccessDenied(), provider)
			return
		}
		if err := st.approve(id, subject); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if st.startSignIn(subject) {
			http.SetCookie(w, &http.Cookie{Name: idpSessionCookie, Value: subject, Path: "/", HttpOnly: true})
		}
		http.Redirect(w, r, idp.URL+"/authorize/callback?id="+id, http.StatusFound)
	})
	mux.HandleFunc("GET /signed-out", func(w http.ResponseWriter, r *http.Request) {
		// Where the provider leaves a browser it was not asked to send back.
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>Test identity provider</title><p>You are signed out of the test identity provider.</p>`)
	})
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		// The real discovery document, without end_session_endpoint for a
		// provider that offers none.
		rec := httptest.NewRecorder()
		provider.ServeHTTP(rec, r)
		var doc map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		st.mu.Lock()
		if st.noEndSession {
			delete(doc, "end_session_endpoint")
		}
		st.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(doc)
	})
	mux.Handle("/", provider)
	return idp
}

// allowPostLogoutRedirect registers where the provider may send the
// browser back after sign-out.
func (idp *testIdentityProvider) allowPostLogoutRedirect(uri string) {
	idp.store.mu.Lock()
	defer idp.store.mu.Unlock()
	idp.store.postLogoutRedirects = append(idp.store.postLogoutRedirects, uri)
}

// rememberSignIns makes the provider keep its own sign-in per browser.
func (idp *testIdentityProvider) rememberSignIns() {
	idp.store.mu.Lock()
	defer idp.store.mu.Unlock()
	idp.store.remember = true
}

// offerNoEndSession leaves end_session_endpoint out of discovery.
func (idp *testIdentityProvider) offerNoEndSession() {
	idp.store.mu.Lock()
	defer idp.store.mu.Unlock()
	idp.store.noEndSession = true
}

// endedSessions are the sign-ins kamflow ended at end_session, as
// "subject client".
func (idp *testIdentityProvider) endedSessions() []string {
	idp.store.mu.Lock()
	defer idp.store.mu.Unlock()
	return slices.Clone(idp.store.ended)
}

// redirectURIs registers kamflow's callback for the client.
func (idp *testIdentityProvider) allowRedirect(uri string) {
	idp.store.mu.Lock()
	defer idp.store.mu.Unlock()
	idp.store.redirects = append(idp.store.redirects, uri)
}

type opStorage struct {
	mu                  sync.Mutex
	key                 *rsa.PrivateKey
	redirects           []string
	postLogoutRedirects []string
	remember            bool
	noEndSession        bool
	signedIn            map[string]bool // subjects with the provider's own sign-in
	ended               []string
	people              map[string]opPerson
	requests            map[string]*opAuthRequest
	codes               map[string]string // code -> request id
	tokens              map[string]opToken
	seq                 int
}

type opToken struct {
	subject string
	scopes  []string
	expires time.Time
}

func (s *opStorage) sortedPeople() []opPerson {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []opPerson
	for _, p := range s.people {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b opPerson) int { return cmpString(a.Subject, b.Subject) })
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (s *opStorage) next(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%d-%x", prefix, s.seq, time.Now().UnixNano())
}

func (s *opStorage) approve(id, subject string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.requests[id]
	if !ok {
		return errors.New("no such auth request")
	}
	if _, ok := s.people[subject]; !ok {
		return errors.New("no such person")
	}
	r.subject, r.done, r.authTime = subject, true, time.Now()
	return nil
}

// opAuthRequest is one authorization request (op.AuthRequest).
type opAuthRequest struct {
	id       string
	req      oidc.AuthRequest
	subject  string
	done     bool
	authTime time.Time
}

func (a *opAuthRequest) GetID() string                      { return a.id }
func (a *opAuthRequest) GetACR() string                     { return "" }
func (a *opAuthRequest) GetAMR() []string                   { return []string{"pwd"} }
func (a *opAuthRequest) GetAudience() []string              { return []string{a.req.ClientID} }
func (a *opAuthRequest) GetAuthTime() time.Time             { return a.authTime }
func (a *opAuthRequest) GetClientID() string                { return a.req.ClientID }
func (a *opAuthRequest) GetNonce() string                   { return a.req.Nonce }
func (a *opAuthRequest) GetRedirectURI() string             { return a.req.RedirectURI }
func (a *opAuthRequest) GetScopes() []string                { return a.req.Scopes }
func (a *opAuthRequest) GetState() string                   { return a.req.State }
func (a *opAuthRequest) GetSubject() string                 { return a.subject }
func (a *opAuthRequest) Done() bool                         { return a.done }
func (a *opAuthRequest) GetResponseType() oidc.ResponseType { return a.req.ResponseType }
func (a *opAuthRequest) GetResponseMode() oidc.ResponseMode { return a.req.ResponseMode }
func (a *opAuthRequest) GetCodeChallenge() *oidc.CodeChallenge {
	return &oidc.CodeChallenge{Challenge: a.req.CodeChallenge, Method: a.req.CodeChallengeMethod}
}

// CreateAuthRequest insists on PKCE (S256), as kamflow must send it.
func (s *opStorage) CreateAuthRequest(_ context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with S256 is required")
	}
	if req.Nonce == "" {
		return nil, oidc.ErrInvalidRequest().WithDescription("nonce is required")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := &opAuthRequest{id: s.next("req"), req: *req}
	s.requests[r.id] = r
	return r, nil
}

func (s *opStorage) AuthRequestByID(_ context.Context, id string) (op.AuthRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.requests[id]; ok {
		return r, nil
	}
	return nil, errors.New("auth request not found")
}

func (s *opStorage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	s.mu.Lock()
	id, ok := s.codes[code]
	s.mu.Unlock()
	if !ok {
		return nil, errors.New("code invalid")
	}
	return s.AuthRequestByID(ctx, id)
}

func (s *opStorage) SaveAuthCode(_ context.Context, id, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.codes[code] = id
	return nil
}

func (s *opStorage) DeleteAuthRequest(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.requests, id)
	for code, rid := range s.codes {
		if rid == id {
			delete(s.codes, code)
		}
	}
	return nil
}

func (s *opStorage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, exp := s.next("at"), time.Now().Add(5*time.Minute)
	s.tokens[id] = opToken{subject: req.GetSubject(), scopes: req.GetScopes(), expires: exp}
	return id, exp, nil
}

func (s *opStorage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errors.New("refresh tokens are not offered")
}

func (s *opStorage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}

// startSignIn remembers subject's sign-in at the provider, when it
// remembers sign-ins at all.
func (s *opStorage) startSignIn(subject string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.remember {
		return false
	}
	if s.signedIn == nil {
		s.signedIn = map[string]bool{}
	}
	s.signedIn[subject] = true
	return true
}

func (s *opStorage) signedInAt(subject string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.signedIn[subject]
}

// TerminateSession ends subject's sign-in at the provider (end_session
// with a valid id_token_hint).
func (s *opStorage) TerminateSession(_ context.Context, subject, clientID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.signedIn, subject)
	s.ended = append(s.ended, subject+" "+clientID)
	return nil
}

func (s *opStorage) RevokeToken(_ context.Context, token, _, _ string) *oidc.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, token)
	return nil
}

func (s *opStorage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

type opSigningKey struct{ key *rsa.PrivateKey }

func (k opSigningKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k opSigningKey) Key() any                                    { return k.key }
func (k opSigningKey) ID() string                                  { return "test-key" }

type opPublicKey struct{ key *rsa.PrivateKey }

func (k opPublicKey) ID() string                         { return "test-key" }
func (k opPublicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k opPublicKey) Use() string                        { return "sig" }
func (k opPublicKey) Key() any                           { return &k.key.PublicKey }

func (s *opStorage) SigningKey(context.Context) (op.SigningKey, error) {
	return opSigningKey{s.key}, nil
}

func (s *opStorage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *opStorage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{opPublicKey{s.key}}, nil
}

func (s *opStorage) GetClientByClientID(_ context.Context, id string) (op.Client, error) {
	if id != testClientID {
		return nil, errors.New("unknown client")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return &opClient{redirects: slices.Clone(s.redirects), postLogoutRedirects: slices.Clone(s.postLogoutRedirects)}, nil
}

func (s *opStorage) AuthorizeClientIDSecret(_ context.Context, id, secret string) error {
	if id != testClientID || secret != testClientSecret {
		return oidc.ErrInvalidClient()
	}
	return nil
}

// setUserinfo gives what the scopes allow: e-mail (and whether it was
// verified) for "email", the name for "profile", and always the groups.
func (s *opStorage) setUserinfo(info *oidc.UserInfo, subject string, scopes []string) error {
	s.mu.Lock()
	p, ok := s.people[subject]
	s.mu.Unlock()
	if !ok {
		return errors.New("no such person")
	}
	info.Subject = subject
	for _, sc := range scopes {
		switch sc {
		case oidc.ScopeEmail:
			info.Email, info.EmailVerified = p.Email, oidc.Bool(p.Verified)
		case oidc.ScopeProfile:
			info.Name = p.Name
		}
	}
	info.AppendClaims("groups", p.Groups)
	return nil
}

func (s *opStorage) SetUserinfoFromScopes(_ context.Context, info *oidc.UserInfo, subject, _ string, scopes []string) error {
	return s.setUserinfo(info, subject, scopes)
}

func (s *opStorage) SetUserinfoFromToken(_ context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	s.mu.Lock()
	tok, ok := s.tokens[tokenID]
	s.mu.Unlock()
	if !ok || tok.subject != subject || time.Now().After(tok.expires) {
		return errors.New("token invalid or expired")
	}
	return s.setUserinfo(info, subject, tok.scopes)
}

func (s *opStorage) SetIntrospectionFromToken(context.Context, *oidc.IntrospectionResponse, string, string, string) error {
	return errors.New("introspection is not offered")
}

func (s *opStorage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *opStorage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("JWT profile is not offered")
}

func (s *opStorage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("JWT profile is not offered")
}

func (s *opStorage) Health(context.Context) error { return nil }

// opClient is kamflow, a confidential web client with code flow.
type opClient struct{ redirects, postLogoutRedirects []string }

func (c *opClient) GetID() string                       { return testClientID }
func (c *opClient) RedirectURIs() []string              { return c.redirects }
func (c *opClient) PostLogoutRedirectURIs() []string    { return c.postLogoutRedirects }
func (c *opClient) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *opClient) AuthMethod() oidc.AuthMethod         { return oidc.AuthMethodBasic }
func (c *opClient) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *opClient) GrantTypes() []oidc.GrantType         { return []oidc.GrantType{oidc.GrantTypeCode} }
func (c *opClient) LoginURL(id string) string            { return "/login?authRequestID=" + id }
func (c *opClient) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *opClient) IDTokenLifetime() time.Duration       { return 5 * time.Minute }
func (c *opClient) DevMode() bool                        { return true }
func (c *opClient) IsScopeAllowed(string) bool           { return false }
func (c *opClient) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *opClient) ClockSkew() time.Duration             { return 0 }
func (c *opClient) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *opClient) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
