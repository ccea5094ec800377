package statusapp_test

// These tests speak HTTP to a live StatusApp: the server's tests/test_sdks.py starts
// one and sets the variables listed in sdks/README.md.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	statusapp "github.com/statusapp-io/go-sdk"
)

// env is a variable the server's suite sets; the test fails without it.
func env(t *testing.T, name string) string {
	t.Helper()
	value := os.Getenv(name)
	if value == "" {
		t.Fatalf("%s is not set: these tests run against a live StatusApp (see sdks/README.md)", name)
	}
	return value
}

// spareKey is the admin key of the n-th empty organization.
func spareKey(t *testing.T, n int) string {
	t.Helper()
	keys := strings.Split(env(t, "STATUSAPP_TEST_SPARE_KEYS"), ",")
	if len(keys) <= n {
		t.Fatalf("STATUSAPP_TEST_SPARE_KEYS has %d keys, want at least %d", len(keys), n+1)
	}
	return keys[n]
}

// newClient is a client of the live server.
func newClient(t *testing.T, key string, opts ...statusapp.Option) *statusapp.Client {
	t.Helper()
	return statusapp.NewClient(key, append([]statusapp.Option{statusapp.WithBaseURL(env(t, "STATUSAPP_BASE_URL"))}, opts...)...)
}

// admin is a client with the main organization's admin key.
func admin(t *testing.T) *statusapp.Client {
	t.Helper()
	return newClient(t, env(t, "STATUSAPP_API_KEY"))
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

var sequence atomic.Int64

// unique is a name no other test run uses.
func unique(prefix string) string {
	return fmt.Sprintf("%s %d-%d", prefix, time.Now().UnixNano(), sequence.Add(1))
}

// check fails the test on an unexpected error.
func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// apiError asserts that err is an *APIError of the given status and kind.
func apiError(t *testing.T, err error, status int, kind error) *statusapp.APIError {
	t.Helper()
	var apiErr *statusapp.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("want an *APIError %d, got %T: %v", status, err, err)
	}
	if apiErr.StatusCode != status || !errors.Is(err, kind) {
		t.Fatalf("want %d (%v), got %v", status, kind, err)
	}
	for _, other := range []error{statusapp.ErrInvalidRequest, statusapp.ErrUnauthorized, statusapp.ErrForbidden,
		statusapp.ErrNotFound, statusapp.ErrRateLimited, statusapp.ErrUnavailable} {
		if other != kind && errors.Is(err, other) {
			t.Fatalf("%v also matches %v", err, other)
		}
	}
	return apiErr
}

// attempt is one HTTP exchange seen by a recorder.
type attempt struct {
	at     time.Time
	method string
	path   string // as sent, escaped
	status int    // 0 on a transport error
	// retryAfter is the answer's Retry-After header, in seconds (0 when absent).
	retryAfter time.Duration
}

// recorder is an http.RoundTripper that notes every attempt a client makes.
type recorder struct {
	mu       sync.Mutex
	attempts []attempt
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(req)
	a := attempt{at: time.Now(), method: req.Method, path: req.URL.EscapedPath()}
	if err == nil {
		a.status = resp.StatusCode
		seconds, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
		a.retryAfter = time.Duration(seconds) * time.Second
	}
	r.mu.Lock()
	r.attempts = append(r.attempts, a)
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) seen() []attempt {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]attempt(nil), r.attempts...)
}

func (r *recorder) client() *http.Client { return &http.Client{Transport: r} }

// delivery is a request a receiver got.
type delivery struct {
	path   string
	header http.Header
	body   []byte
}

// receiver is a loopback HTTP server standing in for a webhook or chat service.
type receiver struct {
	URL string
	got chan delivery
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{got: make(chan delivery, 20)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.got <- delivery{path: req.URL.Path, header: req.Header.Clone(), body: body}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// next is the next request the receiver got.
func (r *receiver) next(t *testing.T) delivery {
	t.Helper()
	select {
	case d := <-r.got:
		return d
	case <-time.After(15 * time.Second):
		t.Fatal("the receiver got nothing in 15 s")
		return delivery{}
	}
}
