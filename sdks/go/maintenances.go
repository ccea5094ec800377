package statusapp

import (
	"context"
	"net/url"
	"time"
)

// Maintenance is a scheduled window during which monitors' checks count for nothing
// and raise no alert.
type Maintenance struct {
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Status      string    `json:"status"` // scheduled, in_progress, verifying, completed
	StartsAt    time.Time `json:"startsAt"`
	EndsAt      time.Time `json:"endsAt"`
	Monitors    []string  `json:"monitors"` // monitor ids
	Active      bool      `json:"active"`   // in_progress or verifying
	CreatedAt   time.Time `json:"createdAt"`
	UpdatedAt   time.Time `json:"updatedAt"`
}

// MaintenanceListParams filters GET /api/maintenances.
type MaintenanceListParams struct {
	Status string
	Search string
	Page   int
	Limit  int
}

func (p *MaintenanceListParams) query() url.Values {
	if p == nil {
		return nil
	}
	q := pageQuery(p.Page, p.Limit)
	setIf(q, "status", p.Status)
	setIf(q, "search", p.Search)
	return q
}

// MaintenanceCreateParams is a new maintenance window.
type MaintenanceCreateParams struct {
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	Status      string    `json:"status,omitempty"` // follows the schedule when empty
	StartsAt    time.Time `json:"startsAt"`
	EndsAt      time.Time `json:"endsAt"`
	Monitors    []string  `json:"monitors,omitempty"`
}

// MaintenanceUpdateParams changes the fields that are set.
type MaintenanceUpdateParams struct {
	Title       *string    `json:"title,omitempty"`
	Description *string    `json:"description,omitempty"`
	Status      *string    `json:"status,omitempty"`
	StartsAt    *time.Time `json:"startsAt,omitempty"`
	EndsAt      *time.Time `json:"endsAt,omitempty"`
	Monitors    *[]string  `json:"monitors,omitempty"`
}

// MaintenancesService is /api/maintenances.
type MaintenancesService struct{ client *Client }

// List returns one page of maintenance windows.
func (s *MaintenancesService) List(ctx context.Context, params *MaintenanceListParams) (*List[Maintenance], error) {
	var out List[Maintenance]
	err := s.client.do(ctx, "GET", "/api/maintenances", nil, params.query(), nil, &out)
	return ret(&out, err)
}

// Iter walks every maintenance window matching params, page by page.
func (s *MaintenancesService) Iter(ctx context.Context, params *MaintenanceListParams) *Iter[Maintenance] {
	p := MaintenanceListParams{}
	if params != nil {
		p = *params
	}
	return iterPages(ctx, p.Page, p.Limit, func(ctx context.Context, page, limit int) (*List[Maintenance], error) {
		p.Page, p.Limit = page, limit
		return s.List(ctx, &p)
	})
}

// Get returns one maintenance window.
func (s *MaintenancesService) Get(ctx context.Context, id string) (*Maintenance, error) {
	var out Maintenance
	err := s.client.do(ctx, "GET", "/api/maintenances/{id}", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// Create schedules a maintenance window.
func (s *MaintenancesService) Create(ctx context.Context, params *MaintenanceCreateParams) (*Maintenance, error) {
	var out Maintenance
	err := s.client.do(ctx, "POST", "/api/maintenances", nil, nil, params, &out)
	return ret(&out, err)
}

// Update changes the fields set in params.
func (s *MaintenancesService) Update(ctx context.Context, id string, params *MaintenanceUpdateParams) (*Maintenance, error) {
	var out Maintenance
	err := s.client.do(ctx, "PUT", "/api/maintenances/{id}", pathParams{"id": id}, nil, params, &out)
	return ret(&out, err)
}

// Delete removes a maintenance window.
func (s *MaintenancesService) Delete(ctx context.Context, id string) error {
	return s.client.do(ctx, "DELETE", "/api/maintenances/{id}", pathParams{"id": id}, nil, nil, nil)
}
