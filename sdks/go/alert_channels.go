package statusapp

import (
	"context"
	"net/url"
	"strconv"
	"time"
)

// AlertChannel is where alerts go to people: email, Slack, PagerDuty, ...
type AlertChannel struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Type string `json:"type"` // email, slack, discord, teams, googlechat, telegram, pagerduty, opsgenie, ntfy, pushover, sms, webhook, apprise
	// Config holds the type's settings, e.g. {"url": "https://hooks.slack.com/..."} for
	// slack. Secrets are whole only in Create's answer and masked afterwards.
	Config         map[string]any `json:"config"`
	Events         []string       `json:"events"` // monitor.down, monitor.up, monitor.degraded, ssl.expiring, incident.*
	AllMonitors    bool           `json:"allMonitors"`
	Enabled        bool           `json:"enabled"`
	DisabledReason string         `json:"disabledReason"` // user, gone or failing; "" while enabled
	CreatedAt      time.Time      `json:"createdAt"`
	UpdatedAt      time.Time      `json:"updatedAt"`
}

// AlertDelivery is one alert sent (or to be sent) to one channel, with its attempts.
type AlertDelivery struct {
	ID            string            `json:"id"`
	Kind          string            `json:"kind"`   // what it is about: down, up, test, ...
	Status        string            `json:"status"` // pending, delivered, failed, cancelled
	Attempts      int               `json:"attempts"`
	NextAttemptAt *time.Time        `json:"nextAttemptAt"`
	CreatedAt     time.Time         `json:"createdAt"`
	FinishedAt    *time.Time        `json:"finishedAt"`
	Monitor       *string           `json:"monitor"` // the monitor's id; nil for a test
	AttemptLog    []DeliveryAttempt `json:"attemptLog"`
}

// AlertChannelListParams filters GET /api/alert-channels.
type AlertChannelListParams struct {
	Type    string
	Enabled *bool
	Search  string
	Page    int
	Limit   int
}

func (p *AlertChannelListParams) query() url.Values {
	if p == nil {
		return nil
	}
	q := pageQuery(p.Page, p.Limit)
	setIf(q, "type", p.Type)
	setIf(q, "search", p.Search)
	if p.Enabled != nil {
		q.Set("enabled", strconv.FormatBool(*p.Enabled))
	}
	return q
}

// AlertChannelCreateParams is a new channel.
type AlertChannelCreateParams struct {
	Name        string         `json:"name"`
	Type        string         `json:"type"`
	Config      map[string]any `json:"config"`
	Events      []string       `json:"events,omitempty"`
	AllMonitors *bool          `json:"allMonitors,omitempty"`
	Enabled     *bool          `json:"enabled,omitempty"`
}

// AlertChannelUpdateParams changes the fields that are set. A Config keeps each secret
// left out of it or sent as its mask.
type AlertChannelUpdateParams struct {
	Name        *string         `json:"name,omitempty"`
	Type        *string         `json:"type,omitempty"`
	Config      *map[string]any `json:"config,omitempty"`
	Events      *[]string       `json:"events,omitempty"`
	AllMonitors *bool           `json:"allMonitors,omitempty"`
	Enabled     *bool           `json:"enabled,omitempty"`
}

// AlertChannelsService is /api/alert-channels.
type AlertChannelsService struct{ client *Client }

// List returns one page of alert channels.
func (s *AlertChannelsService) List(ctx context.Context, params *AlertChannelListParams) (*List[AlertChannel], error) {
	var out List[AlertChannel]
	err := s.client.do(ctx, "GET", "/api/alert-channels", nil, params.query(), nil, &out)
	return ret(&out, err)
}

// Iter walks every alert channel matching params, page by page.
func (s *AlertChannelsService) Iter(ctx context.Context, params *AlertChannelListParams) *Iter[AlertChannel] {
	p := AlertChannelListParams{}
	if params != nil {
		p = *params
	}
	return iterPages(ctx, p.Page, p.Limit, func(ctx context.Context, page, limit int) (*List[AlertChannel], error) {
		p.Page, p.Limit = page, limit
		return s.List(ctx, &p)
	})
}

// Get returns one alert channel (secrets masked).
func (s *AlertChannelsService) Get(ctx context.Context, id string) (*AlertChannel, error) {
	var out AlertChannel
	err := s.client.do(ctx, "GET", "/api/alert-channels/{id}", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// Create adds a channel; its answer shows the config whole, this once.
func (s *AlertChannelsService) Create(ctx context.Context, params *AlertChannelCreateParams) (*AlertChannel, error) {
	var out AlertChannel
	err := s.client.do(ctx, "POST", "/api/alert-channels", nil, nil, params, &out)
	return ret(&out, err)
}

// Update changes the fields set in params.
func (s *AlertChannelsService) Update(ctx context.Context, id string, params *AlertChannelUpdateParams) (*AlertChannel, error) {
	var out AlertChannel
	err := s.client.do(ctx, "PUT", "/api/alert-channels/{id}", pathParams{"id": id}, nil, params, &out)
	return ret(&out, err)
}

// Delete removes a channel.
func (s *AlertChannelsService) Delete(ctx context.Context, id string) error {
	return s.client.do(ctx, "DELETE", "/api/alert-channels/{id}", pathParams{"id": id}, nil, nil, nil)
}

// Test sends a test alert to the channel now.
func (s *AlertChannelsService) Test(ctx context.Context, id string) (*AlertDelivery, error) {
	var out AlertDelivery
	err := s.client.do(ctx, "POST", "/api/alert-channels/{id}/test", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// ListDeliveries returns one page of the channel's alerts, newest first.
func (s *AlertChannelsService) ListDeliveries(ctx context.Context, id string, params *DeliveryListParams) (*List[AlertDelivery], error) {
	var out List[AlertDelivery]
	err := s.client.do(ctx, "GET", "/api/alert-channels/{id}/deliveries", pathParams{"id": id}, params.query(), nil, &out)
	return ret(&out, err)
}
