package statusapp

import (
	"context"
	"encoding/json"
	"net/url"
	"time"
)

// WebhookEndpoint is a URL StatusApp sends signed events to.
type WebhookEndpoint struct {
	ID             string    `json:"id"`
	URL            string    `json:"url"`
	Description    string    `json:"description"`
	Events         []string  `json:"events"` // monitor.down, monitor.up, incident.created, incident.updated, incident.resolved
	Enabled        bool      `json:"enabled"`
	DisabledReason string    `json:"disabledReason"` // user, gone or failing; "" while enabled
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
	// Secret ("whsec_...") signs the deliveries; only Create and RotateSecret return it.
	Secret string `json:"secret,omitempty"`
	// PreviousSecretExpiresAt (RotateSecret): until then deliveries are signed with the
	// previous secret too.
	PreviousSecretExpiresAt *time.Time `json:"previousSecretExpiresAt,omitempty"`
}

// Delivery is one event sent (or to be sent) to one endpoint, with its attempts.
type Delivery struct {
	ID            string            `json:"id"`
	EventID       string            `json:"eventId"` // the webhook-id header sent
	Event         string            `json:"event"`   // the event type, or webhook.test
	Status        string            `json:"status"`  // pending, delivered, failed, cancelled
	Attempts      int               `json:"attempts"`
	NextAttemptAt *time.Time        `json:"nextAttemptAt"`
	CreatedAt     time.Time         `json:"createdAt"`
	FinishedAt    *time.Time        `json:"finishedAt"`
	AttemptLog    []DeliveryAttempt `json:"attemptLog"` // newest first
	// Payload is the body sent, byte for byte; not in lists.
	Payload json.RawMessage `json:"payload,omitempty"`
}

// DeliveryAttempt is one HTTP attempt of a delivery.
type DeliveryAttempt struct {
	AttemptedAt time.Time `json:"attemptedAt"`
	StatusCode  *int      `json:"statusCode"` // nil when no answer came back
	DurationMs  int       `json:"durationMs"`
	Error       string    `json:"error"`
	Response    string    `json:"response"` // the first bytes of the answer
}

// WebhookListParams pages GET /api/webhooks.
type WebhookListParams struct {
	Page  int
	Limit int
}

func (p *WebhookListParams) query() url.Values {
	if p == nil {
		return nil
	}
	return pageQuery(p.Page, p.Limit)
}

// DeliveryListParams filters an endpoint's or a channel's deliveries.
type DeliveryListParams struct {
	Status string // pending, delivered, failed, cancelled
	Page   int
	Limit  int
}

func (p *DeliveryListParams) query() url.Values {
	if p == nil {
		return nil
	}
	q := pageQuery(p.Page, p.Limit)
	setIf(q, "status", p.Status)
	return q
}

// WebhookCreateParams is a new endpoint; it receives every event when Events is empty.
type WebhookCreateParams struct {
	URL         string   `json:"url"`
	Description string   `json:"description,omitempty"`
	Events      []string `json:"events,omitempty"`
	Enabled     *bool    `json:"enabled,omitempty"`
}

// WebhookUpdateParams changes the fields that are set; Enabled true re-enables a
// disabled endpoint.
type WebhookUpdateParams struct {
	URL         *string   `json:"url,omitempty"`
	Description *string   `json:"description,omitempty"`
	Events      *[]string `json:"events,omitempty"`
	Enabled     *bool     `json:"enabled,omitempty"`
}

// WebhooksService is /api/webhooks (admin keys).
type WebhooksService struct{ client *Client }

// List returns one page of webhook endpoints.
func (s *WebhooksService) List(ctx context.Context, params *WebhookListParams) (*List[WebhookEndpoint], error) {
	var out List[WebhookEndpoint]
	err := s.client.do(ctx, "GET", "/api/webhooks", nil, params.query(), nil, &out)
	return ret(&out, err)
}

// Iter walks every webhook endpoint, page by page.
func (s *WebhooksService) Iter(ctx context.Context, params *WebhookListParams) *Iter[WebhookEndpoint] {
	p := WebhookListParams{}
	if params != nil {
		p = *params
	}
	return iterPages(ctx, p.Page, p.Limit, func(ctx context.Context, page, limit int) (*List[WebhookEndpoint], error) {
		p.Page, p.Limit = page, limit
		return s.List(ctx, &p)
	})
}

// Get returns one endpoint (without its secret).
func (s *WebhooksService) Get(ctx context.Context, id string) (*WebhookEndpoint, error) {
	var out WebhookEndpoint
	err := s.client.do(ctx, "GET", "/api/webhooks/{id}", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// Create adds an endpoint; the answer's Secret is shown only this once.
func (s *WebhooksService) Create(ctx context.Context, params *WebhookCreateParams) (*WebhookEndpoint, error) {
	var out WebhookEndpoint
	err := s.client.do(ctx, "POST", "/api/webhooks", nil, nil, params, &out)
	return ret(&out, err)
}

// Update changes the fields set in params.
func (s *WebhooksService) Update(ctx context.Context, id string, params *WebhookUpdateParams) (*WebhookEndpoint, error) {
	var out WebhookEndpoint
	err := s.client.do(ctx, "PUT", "/api/webhooks/{id}", pathParams{"id": id}, nil, params, &out)
	return ret(&out, err)
}

// Delete removes an endpoint and cancels its pending deliveries.
func (s *WebhooksService) Delete(ctx context.Context, id string) error {
	return s.client.do(ctx, "DELETE", "/api/webhooks/{id}", pathParams{"id": id}, nil, nil, nil)
}

// Test sends a signed webhook.test event to the endpoint now.
func (s *WebhooksService) Test(ctx context.Context, id string) (*Delivery, error) {
	var out Delivery
	err := s.client.do(ctx, "POST", "/api/webhooks/{id}/test", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// RotateSecret gives the endpoint a new secret (in the answer only); the previous
// one keeps signing too for 24 hours.
func (s *WebhooksService) RotateSecret(ctx context.Context, id string) (*WebhookEndpoint, error) {
	var out WebhookEndpoint
	err := s.client.do(ctx, "POST", "/api/webhooks/{id}/rotate-secret", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// ListDeliveries returns one page of the endpoint's deliveries, newest first.
func (s *WebhooksService) ListDeliveries(ctx context.Context, id string, params *DeliveryListParams) (*List[Delivery], error) {
	var out List[Delivery]
	err := s.client.do(ctx, "GET", "/api/webhooks/{id}/deliveries", pathParams{"id": id}, params.query(), nil, &out)
	return ret(&out, err)
}

// GetDelivery returns one delivery with its payload.
func (s *WebhooksService) GetDelivery(ctx context.Context, id, deliveryID string) (*Delivery, error) {
	var out Delivery
	path := pathParams{"id": id, "deliveryId": deliveryID}
	err := s.client.do(ctx, "GET", "/api/webhooks/{id}/deliveries/{deliveryId}", path, nil, nil, &out)
	return ret(&out, err)
}

// Redeliver sends a delivery's event again now (same body, same webhook-id).
func (s *WebhooksService) Redeliver(ctx context.Context, id, deliveryID string) (*Delivery, error) {
	var out Delivery
	path := pathParams{"id": id, "deliveryId": deliveryID}
	err := s.client.do(ctx, "POST", "/api/webhooks/{id}/deliveries/{deliveryId}/redeliver", path, nil, nil, &out)
	return ret(&out, err)
}
