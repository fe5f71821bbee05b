package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"

	"github.com/kamflow/kamflow/store"
)

// Every step counts once: a state-changing request may carry a key (the
// API's Idempotency-Key header, a page form's one-time form_token). The
// first request with a key claims it in the database and its answer is
// stored; a repeat by the same user gets that answer and changes nothing,
// and repeats arriving while the first still runs wait for it. The key
// also names the request's Temporal updates (see updateID), so an update
// that reached the workflow before a crash is not applied twice.

const (
	idempotencyHeader = "Idempotency-Key"
	// replayedHeader marks an answer that is a stored first answer.
	replayedHeader = "Idempotent-Replayed"
	formTokenField = "form_token"
	maxKeyLength   = 200
	// idempotencyTTL is how long a key and its answer are kept.
	idempotencyTTL = 24 * time.Hour
	// idempotencyStale: a claim this old without an answer belongs to a
	// request that died (a crash, a lost database connection); the same
	// request may take it over. Requests end within a minute.
	idempotencyStale        = 2 * time.Minute
	idempotencyCleanupEvery = time.Hour
	idempotencyCleanupBatch = 1000
	// idempotencyWait is how long a repeat waits for the first request
	// before it answers 409 with Retry-After; longer than any update
	// (sendUpdate gives up after 30 s).
	idempotencyWait = 35 * time.Second
	// maxKeptAnswer: a larger answer (a long import preview) is not kept;
	// a repeat runs again.
	maxKeptAnswer = 4 << 20
)

// replayHeaders are the answer's headers a replay repeats.
var replayHeaders = []string{echo.HeaderContentType, echo.HeaderLocation, "Content-Language", echo.HeaderContentDisposition}

// keySource says where a request's key comes from.
type keySource int

const (
	keyFromHeader keySource = iota // the API: Idempotency-Key
	keyFromForm                    // page forms: the one-time form_token
)

func (k keySource) String() string {
	if k == keyFromForm {
		return "form"
	}
	return "header"
}

// idempotency is the server's key guard.
type idempotency struct {
	wait        time.Duration
	lastCleanup atomic.Int64 // unix seconds
}

type requestKeyCtx struct{}

// requestKey identifies one request for Temporal: derived from the user
// and the key when the client sent one, random otherwise.
type requestKey struct {
	id      string
	keyed   bool
	updates atomic.Int32
}

func requestKeyOf(ctx context.Context) *requestKey {
	rk, _ := ctx.Value(requestKeyCtx{}).(*requestKey)
	return rk
}

// updateID is the Temporal UpdateID of the next update this request sends:
// the same for a retry with the same key, unique otherwise. Temporal
// answers an update ID it has seen with the first result, as long as the
// update is in the workflow's state; the stored answers cover the rest.
func updateID(ctx context.Context) string {
	rk := requestKeyOf(ctx)
	if rk == nil {
		rk = &requestKey{id: "r" + newToken()[:32]}
	}
	return rk.id + "-" + strconv.Itoa(int(rk.updates.Add(1)))
}

// keyedWorkflowID guards a workflow start whose ID is otherwise
// time-based: with a key, the ID's last segment (the time) is replaced by
// one derived from the user and the key, so a retry of the start is
// rejected as a duplicate by Temporal instead of starting a second workflow.
func keyedWorkflowID(ctx context.Context, timeBased string) string {
	rk := requestKeyOf(ctx)
	i := strings.LastIndexByte(timeBased, '-')
	if rk == nil || !rk.keyed || i < 0 {
		return timeBased
	}
	return timeBased[:i+1] + rk.id[:21]
}

func stateChanging(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// validKey: 1 to 200 visible ASCII characters.
func validKey(k string) bool {
	if k == "" || len(k) > maxKeyLength {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

func hashHex(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		_, _ = io.WriteString(h, p)
		_, _ = h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// requestKeyFrom reads the key; ok is false when the request has none.
func requestKeyFrom(c echo.Context, src keySource) (string, bool, error) {
	if src == keyFromForm {
		k := c.FormValue(formTokenField)
		if k == "" {
			return "", false, nil
		}
		if !validKey(k) {
			return "", false, clientError(http.StatusUnprocessableEntity, "The form's one-time token is damaged. Reload the page and try again.")
		}
		return k, true, nil
	}
	vals := c.Request().Header.Values(idempotencyHeader)
	switch {
	case len(vals) == 0:
		return "", false, nil
	case len(vals) > 1:
		return "", false, fieldError(idempotencyHeader, "send the header once")
	case !validKey(vals[0]):
		return "", false, fieldError(idempotencyHeader, fmt.Sprintf("must be 1 to %d visible ASCII characters (e.g. a UUID)", maxKeyLength))
	}
	return vals[0], true, nil
}

// idempotent is the middleware that makes keyed state-changing requests
// count once. Without a key (or signed out) a request runs as before, with
// a fresh request ID for its updates.
func (s *Server) idempotent(src keySource) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			if !stateChanging(req.Method) {
				return next(c)
			}
			u := currentUser(c)
			key, ok, err := requestKeyFrom(c, src)
			if err != nil {
				return err
			}
			if u == nil || !ok {
				c.SetRequest(req.WithContext(context.WithValue(req.Context(), requestKeyCtx{}, &requestKey{id: "r" + newToken()[:32]})))
				return next(c)
			}
			r := store.IdempotencyRequest{UserID: u.ID, KeyHash: hashHex(src.String(), key), Method: req.Method, Path: req.URL.RequestURI()}
			if src == keyFromHeader {
				// The API compares bodies byte for byte; a page form's token
				// names one rendered form, whatever the browser encodes.
				body, err := io.ReadAll(req.Body)
				if err != nil {
					return fieldError("body", "the body could not be read")
				}
				req.Body = io.NopCloser(bytes.NewReader(body))
				r.BodyHash = hashHex(string(body))
			}
			rk := &requestKey{id: "k" + hashHex(strconv.FormatUint(uint64(u.ID), 10), src.String(), key)[:40], keyed: true}
			c.SetRequest(req.WithContext(context.WithValue(req.Context(), requestKeyCtx{}, rk)))
			return s.onceFor(c, next, src, r)
		}
	}
}

// onceFor claims r's key and runs the request, or answers with the first
// request's answer, waiting for it while it runs.
func (s *Server) onceFor(c echo.Context, next echo.HandlerFunc, src keySource, r store.IdempotencyRequest) error {
	ctx := c.Request().Context()
	s.cleanupIdempotencyKeys(ctx)
	deadline := time.Now().Add(s.idem.wait)
	for {
		now := s.opts.Now().UTC()
		row, claimed, err := s.opts.Store.ClaimIdempotencyKey(ctx, r, now, now.Add(-idempotencyTTL), now.Add(-idempotencyStale))
		if err != nil {
			return err
		}
		if claimed {
			return s.runClaimed(c, next, row.ID)
		}
		for {
			if !row.Matches(r) {
				return keyReused(src, row)
			}
			if !row.Pending() {
				return replay(c, row)
			}
			if !time.Now().Before(deadline) {
				c.Response().Header().Set("Retry-After", "1")
				if src == keyFromForm {
					return clientError(http.StatusConflict, "This form is still being processed. Wait a moment, then reload the page.")
				}
				return apiErr(http.StatusConflict, "in_progress", "a request with this Idempotency-Key is still running; repeat it after Retry-After seconds to get its answer")
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
			row, err = s.opts.Store.IdempotencyKeyOf(ctx, r.UserID, r.KeyHash)
			if errors.Is(err, store.ErrNotFound) {
				break // the first request failed and let go: claim it again
			}
			if err != nil {
				return err
			}
		}
	}
}

func keyReused(src keySource, row *store.IdempotencyKey) error {
	if src == keyFromForm {
		return clientError(http.StatusUnprocessableEntity, "This form was sent already, to another address. Reload the page and try again.")
	}
	return fieldError(idempotencyHeader, fmt.Sprintf("this key was used for another request (%s %s, or another body); use a new key for a new request", row.Method, row.Path))
}

// answerRecorder copies what the handler writes, up to maxKeptAnswer.
type answerRecorder struct {
	http.ResponseWriter
	body     bytes.Buffer
	tooLarge bool
}

func (a *answerRecorder) Write(b []byte) (int, error) {
	if a.body.Len()+len(b) > maxKeptAnswer {
		a.tooLarge = true
		a.body.Reset()
	}
	if !a.tooLarge {
		a.body.Write(b)
	}
	return a.ResponseWriter.Write(b)
}

func (a *answerRecorder) Unwrap() http.ResponseWriter { return a.ResponseWriter }

const ctxSecretAnswer = "idempotency.secret"

// answerShowsSecret marks an answer that shows a secret once (a new API
// token, a feed link), which must not be kept: a repeat is redirected to
// then instead, or, with then "", runs again (where a second run replaces
// the first secret, so acting again is harmless).
func answerShowsSecret(c echo.Context, then string) { c.Set(ctxSecretAnswer, then) }

// runClaimed runs the request that owns the key and stores its answer; a
// server error lets the key go, so a retry runs again. The request goes
// on if the client leaves, so that repeats waiting for it get an answer.
func (s *Server) runClaimed(c echo.Context, next echo.HandlerFunc, claimID uint) (err error) {
	ctx := context.WithoutCancel(c.Request().Context())
	c.SetRequest(c.Request().WithContext(ctx))
	rec := &answerRecorder{ResponseWriter: c.Response().Writer}
	c.Response().Writer = rec
	done := false
	defer func() {
		if !done {
			if rErr := s.opts.Store.ReleaseIdempotencyKey(ctx, claimID); rErr != nil {
				s.logFor(ctx).Error("release idempotency key", "err", rErr)
			}
		}
	}()
	if hErr := next(c); hErr != nil {
		c.Error(hErr) // the answer to store is the error's page or JSON
	}
	resp := c.Response()
	status := resp.Status
	if status >= 500 || rec.tooLarge {
		return nil
	}
	header := map[string]string{}
	for _, h := range replayHeaders {
		if v := resp.Header().Get(h); v != "" {
			header[h] = v
		}
	}
	body := rec.body.Bytes()
	if then, ok := c.Get(ctxSecretAnswer).(string); ok {
		if then == "" {
			return nil
		}
		status, header, body = http.StatusSeeOther, map[string]string{echo.HeaderLocation: then}, nil
	}
	hj, _ := json.Marshal(header)
	if err := s.opts.Store.CompleteIdempotencyKey(ctx, claimID, status, string(hj), body, s.opts.Now().UTC()); err != nil {
		s.logFor(ctx).Error("store idempotent answer", "err", err)
		return nil
	}
	done = true
	return nil
}

// replay answers with a stored first answer.
func replay(c echo.Context, row *store.IdempotencyKey) error {
	h := c.Response().Header()
	var header map[string]string
	if err := json.Unmarshal([]byte(row.Header), &header); err != nil && row.Header != "" {
		return serverError(fmt.Errorf("stored answer's header: %w", err))
	}
	for k, v := range header {
		h.Set(k, v)
	}
	h.Set(replayedHeader, "true")
	c.Response().WriteHeader(row.Status)
	if len(row.Body) > 0 {
		_, err := c.Response().Write(row.Body)
		return err
	}
	return nil
}

// cleanupIdempotencyKeys forgets expired keys, at most once an hour per
// process; a claim treats an expired key as absent anyway.
func (s *Server) cleanupIdempotencyKeys(ctx context.Context) {
	now := s.opts.Now()
	last := s.idem.lastCleanup.Load()
	if now.Unix()-last < int64(idempotencyCleanupEvery/time.Second) || !s.idem.lastCleanup.CompareAndSwap(last, now.Unix()) {
		return
	}
	if _, err := s.opts.Store.DeleteExpiredIdempotencyKeys(ctx, now.Add(-idempotencyTTL), idempotencyCleanupBatch); err != nil {
		s.logFor(ctx).Warn("clean up idempotency keys", "err", err)
	}
}

// startedByThisKey reports whether a start failed only because a request
// with the same key started the workflow already (keyedWorkflowID): the
// start counts once and the repeat answers as the first did.
func startedByThisKey(ctx context.Context, err error) bool {
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	rk := requestKeyOf(ctx)
	return rk != nil && rk.keyed && errors.As(err, &started)
}

// withFormTokens gives every form on a page its own one-time token, beside
// the CSRF field each form carries: submitting the form twice (a double
// click, a reload, the back button) acts once.
func withFormTokens(page []byte, csrf string) []byte {
	if csrf == "" {
		return page
	}
	field := []byte(`<input type="hidden" name="` + csrfField + `" value="` + template.HTMLEscapeString(csrf) + `">`)
	parts := bytes.Split(page, field)
	if len(parts) == 1 {
		return page
	}
	var out bytes.Buffer
	out.Grow(len(page) + (len(parts)-1)*110)
	for i, p := range parts {
		if i > 0 {
			out.Write(field)
			out.WriteString(`<input type="hidden" name="` + formTokenField + `" value="` + newToken() + `">`)
		}
		out.Write(p)
	}
	return out.Bytes()
}
