package statusapp_test

import (
	"testing"
	"time"

	statusapp "github.com/statusapp-io/go-sdk"
)

func TestMaintenancesRoundTrip(t *testing.T) {
	ctx, c := testContext(t), admin(t)
	down := env(t, "STATUSAPP_TEST_DOWN_MONITOR")
	title := unique("SDK go maintenance")
	start := time.Now().UTC().Add(time.Hour).Truncate(time.Second)

	m, err := c.Maintenances.Create(ctx, &statusapp.MaintenanceCreateParams{
		Title: title, StartsAt: start, EndsAt: start.Add(time.Hour), Monitors: []string{down},
	})
	check(t, err)
	if m.Title != title || m.Status != "scheduled" || m.Active || !m.StartsAt.Equal(start) ||
		len(m.Monitors) != 1 || m.Monitors[0] != down {
		t.Fatalf("created %+v", m)
	}

	list, err := c.Maintenances.List(ctx, &statusapp.MaintenanceListParams{Status: "scheduled", Search: title})
	check(t, err)
	if len(list.Data) != 1 || list.Data[0].ID != m.ID {
		t.Fatalf("list %+v", list)
	}

	updated, err := c.Maintenances.Update(ctx, m.ID, &statusapp.MaintenanceUpdateParams{EndsAt: statusapp.Ptr(start.Add(3 * time.Hour))})
	check(t, err)
	if !updated.EndsAt.Equal(start.Add(3*time.Hour)) || !updated.StartsAt.Equal(start) || updated.Title != title {
		t.Fatalf("updated %+v", updated)
	}

	// An end before the stored start is refused, naming the field.
	_, err = c.Maintenances.Update(ctx, m.ID, &statusapp.MaintenanceUpdateParams{EndsAt: statusapp.Ptr(start.Add(-time.Hour))})
	if bad := apiError(t, err, 400, statusapp.ErrInvalidRequest); len(bad.Fields["endsAt"]) == 0 {
		t.Fatalf("fields %v", bad.Fields)
	}

	got, err := c.Maintenances.Get(ctx, m.ID)
	check(t, err)
	if !got.EndsAt.Equal(updated.EndsAt) {
		t.Fatalf("got %+v", got)
	}
	check(t, c.Maintenances.Delete(ctx, m.ID))
	_, err = c.Maintenances.Get(ctx, m.ID)
	apiError(t, err, 404, statusapp.ErrNotFound)
}
