package statusapp

import (
	"context"
	"net/url"
	"time"
)

// StatusPage is a public (or password-protected) page showing monitors as components.
type StatusPage struct {
	ID                       string            `json:"id"`
	Name                     string            `json:"name"`
	Slug                     string            `json:"slug"`
	Description              string            `json:"description"`
	IsPublic                 bool              `json:"isPublic"`
	HasPassword              bool              `json:"hasPassword"`
	NotifyAutomaticIncidents bool              `json:"notifyAutomaticIncidents"`
	AccentColor              string            `json:"accentColor"`
	CustomDomain             *string           `json:"customDomain"`
	CustomDomainVerified     bool              `json:"customDomainVerified"`
	CustomDomainToken        *string           `json:"customDomainToken"`
	LogoURL                  *string           `json:"logoUrl"`
	Components               []string          `json:"components"` // monitor ids, in display order
	Groups                   []StatusPageGroup `json:"groups"`
	URL                      string            `json:"url"`
	CreatedAt                time.Time         `json:"createdAt"`
	UpdatedAt                time.Time         `json:"updatedAt"`
}

// StatusPageGroup is a named group of a page's components.
type StatusPageGroup struct {
	Name       string   `json:"name"`
	Components []string `json:"components"`
}

// PageComponent puts a monitor on a page, in a group when Group is set.
type PageComponent struct {
	ID    string `json:"id"`
	Group string `json:"group,omitempty"`
}

// StatusPageListParams filters GET /api/status-pages.
type StatusPageListParams struct {
	Search string
	Page   int
	Limit  int
}

func (p *StatusPageListParams) query() url.Values {
	if p == nil {
		return nil
	}
	q := pageQuery(p.Page, p.Limit)
	setIf(q, "search", p.Search)
	return q
}

// StatusPageCreateParams is a new status page.
type StatusPageCreateParams struct {
	Name                     string          `json:"name"`
	Slug                     string          `json:"slug,omitempty"` // made from the name when empty
	Description              string          `json:"description,omitempty"`
	IsPublic                 *bool           `json:"isPublic,omitempty"`
	Password                 string          `json:"password,omitempty"` // of a private page; never shown
	NotifyAutomaticIncidents *bool           `json:"notifyAutomaticIncidents,omitempty"`
	AccentColor              string          `json:"accentColor,omitempty"` // like #2563eb
	CustomDomain             string          `json:"customDomain,omitempty"`
	Logo                     string          `json:"logo,omitempty"` // an image as a data URL
	Components               []PageComponent `json:"components,omitempty"`
}

// StatusPageUpdateParams changes the fields that are set; "" removes a password,
// custom domain or logo.
type StatusPageUpdateParams struct {
	Name                     *string          `json:"name,omitempty"`
	Slug                     *string          `json:"slug,omitempty"`
	Description              *string          `json:"description,omitempty"`
	IsPublic                 *bool            `json:"isPublic,omitempty"`
	Password                 *string          `json:"password,omitempty"`
	NotifyAutomaticIncidents *bool            `json:"notifyAutomaticIncidents,omitempty"`
	AccentColor              *string          `json:"accentColor,omitempty"`
	CustomDomain             *string          `json:"customDomain,omitempty"`
	Logo                     *string          `json:"logo,omitempty"`
	Components               *[]PageComponent `json:"components,omitempty"`
}

// CustomDomainCheck is the outcome of verifying a page's custom domain.
type CustomDomainCheck struct {
	CustomDomain         *string `json:"customDomain"`
	CustomDomainVerified bool    `json:"customDomainVerified"`
	VerifiedBy           *string `json:"verifiedBy"` // "dns" or "http"; nil when not verified
	Message              string  `json:"message"`
}

// Subscriber is an email address that gets a page's incident updates.
type Subscriber struct {
	ID          string     `json:"id"`
	Email       string     `json:"email"`
	Confirmed   bool       `json:"confirmed"`
	ConfirmedAt *time.Time `json:"confirmedAt"`
	CreatedAt   time.Time  `json:"createdAt"`
}

// SubscriberListParams pages GET /api/status-pages/{id}/subscribers.
type SubscriberListParams struct {
	Page  int
	Limit int
}

func (p *SubscriberListParams) query() url.Values {
	if p == nil {
		return nil
	}
	return pageQuery(p.Page, p.Limit)
}

// SubscriberCreateParams adds a subscriber. Confirmed true adds an address that has
// already opted in, without a confirmation email.
type SubscriberCreateParams struct {
	Email     string `json:"email"`
	Confirmed bool   `json:"confirmed,omitempty"`
}

// StatusPagesService is /api/status-pages.
type StatusPagesService struct{ client *Client }

// List returns one page of status pages.
func (s *StatusPagesService) List(ctx context.Context, params *StatusPageListParams) (*List[StatusPage], error) {
	var out List[StatusPage]
	err := s.client.do(ctx, "GET", "/api/status-pages", nil, params.query(), nil, &out)
	return ret(&out, err)
}

// Iter walks every status page matching params, page by page.
func (s *StatusPagesService) Iter(ctx context.Context, params *StatusPageListParams) *Iter[StatusPage] {
	p := StatusPageListParams{}
	if params != nil {
		p = *params
	}
	return iterPages(ctx, p.Page, p.Limit, func(ctx context.Context, page, limit int) (*List[StatusPage], error) {
		p.Page, p.Limit = page, limit
		return s.List(ctx, &p)
	})
}

// Get returns one status page.
func (s *StatusPagesService) Get(ctx context.Context, id string) (*StatusPage, error) {
	var out StatusPage
	err := s.client.do(ctx, "GET", "/api/status-pages/{id}", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// Create makes a status page.
func (s *StatusPagesService) Create(ctx context.Context, params *StatusPageCreateParams) (*StatusPage, error) {
	var out StatusPage
	err := s.client.do(ctx, "POST", "/api/status-pages", nil, nil, params, &out)
	return ret(&out, err)
}

// Update changes the fields set in params.
func (s *StatusPagesService) Update(ctx context.Context, id string, params *StatusPageUpdateParams) (*StatusPage, error) {
	var out StatusPage
	err := s.client.do(ctx, "PUT", "/api/status-pages/{id}", pathParams{"id": id}, nil, params, &out)
	return ret(&out, err)
}

// Delete removes a status page and its subscribers.
func (s *StatusPagesService) Delete(ctx context.Context, id string) error {
	return s.client.do(ctx, "DELETE", "/api/status-pages/{id}", pathParams{"id": id}, nil, nil, nil)
}

// VerifyDomain checks now that the page's custom domain carries its token (a DNS TXT
// record or an HTTP file); once verified, the domain serves the page.
func (s *StatusPagesService) VerifyDomain(ctx context.Context, id string) (*CustomDomainCheck, error) {
	var out CustomDomainCheck
	err := s.client.do(ctx, "POST", "/api/status-pages/{id}/verify-domain", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// ListSubscribers returns one page of a status page's subscribers.
func (s *StatusPagesService) ListSubscribers(ctx context.Context, id string, params *SubscriberListParams) (*List[Subscriber], error) {
	var out List[Subscriber]
	err := s.client.do(ctx, "GET", "/api/status-pages/{id}/subscribers", pathParams{"id": id}, params.query(), nil, &out)
	return ret(&out, err)
}

// AddSubscriber subscribes an email address to a status page.
func (s *StatusPagesService) AddSubscriber(ctx context.Context, id string, params *SubscriberCreateParams) (*Subscriber, error) {
	var out Subscriber
	err := s.client.do(ctx, "POST", "/api/status-pages/{id}/subscribers", pathParams{"id": id}, nil, params, &out)
	return ret(&out, err)
}

// GetSubscriber returns one subscriber of a status page.
func (s *StatusPagesService) GetSubscriber(ctx context.Context, id, subscriberID string) (*Subscriber, error) {
	var out Subscriber
	path := pathParams{"id": id, "subscriberId": subscriberID}
	err := s.client.do(ctx, "GET", "/api/status-pages/{id}/subscribers/{subscriberId}", path, nil, nil, &out)
	return ret(&out, err)
}

// RemoveSubscriber unsubscribes an address from a status page.
func (s *StatusPagesService) RemoveSubscriber(ctx context.Context, id, subscriberID string) error {
	path := pathParams{"id": id, "subscriberId": subscriberID}
	return s.client.do(ctx, "DELETE", "/api/status-pages/{id}/subscribers/{subscriberId}", path, nil, nil, nil)
}
