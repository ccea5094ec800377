package statusapp

import (
	"context"
	"net/url"
	"time"
)

// IncidentStatus is where an incident stands.
type IncidentStatus string

const (
	IncidentInvestigating IncidentStatus = "INVESTIGATING"
	IncidentIdentified    IncidentStatus = "IDENTIFIED"
	IncidentMonitoring    IncidentStatus = "MONITORING"
	IncidentResolved      IncidentStatus = "RESOLVED"
)

// Impact is how bad an incident is: none, low, medium, high or critical.
type Impact string

const (
	ImpactNone     Impact = "none"
	ImpactLow      Impact = "low"
	ImpactMedium   Impact = "medium"
	ImpactHigh     Impact = "high"
	ImpactCritical Impact = "critical"
)

// Incident is an outage or degradation, with the monitors (components) it affects.
// Get, Create and Update also return its timeline in Updates.
type Incident struct {
	ID                 string           `json:"id"`
	Title              string           `json:"title"`
	Description        string           `json:"description"`
	Status             IncidentStatus   `json:"status"`
	Impact             Impact           `json:"impact"`
	AffectedComponents []string         `json:"affectedComponents"` // monitor ids
	Components         []Component      `json:"components"`
	CreatedAt          time.Time        `json:"createdAt"`
	UpdatedAt          time.Time        `json:"updatedAt"`
	ResolvedAt         *time.Time       `json:"resolvedAt"`
	Duration           *int             `json:"duration"` // seconds from start to resolution
	Updates            []IncidentUpdate `json:"updates"`  // the timeline, newest first
}

// Component is an affected monitor and how it is affected.
type Component struct {
	ID     string `json:"id"` // the monitor's id
	Name   string `json:"name"`
	Status string `json:"status"` // operational, degraded_performance, partial_outage, major_outage, under_maintenance
}

// AffectedComponent names a monitor an incident affects, optionally with a component
// status (Component.Status values).
type AffectedComponent struct {
	ID     string `json:"id"`
	Status string `json:"status,omitempty"`
}

// IncidentUpdate is one entry of an incident's timeline.
type IncidentUpdate struct {
	ID                string         `json:"id"`
	Status            IncidentStatus `json:"status"`
	Message           string         `json:"message"`
	NotifySubscribers bool           `json:"notifySubscribers"`
	CreatedAt         time.Time      `json:"createdAt"`
}

// IncidentListParams filters GET /api/incidents.
type IncidentListParams struct {
	Status IncidentStatus
	Search string
	Page   int
	Limit  int
}

func (p *IncidentListParams) query() url.Values {
	if p == nil {
		return nil
	}
	q := pageQuery(p.Page, p.Limit)
	setIf(q, "status", string(p.Status))
	setIf(q, "search", p.Search)
	return q
}

// IncidentCreateParams is a new incident.
type IncidentCreateParams struct {
	Title              string              `json:"title"`
	Description        string              `json:"description,omitempty"`
	Status             IncidentStatus      `json:"status,omitempty"` // INVESTIGATING when empty
	Impact             Impact              `json:"impact,omitempty"`
	AffectedComponents []AffectedComponent `json:"affectedComponents,omitempty"`
}

// IncidentUpdateParams changes the fields that are set; Update adds a timeline message.
type IncidentUpdateParams struct {
	Title              *string              `json:"title,omitempty"`
	Description        *string              `json:"description,omitempty"`
	Status             *IncidentStatus      `json:"status,omitempty"`
	Impact             *Impact              `json:"impact,omitempty"`
	AffectedComponents *[]AffectedComponent `json:"affectedComponents,omitempty"`
	Update             *string              `json:"update,omitempty"`
}

// IncidentUpdateCreateParams is a new timeline entry.
type IncidentUpdateCreateParams struct {
	Message           string         `json:"message"`
	Status            IncidentStatus `json:"status,omitempty"` // moves the incident to this status
	NotifySubscribers bool           `json:"notifySubscribers,omitempty"`
}

// IncidentsService is /api/incidents.
type IncidentsService struct{ client *Client }

// List returns one page of incidents (without their timelines).
func (s *IncidentsService) List(ctx context.Context, params *IncidentListParams) (*List[Incident], error) {
	var out List[Incident]
	err := s.client.do(ctx, "GET", "/api/incidents", nil, params.query(), nil, &out)
	return ret(&out, err)
}

// Iter walks every incident matching params, page by page.
func (s *IncidentsService) Iter(ctx context.Context, params *IncidentListParams) *Iter[Incident] {
	p := IncidentListParams{}
	if params != nil {
		p = *params
	}
	return iterPages(ctx, p.Page, p.Limit, func(ctx context.Context, page, limit int) (*List[Incident], error) {
		p.Page, p.Limit = page, limit
		return s.List(ctx, &p)
	})
}

// Get returns one incident with its timeline.
func (s *IncidentsService) Get(ctx context.Context, id string) (*Incident, error) {
	var out Incident
	err := s.client.do(ctx, "GET", "/api/incidents/{id}", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// Create opens an incident.
func (s *IncidentsService) Create(ctx context.Context, params *IncidentCreateParams) (*Incident, error) {
	var out Incident
	err := s.client.do(ctx, "POST", "/api/incidents", nil, nil, params, &out)
	return ret(&out, err)
}

// Update changes the fields set in params (Status RESOLVED resolves it).
func (s *IncidentsService) Update(ctx context.Context, id string, params *IncidentUpdateParams) (*Incident, error) {
	var out Incident
	err := s.client.do(ctx, "PUT", "/api/incidents/{id}", pathParams{"id": id}, nil, params, &out)
	return ret(&out, err)
}

// Delete removes an incident.
func (s *IncidentsService) Delete(ctx context.Context, id string) error {
	return s.client.do(ctx, "DELETE", "/api/incidents/{id}", pathParams{"id": id}, nil, nil, nil)
}

// AddUpdate posts a timeline entry.
func (s *IncidentsService) AddUpdate(ctx context.Context, id string, params *IncidentUpdateCreateParams) (*IncidentUpdate, error) {
	var out IncidentUpdate
	err := s.client.do(ctx, "POST", "/api/incidents/{id}/updates", pathParams{"id": id}, nil, params, &out)
	return ret(&out, err)
}

// GetUpdate returns one timeline entry.
func (s *IncidentsService) GetUpdate(ctx context.Context, id, updateID string) (*IncidentUpdate, error) {
	var out IncidentUpdate
	path := pathParams{"id": id, "updateId": updateID}
	err := s.client.do(ctx, "GET", "/api/incidents/{id}/updates/{updateId}", path, nil, nil, &out)
	return ret(&out, err)
}
