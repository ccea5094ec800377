package statusapp_test

import (
	"strings"
	"testing"

	statusapp "github.com/statusapp-io/go-sdk"
)

func TestAPIKeysRoundTrip(t *testing.T) {
	ctx, c := testContext(t), admin(t)
	name := unique("SDK go key")

	key, err := c.APIKeys.Create(ctx, &statusapp.APIKeyCreateParams{Name: name, Permission: "read"})
	check(t, err)
	if !strings.HasPrefix(key.ID, "key_") || !strings.HasPrefix(key.Key, "sk_live_") || key.Permission != "read" || key.RevokedAt != nil {
		t.Fatalf("created %+v", key)
	}

	// The new key works, with its permission.
	reader := newClient(t, key.Key)
	_, err = reader.Monitors.List(ctx, nil)
	check(t, err)
	_, err = reader.Incidents.Create(ctx, &statusapp.IncidentCreateParams{Title: "not allowed"})
	apiError(t, err, 403, statusapp.ErrForbidden)

	got, err := c.APIKeys.Get(ctx, key.ID)
	check(t, err)
	if got.Name != name || got.Key != "" || got.Prefix != key.Prefix {
		t.Fatalf("got %+v", got)
	}
	list, err := c.APIKeys.List(ctx, &statusapp.APIKeyListParams{Search: name})
	check(t, err)
	if len(list.Data) != 1 || list.Data[0].ID != key.ID {
		t.Fatalf("list %+v", list)
	}

	_, err = c.APIKeys.Create(ctx, &statusapp.APIKeyCreateParams{Name: name, Permission: "root"})
	if bad := apiError(t, err, 400, statusapp.ErrInvalidRequest); len(bad.Fields["permission"]) == 0 {
		t.Fatalf("fields %v", bad.Fields)
	}

	// Deleting revokes: the key stays listed with revokedAt, and is refused.
	check(t, c.APIKeys.Delete(ctx, key.ID))
	got, err = c.APIKeys.Get(ctx, key.ID)
	check(t, err)
	if got.RevokedAt == nil {
		t.Fatalf("revoked key %+v", got)
	}
	_, err = reader.Monitors.List(ctx, nil)
	apiError(t, err, 401, statusapp.ErrUnauthorized)
}
