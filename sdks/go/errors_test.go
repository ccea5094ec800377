package statusapp_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	statusapp "github.com/statusapp-io/go-sdk"
)

func TestUnauthorizedKey(t *testing.T) {
	ctx := testContext(t)
	_, err := newClient(t, "sk_live_nosuchkey_0000000000000000000000").Monitors.List(ctx, nil)
	e := apiError(t, err, 401, statusapp.ErrUnauthorized)
	if e.Code != "unauthorized" || e.Message == "" || e.Method != "GET" || e.Path != "/api/monitors" ||
		!strings.Contains(e.Error(), "401 unauthorized") {
		t.Fatalf("%#v", e)
	}
}

func TestForbiddenReadKeyWriting(t *testing.T) {
	ctx := testContext(t)
	reader := newClient(t, env(t, "STATUSAPP_TEST_READ_KEY"))
	_, err := reader.Monitors.List(ctx, nil) // reading is allowed
	check(t, err)
	_, err = reader.Monitors.Create(ctx, &statusapp.MonitorCreateParams{Name: "refused", Type: "http", URL: "https://example.com"})
	if e := apiError(t, err, 403, statusapp.ErrForbidden); e.Code != "forbidden" {
		t.Fatalf("%#v", e)
	}
	_, err = reader.Monitors.Pause(ctx, env(t, "STATUSAPP_TEST_DOWN_MONITOR"))
	apiError(t, err, 403, statusapp.ErrForbidden)
}

// Another organization's object is a 404 to this one, whatever the verb.
func TestNotFoundOtherOrganization(t *testing.T) {
	ctx, c := testContext(t), admin(t)
	other := newClient(t, env(t, "STATUSAPP_TEST_OTHER_KEY"))
	theirs, err := other.Monitors.Create(ctx, &statusapp.MonitorCreateParams{Name: unique("SDK go theirs"), Type: "http", URL: "https://example.org"})
	check(t, err)
	defer other.Monitors.Delete(ctx, theirs.ID)

	_, err = c.Monitors.Get(ctx, theirs.ID)
	if e := apiError(t, err, 404, statusapp.ErrNotFound); e.Code != "not_found" {
		t.Fatalf("%#v", e)
	}
	_, err = c.Monitors.Update(ctx, theirs.ID, &statusapp.MonitorUpdateParams{Name: statusapp.Ptr("mine now")})
	apiError(t, err, 404, statusapp.ErrNotFound)
	apiError(t, c.Monitors.Delete(ctx, theirs.ID), 404, statusapp.ErrNotFound)

	still, err := other.Monitors.Get(ctx, theirs.ID)
	check(t, err)
	if still.Name != theirs.Name {
		t.Fatalf("their monitor changed: %+v", still)
	}
}

func TestValidationErrorFields(t *testing.T) {
	ctx, c := testContext(t), admin(t)
	_, err := c.Monitors.Create(ctx, &statusapp.MonitorCreateParams{Name: "bad", Type: "http", URL: "not a url", Interval: 1, Timeout: 1000})
	e := apiError(t, err, 400, statusapp.ErrInvalidRequest)
	if e.Code != "invalid_request" || e.Message == "" || e.Details == "" {
		t.Fatalf("%#v", e)
	}
	for _, field := range []string{"url", "timeout"} {
		if len(e.Fields[field]) == 0 {
			t.Fatalf("no message for %s in %v", field, e.Fields)
		}
	}
	// A list's bad parameter too.
	_, err = c.Monitors.List(ctx, &statusapp.MonitorListParams{Status: "SIDEWAYS"})
	if e := apiError(t, err, 400, statusapp.ErrInvalidRequest); len(e.Fields["status"]) == 0 {
		t.Fatalf("fields %v", e.Fields)
	}
}

// A path parameter is escaped: an id cannot reach another path.
func TestPathParametersEscaped(t *testing.T) {
	ctx, rec := testContext(t), &recorder{}
	c := newClient(t, env(t, "STATUSAPP_API_KEY"), statusapp.WithHTTPClient(rec.client()))

	_, err := c.Monitors.Get(ctx, "../incidents")
	apiError(t, err, 404, statusapp.ErrNotFound)
	_, err = c.Monitors.Get(ctx, "mon_x?status=DOWN")
	apiError(t, err, 404, statusapp.ErrNotFound)
	seen := rec.seen()
	if len(seen) != 2 || seen[0].path != "/api/monitors/..%2Fincidents" || seen[1].path != "/api/monitors/mon_x%3Fstatus=DOWN" {
		t.Fatalf("requests %+v", seen)
	}

	// An empty id is refused before any request.
	_, err = c.Monitors.Get(ctx, "")
	if err == nil || errors.As(err, new(*statusapp.APIError)) || len(rec.seen()) != 2 {
		t.Fatalf("empty id: %v after %d requests", err, len(rec.seen()))
	}
}

// A GET is retried after a connection error, a write is not; the error is the transport's, wrapped.
func TestConnectionErrors(t *testing.T) {
	ctx := testContext(t)
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	check(t, err)
	closed := "http://" + listener.Addr().String()
	listener.Close()

	rec := &recorder{}
	c := statusapp.NewClient("sk_live_x", statusapp.WithBaseURL(closed), statusapp.WithHTTPClient(rec.client()), statusapp.WithMaxRetries(2))
	_, err = c.Monitors.List(ctx, nil)
	var opErr *net.OpError
	if !errors.As(err, &opErr) || errors.As(err, new(*statusapp.APIError)) || !strings.HasPrefix(err.Error(), "statusapp: ") {
		t.Fatalf("GET: %T %v", err, err)
	}
	if n := len(rec.seen()); n != 3 {
		t.Fatalf("GET: %d attempts, want 1 + 2 retries", n)
	}

	rec = &recorder{}
	c = statusapp.NewClient("sk_live_x", statusapp.WithBaseURL(closed), statusapp.WithHTTPClient(rec.client()), statusapp.WithMaxRetries(2))
	_, err = c.Incidents.Create(ctx, &statusapp.IncidentCreateParams{Title: "never sent twice"})
	if !errors.As(err, &opErr) || len(rec.seen()) != 1 {
		t.Fatalf("POST: %v after %d attempts, want 1", err, len(rec.seen()))
	}
	for _, a := range rec.seen() {
		if a.method != http.MethodPost {
			t.Fatalf("attempt %+v", a)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := admin(t).Monitors.List(ctx, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("%T %v", err, err)
	}
}
