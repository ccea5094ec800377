package statusapp

import (
	"context"
	"net/url"
	"time"
)

// APIKey is a key of the organization (its secret is only in Create's answer).
type APIKey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Permission string     `json:"permission"` // read, write or admin
	Prefix     string     `json:"prefix"`     // the start of the key, to recognize it
	ExpiresAt  *time.Time `json:"expiresAt"`
	CreatedAt  time.Time  `json:"createdAt"`
	LastUsedAt *time.Time `json:"lastUsedAt"`
	RevokedAt  *time.Time `json:"revokedAt"`
	// Key is the whole key ("sk_live_..."), in Create's answer only.
	Key string `json:"key,omitempty"`
}

// APIKeyListParams filters GET /api/api-keys.
type APIKeyListParams struct {
	Search string
	Page   int
	Limit  int
}

func (p *APIKeyListParams) query() url.Values {
	if p == nil {
		return nil
	}
	q := pageQuery(p.Page, p.Limit)
	setIf(q, "search", p.Search)
	return q
}

// APIKeyCreateParams is a new key.
type APIKeyCreateParams struct {
	Name       string     `json:"name"`
	Permission string     `json:"permission"` // read, write or admin
	ExpiresAt  *time.Time `json:"expiresAt,omitempty"`
}

// APIKeysService is /api/api-keys (admin keys).
type APIKeysService struct{ client *Client }

// List returns one page of API keys.
func (s *APIKeysService) List(ctx context.Context, params *APIKeyListParams) (*List[APIKey], error) {
	var out List[APIKey]
	err := s.client.do(ctx, "GET", "/api/api-keys", nil, params.query(), nil, &out)
	return ret(&out, err)
}

// Iter walks every API key matching params, page by page.
func (s *APIKeysService) Iter(ctx context.Context, params *APIKeyListParams) *Iter[APIKey] {
	p := APIKeyListParams{}
	if params != nil {
		p = *params
	}
	return iterPages(ctx, p.Page, p.Limit, func(ctx context.Context, page, limit int) (*List[APIKey], error) {
		p.Page, p.Limit = page, limit
		return s.List(ctx, &p)
	})
}

// Get returns one API key.
func (s *APIKeysService) Get(ctx context.Context, id string) (*APIKey, error) {
	var out APIKey
	err := s.client.do(ctx, "GET", "/api/api-keys/{id}", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// Create makes a key; the answer's Key is shown only this once.
func (s *APIKeysService) Create(ctx context.Context, params *APIKeyCreateParams) (*APIKey, error) {
	var out APIKey
	err := s.client.do(ctx, "POST", "/api/api-keys", nil, nil, params, &out)
	return ret(&out, err)
}

// Delete revokes a key: it is refused from then on.
func (s *APIKeysService) Delete(ctx context.Context, id string) error {
	return s.client.do(ctx, "DELETE", "/api/api-keys/{id}", pathParams{"id": id}, nil, nil, nil)
}
