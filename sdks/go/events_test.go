package statusapp_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	statusapp "github.com/statusapp-io/go-sdk"
)

// A real event (not a test one) reaches a receiver signed, and /api/events serves the
// same bytes.
func TestEventsDeliveredAndListed(t *testing.T) {
	ctx, c := testContext(t), admin(t)
	rec := newReceiver(t)
	ep, err := c.Webhooks.Create(ctx, &statusapp.WebhookCreateParams{URL: rec.URL + "/events", Events: []string{"incident.created"}})
	check(t, err)
	defer c.Webhooks.Delete(ctx, ep.ID)

	var created []string
	for i := 0; i < 2; i++ {
		inc, err := c.Incidents.Create(ctx, &statusapp.IncidentCreateParams{Title: unique("SDK go event"), Impact: statusapp.ImpactLow})
		check(t, err)
		defer c.Incidents.Delete(ctx, inc.ID)
		created = append(created, inc.ID)
	}

	var eventIDs []string
	for _, incidentID := range created {
		d := rec.next(t)
		verifies(t, d, ep.Secret)
		var event statusapp.Event
		check(t, json.Unmarshal(d.body, &event))
		if event.Event != "incident.created" || event.Incident == nil || event.Incident.ID != incidentID ||
			event.ID != d.header.Get("webhook-id") || event.Timestamp.IsZero() || !bytes.Equal(event.Raw, d.body) {
			t.Fatalf("delivered event %+v", event)
		}
		stored, err := c.Events.Get(ctx, event.ID)
		check(t, err)
		if !bytes.Equal(stored.Raw, d.body) {
			t.Fatalf("GET /api/events/%s:\n%s\nwant the delivered\n%s", event.ID, stored.Raw, d.body)
		}
		eventIDs = append(eventIDs, event.ID)
	}

	page, err := c.Events.List(ctx, &statusapp.EventListParams{Type: "incident.created", Limit: 1})
	check(t, err)
	if len(page.Data) != 1 || page.Data[0].ID != eventIDs[1] || page.Pagination.NextCursor == nil || page.Pagination.Limit != 1 {
		t.Fatalf("newest event page %+v", page)
	}

	// One event a page: the iterator follows the cursors, newest first, each event once.
	it := c.Events.Iter(ctx, &statusapp.EventListParams{Type: "incident.created", Limit: 1})
	var walked []string
	seen := map[string]bool{}
	for it.Next() {
		e := it.Value()
		if seen[e.ID] || e.Event != "incident.created" {
			t.Fatalf("walk: %s (%s) again or of another type", e.ID, e.Event)
		}
		seen[e.ID] = true
		walked = append(walked, e.ID)
	}
	check(t, it.Err())
	if len(walked) < 2 || walked[0] != eventIDs[1] || walked[1] != eventIDs[0] {
		t.Fatalf("walked %v, want %v newest first at the start", walked, eventIDs)
	}

	_, err = c.Events.List(ctx, &statusapp.EventListParams{Cursor: "forged"})
	if bad := apiError(t, err, 400, statusapp.ErrInvalidRequest); !strings.Contains(strings.Join(bad.Fields["cursor"], " "), "cursor") {
		t.Fatalf("fields %v", bad.Fields)
	}
	_, err = c.Events.Get(ctx, "evt_nosuchevent")
	apiError(t, err, 404, statusapp.ErrNotFound)
}
