package statusapp_test

import (
	"strings"
	"testing"

	statusapp "github.com/statusapp-io/go-sdk"
)

func TestIncidentsRoundTrip(t *testing.T) {
	ctx, c := testContext(t), admin(t)
	down := env(t, "STATUSAPP_TEST_DOWN_MONITOR")
	title := unique("SDK go incident")

	inc, err := c.Incidents.Create(ctx, &statusapp.IncidentCreateParams{
		Title:              title,
		Description:        "Planned maintenance on primary database",
		Status:             statusapp.IncidentInvestigating,
		Impact:             statusapp.ImpactHigh,
		AffectedComponents: []statusapp.AffectedComponent{{ID: down, Status: "major_outage"}},
	})
	check(t, err)
	if !strings.HasPrefix(inc.ID, "inc_") || inc.Title != title || inc.Impact != statusapp.ImpactHigh ||
		len(inc.AffectedComponents) != 1 || inc.AffectedComponents[0] != down ||
		len(inc.Components) != 1 || inc.Components[0].Status != "major_outage" || inc.Components[0].Name == "" ||
		inc.ResolvedAt != nil || inc.Duration != nil {
		t.Fatalf("created %+v", inc)
	}

	page, err := c.Incidents.List(ctx, &statusapp.IncidentListParams{Status: statusapp.IncidentInvestigating, Search: title})
	check(t, err)
	if len(page.Data) != 1 || page.Data[0].ID != inc.ID {
		t.Fatalf("list: %+v", page)
	}

	entry, err := c.Incidents.AddUpdate(ctx, inc.ID, &statusapp.IncidentUpdateCreateParams{
		Message: "Investigating database connectivity issues", Status: statusapp.IncidentIdentified, NotifySubscribers: true,
	})
	check(t, err)
	if !strings.HasPrefix(entry.ID, "upd_") || entry.Status != statusapp.IncidentIdentified || !entry.NotifySubscribers {
		t.Fatalf("timeline entry %+v", entry)
	}
	same, err := c.Incidents.GetUpdate(ctx, inc.ID, entry.ID)
	check(t, err)
	if same.ID != entry.ID || same.Message != entry.Message || !same.CreatedAt.Equal(entry.CreatedAt) {
		t.Fatalf("GetUpdate %+v, want %+v", same, entry)
	}

	resolved, err := c.Incidents.Update(ctx, inc.ID, &statusapp.IncidentUpdateParams{
		Status: statusapp.Ptr(statusapp.IncidentResolved), Update: statusapp.Ptr("Issue resolved. All systems operational."),
	})
	check(t, err)
	if resolved.Status != statusapp.IncidentResolved || resolved.ResolvedAt == nil || resolved.Duration == nil ||
		resolved.Title != title || len(resolved.Updates) < 2 || resolved.Updates[0].Message != "Issue resolved. All systems operational." {
		t.Fatalf("resolved %+v", resolved)
	}

	got, err := c.Incidents.Get(ctx, inc.ID)
	check(t, err)
	if got.Status != statusapp.IncidentResolved || len(got.Updates) != len(resolved.Updates) {
		t.Fatalf("got %+v", got)
	}

	// A blank title and an unknown monitor are refused, field by field.
	_, err = c.Incidents.Create(ctx, &statusapp.IncidentCreateParams{
		Title: " ", AffectedComponents: []statusapp.AffectedComponent{{ID: "mon_nosuchmonitor"}},
	})
	bad := apiError(t, err, 400, statusapp.ErrInvalidRequest)
	if len(bad.Fields["title"]) == 0 || len(bad.Fields["affectedComponents"]) == 0 {
		t.Fatalf("fields %v", bad.Fields)
	}

	check(t, c.Incidents.Delete(ctx, inc.ID))
	_, err = c.Incidents.GetUpdate(ctx, inc.ID, entry.ID)
	apiError(t, err, 404, statusapp.ErrNotFound)
}
