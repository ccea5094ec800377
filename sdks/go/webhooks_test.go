package statusapp_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	statusapp "github.com/statusapp-io/go-sdk"
)

// verifies asserts that a delivery passes both checks with secret.
func verifies(t *testing.T, d delivery, secret string) {
	t.Helper()
	if !statusapp.VerifySignature(d.body, d.header.Get("X-StatusApp-Signature"), secret) {
		t.Fatalf("X-StatusApp-Signature of %s does not verify", d.body)
	}
	check(t, statusapp.NewWebhook(secret).Verify(d.body, d.header))
}

// refused asserts that neither check accepts the delivery with secret.
func refused(t *testing.T, d delivery, secret, why string) {
	t.Helper()
	if statusapp.VerifySignature(d.body, d.header.Get("X-StatusApp-Signature"), secret) {
		t.Fatalf("%s: X-StatusApp-Signature verifies", why)
	}
	if err := statusapp.NewWebhook(secret).Verify(d.body, d.header); !errors.Is(err, statusapp.ErrInvalidWebhook) {
		t.Fatalf("%s: Verify returned %v", why, err)
	}
}

func TestWebhooksRoundTrip(t *testing.T) {
	ctx, c := testContext(t), admin(t)
	rec := newReceiver(t)

	ep, err := c.Webhooks.Create(ctx, &statusapp.WebhookCreateParams{
		URL: rec.URL + "/hook", Description: "SDK go receiver", Events: []string{"incident.created"},
	})
	check(t, err)
	if !strings.HasPrefix(ep.ID, "wh_") || !strings.HasPrefix(ep.Secret, "whsec_") || !ep.Enabled ||
		len(ep.Events) != 1 || ep.Events[0] != "incident.created" {
		t.Fatalf("created %+v", ep)
	}
	got, err := c.Webhooks.Get(ctx, ep.ID)
	check(t, err)
	if got.Secret != "" || got.URL != rec.URL+"/hook" {
		t.Fatalf("got %+v", got)
	}
	list, err := c.Webhooks.List(ctx, &statusapp.WebhookListParams{Limit: 100})
	check(t, err)
	if !containsEndpoint(list.Data, ep.ID) {
		t.Fatalf("%s not listed", ep.ID)
	}

	// The server runs Celery eagerly: the test event is delivered during the request.
	sent, err := c.Webhooks.Test(ctx, ep.ID)
	check(t, err)
	if sent.Event != "webhook.test" || sent.Status != "delivered" || len(sent.AttemptLog) != 1 ||
		*sent.AttemptLog[0].StatusCode != 204 || len(sent.Payload) == 0 {
		t.Fatalf("test delivery %+v", sent)
	}
	d := rec.next(t)
	if d.path != "/hook" || d.header.Get("webhook-id") != sent.EventID || !bytes.Equal(d.body, sent.Payload) {
		t.Fatalf("received %s %v %s, delivery %+v", d.path, d.header, d.body, sent)
	}
	verifies(t, d, ep.Secret)

	tampered := d
	tampered.body = bytes.Replace(d.body, []byte("webhook.test"), []byte("monitor.down"), 1)
	refused(t, tampered, ep.Secret, "tampered body")
	refused(t, d, "whsec_"+strings.Repeat("A", 44), "another secret")
	replayed := d
	replayed.header = d.header.Clone()
	replayed.header.Set("webhook-timestamp", "1614265330")
	if err := statusapp.NewWebhook(ep.Secret).Verify(replayed.body, replayed.header); !errors.Is(err, statusapp.ErrInvalidWebhook) {
		t.Fatalf("an old timestamp: %v", err)
	}

	deliveries, err := c.Webhooks.ListDeliveries(ctx, ep.ID, &statusapp.DeliveryListParams{Status: "delivered"})
	check(t, err)
	if len(deliveries.Data) != 1 || deliveries.Data[0].ID != sent.ID || deliveries.Data[0].Payload != nil {
		t.Fatalf("deliveries %+v", deliveries)
	}
	one, err := c.Webhooks.GetDelivery(ctx, ep.ID, sent.ID)
	check(t, err)
	if !bytes.Equal(one.Payload, sent.Payload) || one.EventID != sent.EventID {
		t.Fatalf("delivery %+v", one)
	}

	// A redelivery sends the same event: same body, same webhook-id, signed anew.
	again, err := c.Webhooks.Redeliver(ctx, ep.ID, sent.ID)
	check(t, err)
	if again.ID != sent.ID || len(again.AttemptLog) != 2 {
		t.Fatalf("redelivery %+v", again)
	}
	d2 := rec.next(t)
	if d2.header.Get("webhook-id") != sent.EventID || !bytes.Equal(d2.body, d.body) {
		t.Fatalf("redelivered %v %s", d2.header, d2.body)
	}
	verifies(t, d2, ep.Secret)

	// After a rotation both secrets verify for a while.
	rotated, err := c.Webhooks.RotateSecret(ctx, ep.ID)
	check(t, err)
	if rotated.Secret == ep.Secret || !strings.HasPrefix(rotated.Secret, "whsec_") || rotated.PreviousSecretExpiresAt == nil ||
		rotated.PreviousSecretExpiresAt.Before(time.Now().Add(23*time.Hour)) {
		t.Fatalf("rotated %+v", rotated)
	}
	_, err = c.Webhooks.Test(ctx, ep.ID)
	check(t, err)
	d3 := rec.next(t)
	verifies(t, d3, rotated.Secret)
	check(t, statusapp.NewWebhook(ep.Secret).Verify(d3.body, d3.header))
	if !statusapp.VerifySignature(d3.body, d3.header.Get("X-StatusApp-Signature-Previous"), ep.Secret) {
		t.Fatal("X-StatusApp-Signature-Previous does not verify with the previous secret")
	}

	updated, err := c.Webhooks.Update(ctx, ep.ID, &statusapp.WebhookUpdateParams{
		Events: statusapp.Ptr([]string{"incident.created", "incident.resolved"}), Enabled: statusapp.Ptr(false),
	})
	check(t, err)
	if len(updated.Events) != 2 || updated.Enabled || updated.DisabledReason != "user" || updated.Description != "SDK go receiver" {
		t.Fatalf("updated %+v", updated)
	}
	_, err = c.Webhooks.Test(ctx, ep.ID) // a disabled endpoint gets no test
	apiError(t, err, 400, statusapp.ErrInvalidRequest)
	_, err = c.Webhooks.Update(ctx, ep.ID, &statusapp.WebhookUpdateParams{Events: statusapp.Ptr([]string{"monitor.sideways"})})
	if bad := apiError(t, err, 400, statusapp.ErrInvalidRequest); len(bad.Fields) == 0 {
		t.Fatal("no fields in the 400")
	}

	check(t, c.Webhooks.Delete(ctx, ep.ID))
	_, err = c.Webhooks.Get(ctx, ep.ID)
	apiError(t, err, 404, statusapp.ErrNotFound)
	_, err = c.Webhooks.GetDelivery(ctx, ep.ID, sent.ID)
	apiError(t, err, 404, statusapp.ErrNotFound)
}

func containsEndpoint(endpoints []statusapp.WebhookEndpoint, id string) bool {
	for _, ep := range endpoints {
		if ep.ID == id {
			return true
		}
	}
	return false
}
