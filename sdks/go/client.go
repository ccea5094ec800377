package statusapp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Version is this SDK's version, sent in the User-Agent header.
const Version = "0.1.0"

const (
	// DefaultBaseURL is where a local StatusApp listens (`make run`).
	DefaultBaseURL    = "http://127.0.0.1:8000"
	defaultMaxRetries = 2
	defaultTimeout    = 30 * time.Second
	// A Retry-After longer than this is not waited out: the caller gets the error and
	// its RetryAfter (an hourly limit can ask for most of an hour).
	maxRetryWait = time.Minute
	// Connection errors of a GET are retried after 250 ms, 500 ms, 1 s, ...
	firstBackoff = 250 * time.Millisecond
	// The largest response body read (an API answer is far smaller).
	maxBodyBytes = 32 << 20
)

// Client calls the StatusApp API. It is safe for concurrent use.
type Client struct {
	Monitors      *MonitorsService
	Incidents     *IncidentsService
	StatusPages   *StatusPagesService
	Webhooks      *WebhooksService
	AlertChannels *AlertChannelsService
	Maintenances  *MaintenancesService
	APIKeys       *APIKeysService
	Events        *EventsService

	apiKey     string
	baseURL    string
	httpClient *http.Client
	maxRetries int
	timeout    time.Duration
}

// Option configures a Client.
type Option func(*Client)

// WithBaseURL sets the root of the StatusApp install, e.g. "https://status.example.com"
// (paths are /api/...). An empty url keeps the default: STATUSAPP_BASE_URL, else
// http://127.0.0.1:8000.
func WithBaseURL(url string) Option {
	return func(c *Client) {
		if url != "" {
			c.baseURL = url
		}
	}
}

// WithHTTPClient sends the requests through hc (its Transport, proxies, TLS settings).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) {
		if hc != nil {
			c.httpClient = hc
		}
	}
}

// WithMaxRetries sets how many times a request is retried after a 429 or 503 answer
// (and, for GETs, a connection error); 0 turns retries off. The default is 2.
func WithMaxRetries(n int) Option {
	return func(c *Client) {
		if n >= 0 {
			c.maxRetries = n
		}
	}
}

// WithTimeout bounds each attempt of a request (connect, send, read the answer);
// 0 means no bound beyond the context's. The default is 30 seconds.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) {
		if d >= 0 {
			c.timeout = d
		}
	}
}

// NewClient returns a client authenticated with apiKey (an "sk_live_..." key); an
// empty apiKey is read from STATUSAPP_API_KEY.
func NewClient(apiKey string, opts ...Option) *Client {
	if apiKey == "" {
		apiKey = os.Getenv("STATUSAPP_API_KEY")
	}
	c := &Client{
		apiKey:     apiKey,
		baseURL:    os.Getenv("STATUSAPP_BASE_URL"),
		httpClient: &http.Client{},
		maxRetries: defaultMaxRetries,
		timeout:    defaultTimeout,
	}
	if c.baseURL == "" {
		c.baseURL = DefaultBaseURL
	}
	for _, opt := range opts {
		opt(c)
	}
	c.baseURL = strings.TrimRight(c.baseURL, "/")
	c.Monitors = &MonitorsService{c}
	c.Incidents = &IncidentsService{c}
	c.StatusPages = &StatusPagesService{c}
	c.Webhooks = &WebhooksService{c}
	c.AlertChannels = &AlertChannelsService{c}
	c.Maintenances = &MaintenancesService{c}
	c.APIKeys = &APIKeysService{c}
	c.Events = &EventsService{c}
	return c
}

// pathParams fills the {name} parts of a path template.
type pathParams map[string]string

// expandPath fills a template such as "/api/monitors/{id}", escaping each value so an
// id can never reach another path.
func expandPath(template string, params pathParams) (string, error) {
	path := template
	for name, value := range params {
		if value == "" {
			return "", fmt.Errorf("statusapp: %s: empty %s", template, name)
		}
		path = strings.ReplaceAll(path, "{"+name+"}", url.PathEscape(value))
	}
	if strings.ContainsAny(path, "{}") {
		return "", fmt.Errorf("statusapp: %s: a path parameter is missing", template)
	}
	return path, nil
}

// do sends one API call, retrying as the Client is configured, and decodes a 2xx
// answer's JSON into out (when out is not nil).
func (c *Client) do(ctx context.Context, method, template string, params pathParams, query url.Values, body, out any) error {
	path, err := expandPath(template, params)
	if err != nil {
		return err
	}
	var payload []byte
	if body != nil {
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("statusapp: %s %s: encoding the request: %w", method, path, err)
		}
	}
	for attempt := 0; ; attempt++ {
		status, header, answer, err := c.send(ctx, method, path, query, payload)
		if err != nil {
			if ctx.Err() != nil || method != http.MethodGet || attempt >= c.maxRetries {
				return fmt.Errorf("statusapp: %w", err)
			}
			// A GET changes nothing: try again after a short pause.
			if err := sleep(ctx, firstBackoff<<attempt); err != nil {
				return fmt.Errorf("statusapp: %s %s: waiting to retry: %w", method, path, err)
			}
			continue
		}
		if status >= 200 && status < 300 {
			if out == nil || len(answer) == 0 {
				return nil
			}
			if err := json.Unmarshal(answer, out); err != nil {
				return fmt.Errorf("statusapp: %s %s: decoding the answer: %w", method, path, err)
			}
			return nil
		}
		apiErr := newAPIError(method, path, status, header, answer)
		// 429 and 503 say the request was not acted on: safe to send again, writes included.
		if (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) && attempt < c.maxRetries {
			wait := apiErr.RetryAfter
			if wait == 0 {
				wait = time.Second << attempt
			}
			if wait <= maxRetryWait {
				if err := sleep(ctx, wait); err != nil {
					return fmt.Errorf("statusapp: %s %s: waiting %s to retry after %d: %w", method, path, wait, status, err)
				}
				continue
			}
		}
		return apiErr
	}
}

// send makes one attempt and reads the whole answer.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, payload []byte) (int, http.Header, []byte, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	target := c.baseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return 0, nil, nil, err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "statusapp-go/"+Version)
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.httpClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	return resp.StatusCode, resp.Header, answer, nil
}

// sleep waits for d, or returns the context's error as soon as it is done.
func sleep(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Ptr returns a pointer to v, for the optional fields of create and update params:
//
//	client.Monitors.Update(ctx, id, &statusapp.MonitorUpdateParams{Interval: statusapp.Ptr(30)})
func Ptr[T any](v T) *T { return &v }

// ret returns out, or nil with the error.
func ret[T any](out *T, err error) (*T, error) {
	if err != nil {
		return nil, err
	}
	return out, nil
}
