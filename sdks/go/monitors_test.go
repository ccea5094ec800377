package statusapp_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	statusapp "github.com/statusapp-io/go-sdk"
)

func TestMonitorsRoundTrip(t *testing.T) {
	ctx, c := testContext(t), admin(t)
	name := unique("SDK go http")

	m, err := c.Monitors.Create(ctx, &statusapp.MonitorCreateParams{
		Name:              name,
		Type:              statusapp.MonitorHTTP,
		URL:               "https://example.com/health",
		Headers:           map[string]string{"X-Probe": "sdk"},
		FollowRedirects:   statusapp.Ptr(false),
		Interval:          60,
		Timeout:           10,
		Retries:           statusapp.Ptr(0),
		DegradedThreshold: statusapp.Ptr(2000),
	})
	check(t, err)
	if !strings.HasPrefix(m.ID, "mon_") || m.Name != name || m.Status != statusapp.MonitorPending ||
		m.FollowRedirects || m.Headers["X-Probe"] != "sdk" || m.DegradedThreshold == nil || *m.DegradedThreshold != 2000 ||
		m.Interval != 60 || m.CreatedAt.IsZero() || m.LastCheck != nil {
		t.Fatalf("created %+v", m)
	}

	got, err := c.Monitors.Get(ctx, m.ID)
	check(t, err)
	if got.ID != m.ID || got.URL != "https://example.com/health" || got.BadgeURL == "" {
		t.Fatalf("got %+v", got)
	}

	page, err := c.Monitors.List(ctx, &statusapp.MonitorListParams{Search: name, Type: statusapp.MonitorHTTP})
	check(t, err)
	if len(page.Data) != 1 || page.Data[0].ID != m.ID || page.Pagination.Total != 1 || page.Pagination.Page != 1 {
		t.Fatalf("search %q: %+v", name, page)
	}

	// Only the fields set are sent: the others keep their values.
	updated, err := c.Monitors.Update(ctx, m.ID, &statusapp.MonitorUpdateParams{
		Name: statusapp.Ptr(name + " renamed"), Interval: statusapp.Ptr(120),
	})
	check(t, err)
	if updated.Name != name+" renamed" || updated.Interval != 120 || updated.URL != m.URL || updated.FollowRedirects ||
		*updated.DegradedThreshold != 2000 {
		t.Fatalf("updated %+v", updated)
	}

	paused, err := c.Monitors.Pause(ctx, m.ID)
	check(t, err)
	if paused.Status != statusapp.MonitorPaused {
		t.Fatalf("paused: %s", paused.Status)
	}
	page, err = c.Monitors.List(ctx, &statusapp.MonitorListParams{Status: statusapp.MonitorPaused, Search: name})
	check(t, err)
	if len(page.Data) != 1 || page.Data[0].ID != m.ID {
		t.Fatalf("paused monitors: %+v", page.Data)
	}
	resumed, err := c.Monitors.Resume(ctx, m.ID)
	check(t, err)
	if resumed.Status != statusapp.MonitorPending {
		t.Fatalf("resumed: %s", resumed.Status)
	}

	checks, err := c.Monitors.Checks(ctx, m.ID, &statusapp.CheckListParams{Status: "DOWN", Limit: 5})
	check(t, err)
	if len(checks.Data) != 0 || checks.Pagination.Total != 0 || checks.Pagination.Limit != 5 {
		t.Fatalf("checks of an unchecked monitor: %+v", checks)
	}
	uptime, err := c.Monitors.Uptime(ctx, m.ID)
	check(t, err)
	if uptime.MonitorID != m.ID || uptime.Windows.Last24h.Checks != 0 || uptime.Windows.Last90d.Uptime != nil {
		t.Fatalf("uptime %+v", uptime)
	}

	// Only a DOWN monitor can be acknowledged.
	_, err = c.Monitors.Acknowledge(ctx, m.ID)
	apiError(t, err, 400, statusapp.ErrInvalidRequest)

	check(t, c.Monitors.Delete(ctx, m.ID))
	_, err = c.Monitors.Get(ctx, m.ID)
	apiError(t, err, 404, statusapp.ErrNotFound)
	apiError(t, c.Monitors.Delete(ctx, m.ID), 404, statusapp.ErrNotFound)
}

func TestMonitorsOfOtherTypes(t *testing.T) {
	ctx, c := testContext(t), admin(t)

	heartbeat, err := c.Monitors.Create(ctx, &statusapp.MonitorCreateParams{
		Name: unique("SDK go heartbeat"), Type: statusapp.MonitorHeartbeat, Interval: 300, Grace: statusapp.Ptr(0),
	})
	check(t, err)
	defer c.Monitors.Delete(ctx, heartbeat.ID)
	if !strings.Contains(heartbeat.PingURL, "/ping/") || heartbeat.Grace != 0 {
		t.Fatalf("heartbeat %+v", heartbeat)
	}

	tcp, err := c.Monitors.Create(ctx, &statusapp.MonitorCreateParams{
		Name: unique("SDK go tcp"), Type: statusapp.MonitorTCP, Host: "db.example.com", Port: 5432,
	})
	check(t, err)
	defer c.Monitors.Delete(ctx, tcp.ID)
	if tcp.Host != "db.example.com" || tcp.Port != 5432 || tcp.Type != statusapp.MonitorTCP {
		t.Fatalf("tcp %+v", tcp)
	}
}

func TestServiceCheckMonitors(t *testing.T) {
	ctx, c := testContext(t), admin(t)

	db, err := c.Monitors.Create(ctx, &statusapp.MonitorCreateParams{
		Name: unique("SDK go postgres"), Type: statusapp.MonitorPostgres, Host: "db.example.com",
		Username: "probe", Password: "s3cret-pass", Database: "orders",
	})
	check(t, err)
	defer c.Monitors.Delete(ctx, db.ID)
	if db.Port != 5432 || db.Username != "probe" || db.Password != statusapp.PasswordMask || db.Database != "orders" || db.TLS {
		t.Fatalf("postgres %+v", db)
	}
	// The mask sent back keeps the password.
	db, err = c.Monitors.Update(ctx, db.ID, &statusapp.MonitorUpdateParams{
		Password: statusapp.Ptr(db.Password), TLS: statusapp.Ptr(true),
	})
	check(t, err)
	if db.Password != statusapp.PasswordMask || !db.TLS {
		t.Fatalf("postgres updated %+v", db)
	}

	grpc, err := c.Monitors.Create(ctx, &statusapp.MonitorCreateParams{
		Name: unique("SDK go grpc"), Type: statusapp.MonitorGRPC, Host: "orders.example.com", Port: 50051,
		Service: "shop.Orders",
	})
	check(t, err)
	defer c.Monitors.Delete(ctx, grpc.ID)
	if grpc.Port != 50051 || grpc.Service != "shop.Orders" || grpc.Password != "" {
		t.Fatalf("grpc %+v", grpc)
	}

	ping, err := c.Monitors.Create(ctx, &statusapp.MonitorCreateParams{
		Name: unique("SDK go ping"), Type: statusapp.MonitorPing, Host: "router.example.com", PingCount: 5,
	})
	check(t, err)
	defer c.Monitors.Delete(ctx, ping.ID)
	if ping.PingCount != 5 || ping.Port != 0 {
		t.Fatalf("ping %+v", ping)
	}

	_, err = c.Monitors.Create(ctx, &statusapp.MonitorCreateParams{
		Name: unique("SDK go ping"), Type: statusapp.MonitorPing, Host: "router.example.com", Port: 22,
	})
	if refused := apiError(t, err, 400, statusapp.ErrInvalidRequest); len(refused.Fields["port"]) == 0 {
		t.Fatalf("a port for a ping monitor: %+v", refused.Fields)
	}
}

func TestMonitorAcknowledge(t *testing.T) {
	ctx := testContext(t)
	down := env(t, "STATUSAPP_TEST_DOWN_MONITOR")
	writer := newClient(t, env(t, "STATUSAPP_TEST_WRITE_KEY"))

	ack, err := writer.Monitors.Acknowledge(ctx, down)
	check(t, err)
	if ack.Monitor.ID != down || ack.Monitor.Status != statusapp.MonitorDown || ack.Monitor.AcknowledgedAt.IsZero() ||
		ack.Monitor.AcknowledgedAt.After(time.Now().Add(time.Minute)) || ack.Monitor.AcknowledgedBy == "" {
		t.Fatalf("acknowledgement %+v", ack)
	}
	// Acknowledging again keeps the first time and name.
	again, err := writer.Monitors.Acknowledge(ctx, down)
	check(t, err)
	if !again.Monitor.AcknowledgedAt.Equal(ack.Monitor.AcknowledgedAt) || again.Monitor.AcknowledgedBy != ack.Monitor.AcknowledgedBy {
		t.Fatalf("acknowledged again: %+v, first %+v", again.Monitor, ack.Monitor)
	}
	m, err := writer.Monitors.Get(ctx, down)
	check(t, err)
	if m.AcknowledgedAt == nil || !m.AcknowledgedAt.Equal(ack.Monitor.AcknowledgedAt) || *m.AcknowledgedBy != ack.Monitor.AcknowledgedBy {
		t.Fatalf("acknowledged monitor %+v", m)
	}
}

func TestMonitorsIterWalksEveryPageOnce(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	want, err := strconv.Atoi(env(t, "STATUSAPP_TEST_PAGED_MONITORS"))
	check(t, err)
	pages := func(limit int) int { return (want + limit - 1) / limit }

	for _, limit := range []int{0, 7} {
		rec := &recorder{}
		c := newClient(t, env(t, "STATUSAPP_TEST_PAGED_KEY"), statusapp.WithHTTPClient(rec.client()))
		seen := map[string]bool{}
		it := c.Monitors.Iter(ctx, &statusapp.MonitorListParams{Limit: limit})
		for it.Next() {
			id := it.Value().ID
			if seen[id] {
				t.Fatalf("limit %d: %s twice", limit, id)
			}
			seen[id] = true
		}
		check(t, it.Err())
		requests := pages(100) // an Iter without a limit asks for the largest page
		if limit > 0 {
			requests = pages(limit)
		}
		if len(seen) != want || len(rec.seen()) != requests {
			t.Fatalf("limit %d: %d monitors in %d requests, want %d in %d", limit, len(seen), len(rec.seen()), want, requests)
		}
	}

	c := newClient(t, env(t, "STATUSAPP_TEST_PAGED_KEY"))
	page, err := c.Monitors.List(ctx, &statusapp.MonitorListParams{Page: 2, Limit: 20})
	check(t, err)
	if len(page.Data) != 20 || page.Pagination != (statusapp.Pagination{Page: 2, Limit: 20, Total: want, Pages: pages(20)}) {
		t.Fatalf("page 2: %d monitors, %+v", len(page.Data), page.Pagination)
	}

	// A filter nothing matches: one request, no items.
	it := c.Monitors.Iter(ctx, &statusapp.MonitorListParams{Status: statusapp.MonitorDown})
	if it.Next() || it.Err() != nil {
		t.Fatalf("DOWN monitors of the paged organization: %+v, %v", it.Value(), it.Err())
	}
}
