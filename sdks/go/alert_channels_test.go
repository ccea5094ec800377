package statusapp_test

import (
	"encoding/json"
	"strings"
	"testing"

	statusapp "github.com/statusapp-io/go-sdk"
)

func TestAlertChannelsRoundTrip(t *testing.T) {
	ctx, c := testContext(t), admin(t)
	rec := newReceiver(t)
	name := unique("SDK go slack")
	hook := rec.URL + "/services/T000/B000/secret-token"

	ch, err := c.AlertChannels.Create(ctx, &statusapp.AlertChannelCreateParams{
		Name: name, Type: "slack", Config: map[string]any{"url": hook}, Events: []string{"monitor.down", "monitor.up"},
	})
	check(t, err)
	if !strings.HasPrefix(ch.ID, "ach_") || ch.Config["url"] != hook || !ch.Enabled || len(ch.Events) != 2 || ch.AllMonitors {
		t.Fatalf("created %+v", ch)
	}
	got, err := c.AlertChannels.Get(ctx, ch.ID)
	check(t, err)
	if got.Name != name || got.Config["url"] == hook { // the token is masked after creation
		t.Fatalf("got %+v", got)
	}
	list, err := c.AlertChannels.List(ctx, &statusapp.AlertChannelListParams{Type: "slack", Enabled: statusapp.Ptr(true), Search: name})
	check(t, err)
	if len(list.Data) != 1 || list.Data[0].ID != ch.ID {
		t.Fatalf("list %+v", list)
	}

	sent, err := c.AlertChannels.Test(ctx, ch.ID)
	check(t, err)
	if sent.Kind != "test" || sent.Status != "delivered" || sent.Monitor != nil || len(sent.AttemptLog) != 1 {
		t.Fatalf("test alert %+v", sent)
	}
	d := rec.next(t)
	var message map[string]any
	if d.path != "/services/T000/B000/secret-token" || json.Unmarshal(d.body, &message) != nil || message["text"] == nil {
		t.Fatalf("received %s %s", d.path, d.body)
	}
	deliveries, err := c.AlertChannels.ListDeliveries(ctx, ch.ID, &statusapp.DeliveryListParams{Status: "delivered"})
	check(t, err)
	if len(deliveries.Data) != 1 || deliveries.Data[0].ID != sent.ID {
		t.Fatalf("deliveries %+v", deliveries)
	}

	updated, err := c.AlertChannels.Update(ctx, ch.ID, &statusapp.AlertChannelUpdateParams{
		Name: statusapp.Ptr(name + " off"), Enabled: statusapp.Ptr(false),
	})
	check(t, err)
	if updated.Name != name+" off" || updated.Enabled || updated.DisabledReason != "user" || len(updated.Events) != 2 {
		t.Fatalf("updated %+v", updated)
	}
	_, err = c.AlertChannels.Test(ctx, ch.ID)
	apiError(t, err, 400, statusapp.ErrInvalidRequest)

	_, err = c.AlertChannels.Create(ctx, &statusapp.AlertChannelCreateParams{Name: name, Type: "slack", Config: map[string]any{"url": "ftp://x"}})
	if bad := apiError(t, err, 400, statusapp.ErrInvalidRequest); len(bad.Fields) == 0 {
		t.Fatal("no fields in the 400")
	}

	check(t, c.AlertChannels.Delete(ctx, ch.ID))
	_, err = c.AlertChannels.ListDeliveries(ctx, ch.ID, nil)
	apiError(t, err, 404, statusapp.ErrNotFound)
}
