package statusapp_test

import (
	"strings"
	"testing"

	statusapp "github.com/statusapp-io/go-sdk"
)

func TestStatusPagesRoundTrip(t *testing.T) {
	ctx, c := testContext(t), admin(t)
	down := env(t, "STATUSAPP_TEST_DOWN_MONITOR")
	name := unique("SDK go page")

	page, err := c.StatusPages.Create(ctx, &statusapp.StatusPageCreateParams{
		Name:        name,
		Description: "Our services",
		IsPublic:    statusapp.Ptr(true),
		AccentColor: "#2563eb",
		Components:  []statusapp.PageComponent{{ID: down, Group: "API"}},
	})
	check(t, err)
	if !strings.HasPrefix(page.ID, "sp_") || page.Name != name || page.Slug == "" || !strings.Contains(page.URL, "/status/"+page.Slug) ||
		len(page.Components) != 1 || page.Components[0] != down ||
		len(page.Groups) != 1 || page.Groups[0].Name != "API" || page.Groups[0].Components[0] != down || page.HasPassword {
		t.Fatalf("created %+v", page)
	}

	list, err := c.StatusPages.List(ctx, &statusapp.StatusPageListParams{Search: name})
	check(t, err)
	if len(list.Data) != 1 || list.Data[0].ID != page.ID {
		t.Fatalf("list %+v", list)
	}

	updated, err := c.StatusPages.Update(ctx, page.ID, &statusapp.StatusPageUpdateParams{
		Description: statusapp.Ptr("Updated description"), Password: statusapp.Ptr("correct horse battery"),
	})
	check(t, err)
	if updated.Description != "Updated description" || updated.Name != name || !updated.HasPassword || len(updated.Components) != 1 {
		t.Fatalf("updated %+v", updated)
	}

	// Without a custom domain there is nothing to verify: said, not an error.
	verification, err := c.StatusPages.VerifyDomain(ctx, page.ID)
	check(t, err)
	if verification.CustomDomainVerified || verification.VerifiedBy != nil || verification.Message == "" {
		t.Fatalf("verification %+v", verification)
	}

	sub, err := c.StatusPages.AddSubscriber(ctx, page.ID, &statusapp.SubscriberCreateParams{Email: "Ops@Example.com", Confirmed: true})
	check(t, err)
	if sub.Email != "ops@example.com" || !sub.Confirmed || sub.ConfirmedAt == nil {
		t.Fatalf("subscriber %+v", sub)
	}
	subs, err := c.StatusPages.ListSubscribers(ctx, page.ID, &statusapp.SubscriberListParams{Limit: 10})
	check(t, err)
	if len(subs.Data) != 1 || subs.Data[0].ID != sub.ID || subs.Pagination.Total != 1 {
		t.Fatalf("subscribers %+v", subs)
	}
	got, err := c.StatusPages.GetSubscriber(ctx, page.ID, sub.ID)
	check(t, err)
	if got.Email != sub.Email {
		t.Fatalf("subscriber %+v", got)
	}
	_, err = c.StatusPages.AddSubscriber(ctx, page.ID, &statusapp.SubscriberCreateParams{Email: "not an address"})
	if bad := apiError(t, err, 400, statusapp.ErrInvalidRequest); len(bad.Fields["email"]) == 0 {
		t.Fatalf("fields %v", bad.Fields)
	}
	check(t, c.StatusPages.RemoveSubscriber(ctx, page.ID, sub.ID))
	_, err = c.StatusPages.GetSubscriber(ctx, page.ID, sub.ID)
	apiError(t, err, 404, statusapp.ErrNotFound)

	check(t, c.StatusPages.Delete(ctx, page.ID))
	_, err = c.StatusPages.Get(ctx, page.ID)
	apiError(t, err, 404, statusapp.ErrNotFound)
}
