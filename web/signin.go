package web

import (
	"context"
	"math"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Sign-in limits. A client address may fail five times in a row, then once
// per ten seconds; an account ten times, then once per thirty seconds,
// whichever addresses the attempts come from. Both are taken before the
// password is hashed, and a successful sign-in gives its attempt back, so
// an office behind one address is not locked out by its own users.
const (
	addressFailures     = 5
	addressFailureEvery = 10 * time.Second
	accountFailures     = 10
	accountFailureEvery = 30 * time.Second
	// limitKeys bounds each limiter's memory; beyond it, keys that have
	// recovered are forgotten first.
	limitKeys = 100_000
	// DefaultSignInConcurrency is how many password hashes (64 MiB each)
	// run at once unless Options say otherwise.
	DefaultSignInConcurrency = 4
	// hashWait is how long a sign-in waits for a free hash before 429.
	hashWait = 2 * time.Second
)

// signInGuard keeps password guessing from costing more than a bounded
// amount: attempts per account and per client address are counted before
// any hashing, and only a few password hashes run at once.
type signInGuard struct {
	accounts, addresses *failureLimit
	hashes              chan struct{}
	hashWait            time.Duration
}

func newSignInGuard(concurrency int) *signInGuard {
	if concurrency < 1 {
		concurrency = DefaultSignInConcurrency
	}
	return &signInGuard{
		accounts:  newFailureLimit(accountFailures, accountFailureEvery),
		addresses: newFailureLimit(addressFailures, addressFailureEvery),
		hashes:    make(chan struct{}, concurrency),
		hashWait:  hashWait,
	}
}

// attempt spends one attempt of the account and of the address. When
// either has none left it spends nothing and says how long to wait.
func (g *signInGuard) attempt(account, address string, now time.Time) (retryAfter time.Duration, ok bool) {
	if wait, ok := g.addresses.take(address, now); !ok {
		return wait, false
	}
	if wait, ok := g.accounts.take(account, now); !ok {
		g.addresses.refund(address, now)
		return wait, false
	}
	return 0, true
}

// succeeded gives a successful sign-in's attempt back.
func (g *signInGuard) succeeded(account, address string, now time.Time) {
	g.accounts.refund(account, now)
	g.addresses.refund(address, now)
}

// hashSlot waits briefly for one of the few password hashes that may run
// at once; release must be called when the hash is done.
func (g *signInGuard) hashSlot(ctx context.Context) (release func(), ok bool) {
	release = func() { <-g.hashes }
	select {
	case g.hashes <- struct{}{}:
		return release, true
	default:
	}
	t := time.NewTimer(g.hashWait)
	defer t.Stop()
	select {
	case g.hashes <- struct{}{}:
		return release, true
	case <-t.C:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
}

// accountKey is the e-mail address as accounts are looked up.
func accountKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// addressKey is the client address the limits count: an IPv4 address, or
// an IPv6 /64, which one subscriber usually holds whole.
func addressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// clientIPExtractor names the client address: the peer, or with trusted
// proxies the nearest address in X-Forwarded-For that is not one of them.
// Loopback and private networks are trusted only when listed.
func clientIPExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// failureLimit is a token bucket per key: burst attempts, one more per
// every. Taking and refunding are explicit, so an attempt is spent before
// the expensive work and given back when it succeeds.
type failureLimit struct {
	mu      sync.Mutex
	burst   float64
	every   time.Duration
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newFailureLimit(burst int, every time.Duration) *failureLimit {
	return &failureLimit{burst: float64(burst), every: every, buckets: map[string]*bucket{}}
}

// level refills b up to now.
func (l *failureLimit) level(b *bucket, now time.Time) {
	if elapsed := now.Sub(b.at); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+float64(elapsed)/float64(l.every))
		b.at = now
	}
}

func (l *failureLimit) take(key string, now time.Time) (retryAfter time.Duration, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		l.makeRoom(now)
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	l.level(b, now)
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) * float64(l.every)), false
	}
	b.tokens--
	return 0, true
}

func (l *failureLimit) refund(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b := l.buckets[key]; b != nil {
		l.level(b, now)
		b.tokens = math.Min(l.burst, b.tokens+1)
	}
}

// makeRoom forgets keys that have recovered fully when the map is full; if
// every key is still limited, it forgets them all rather than grow.
func (l *failureLimit) makeRoom(now time.Time) {
	if len(l.buckets) < limitKeys {
		return
	}
	for k, b := range l.buckets {
		if l.level(b, now); b.tokens >= l.burst {
			delete(l.buckets, k)
		}
	}
	if len(l.buckets) >= limitKeys {
		l.buckets = map[string]*bucket{}
	}
}
