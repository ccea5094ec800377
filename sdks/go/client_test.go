package statusapp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	statusapp "github.com/statusapp-io/go-sdk"
)

// An empty key and no base URL read STATUSAPP_API_KEY and STATUSAPP_BASE_URL.
func TestNewClientReadsTheEnvironment(t *testing.T) {
	ctx := testContext(t)
	env(t, "STATUSAPP_BASE_URL")
	env(t, "STATUSAPP_API_KEY")

	page, err := statusapp.NewClient("", statusapp.WithBaseURL("")).Monitors.List(ctx, &statusapp.MonitorListParams{Limit: 1})
	check(t, err)
	if page.Pagination.Limit != 1 {
		t.Fatalf("%+v", page.Pagination)
	}

	// A key given wins over the environment's; a trailing slash on the base URL is fine.
	c := statusapp.NewClient("sk_live_given_but_wrong", statusapp.WithBaseURL(env(t, "STATUSAPP_BASE_URL")+"/"))
	_, err = c.Monitors.List(ctx, nil)
	apiError(t, err, 401, statusapp.ErrUnauthorized)
}

// WithTimeout bounds each attempt: a server that never answers is given up on (and a
// GET tried again).
func TestTimeoutBoundsEachAttempt(t *testing.T) {
	release := make(chan struct{})
	silent := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer silent.Close()
	defer close(release)

	rec := &recorder{}
	c := statusapp.NewClient("sk_live_x", statusapp.WithBaseURL(silent.URL), statusapp.WithHTTPClient(rec.client()),
		statusapp.WithTimeout(200*time.Millisecond), statusapp.WithMaxRetries(1))
	started := time.Now()
	_, err := c.Monitors.List(testContext(t), nil)
	if !errors.Is(err, context.DeadlineExceeded) || len(rec.seen()) != 2 || time.Since(started) > 3*time.Second {
		t.Fatalf("after %s and %d attempts: %v", time.Since(started), len(rec.seen()), err)
	}
}
