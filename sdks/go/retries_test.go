package statusapp_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	statusapp "github.com/statusapp-io/go-sdk"
)

// The limited organization may make STATUSAPP_TEST_RATE_LIMIT requests per
// STATUSAPP_TEST_RATE_WINDOW seconds.
func TestRateLimit(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	key := env(t, "STATUSAPP_TEST_LIMITED_KEY")
	limit, err := strconv.Atoi(env(t, "STATUSAPP_TEST_RATE_LIMIT"))
	check(t, err)
	window, err := strconv.Atoi(env(t, "STATUSAPP_TEST_RATE_WINDOW"))
	check(t, err)

	t.Run("retries off: the 429 with its Retry-After", func(t *testing.T) {
		c := newClient(t, key, statusapp.WithMaxRetries(0))
		for i := 0; i < 3*limit; i++ {
			_, err := c.Monitors.List(ctx, nil)
			if err == nil {
				continue
			}
			e := apiError(t, err, 429, statusapp.ErrRateLimited)
			if e.Code != "rate_limited" || e.RetryAfter < time.Second || e.RetryAfter > time.Duration(window+1)*time.Second ||
				e.Header.Get("X-RateLimit-Limit") != strconv.Itoa(limit) || e.Header.Get("X-RateLimit-Remaining") != "0" {
				t.Fatalf("%#v", e)
			}
			return
		}
		t.Fatalf("no 429 in %d requests", 3*limit)
	})

	t.Run("retries on: waits Retry-After, then succeeds", func(t *testing.T) {
		rec := &recorder{}
		c := newClient(t, key, statusapp.WithMaxRetries(3), statusapp.WithHTTPClient(rec.client()))
		for i := 0; i < 3*limit; i++ {
			before := len(rec.seen())
			started := time.Now()
			_, err := c.Monitors.List(ctx, nil)
			check(t, err)
			seen := rec.seen()[before:]
			if seen[0].status != http.StatusTooManyRequests {
				continue
			}
			wait, asked := seen[1].at.Sub(seen[0].at), seen[0].retryAfter
			if len(seen) != 2 || seen[1].status != 200 || asked < time.Second || wait < asked || wait > asked+time.Second {
				t.Fatalf("attempts %+v: waited %s after Retry-After %s", seen, wait, asked)
			}
			t.Logf("429 with Retry-After %s, then 200 %s later (the call took %s)", asked, wait, time.Since(started))
			return
		}
		t.Fatalf("no 429 in %d requests", 3*limit)
	})
}

// STATUSAPP_TEST_UNAVAILABLE_URL answers every call 503 with Retry-After: 5.
func TestUnavailableRetried(t *testing.T) {
	t.Parallel()
	unavailable := env(t, "STATUSAPP_TEST_UNAVAILABLE_URL")
	key := env(t, "STATUSAPP_API_KEY")

	cases := []struct {
		name    string
		retries int
		call    func(context.Context, *statusapp.Client) error
	}{
		{"GET, no retry", 0, func(ctx context.Context, c *statusapp.Client) error {
			_, err := c.Monitors.List(ctx, nil)
			return err
		}},
		{"GET, one retry", 1, func(ctx context.Context, c *statusapp.Client) error {
			_, err := c.Monitors.Get(ctx, "mon_x")
			return err
		}},
		// A 503 says the request was not acted on: a write is retried too.
		{"POST, one retry", 1, func(ctx context.Context, c *statusapp.Client) error {
			_, err := c.Incidents.Create(ctx, &statusapp.IncidentCreateParams{Title: "retried"})
			return err
		}},
	}
	for _, tc := range cases {
		tc := tc
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{}
			c := statusapp.NewClient(key, statusapp.WithBaseURL(unavailable), statusapp.WithHTTPClient(rec.client()),
				statusapp.WithMaxRetries(tc.retries))
			err := tc.call(testContext(t), c)
			if e := apiError(t, err, 503, statusapp.ErrUnavailable); e.RetryAfter != 5*time.Second {
				t.Fatalf("%#v", e)
			}
			seen := rec.seen()
			if len(seen) != tc.retries+1 {
				t.Fatalf("%d attempts, want %d", len(seen), tc.retries+1)
			}
			for i := 1; i < len(seen); i++ {
				if wait := seen[i].at.Sub(seen[i-1].at); wait < 5*time.Second || wait > 8*time.Second {
					t.Fatalf("attempt %d came %s after the previous one, want Retry-After's 5 s", i+1, wait)
				}
			}
		})
	}
}

// Cancelling the context ends the wait for Retry-After at once.
func TestContextCancelledWhileWaitingToRetry(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c := statusapp.NewClient(env(t, "STATUSAPP_API_KEY"), statusapp.WithBaseURL(env(t, "STATUSAPP_TEST_UNAVAILABLE_URL")),
		statusapp.WithHTTPClient(rec.client()), statusapp.WithMaxRetries(3))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(time.Second, cancel)

	started := time.Now()
	_, err := c.Monitors.List(ctx, nil)
	if !errors.Is(err, context.Canceled) || errors.As(err, new(*statusapp.APIError)) {
		t.Fatalf("%T %v", err, err)
	}
	if elapsed := time.Since(started); elapsed > 3*time.Second || len(rec.seen()) != 1 {
		t.Fatalf("returned after %s and %d attempts", elapsed, len(rec.seen()))
	}
}
