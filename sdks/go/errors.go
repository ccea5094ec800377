package statusapp

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The kinds of API error, for errors.Is:
//
//	if errors.Is(err, statusapp.ErrNotFound) { ... }
//
// An *APIError matches the one of its status code; errors.As gives its details.
var (
	ErrInvalidRequest = errors.New("statusapp: invalid request")     // 400; Fields says which
	ErrUnauthorized   = errors.New("statusapp: unauthorized")        // 401: unknown, revoked or expired key
	ErrForbidden      = errors.New("statusapp: forbidden")           // 403: the key's permission is too low
	ErrNotFound       = errors.New("statusapp: not found")           // 404, also another organization's object
	ErrRateLimited    = errors.New("statusapp: rate limited")        // 429; RetryAfter says how long to wait
	ErrUnavailable    = errors.New("statusapp: service unavailable") // 503; RetryAfter says how long to wait
)

var errorKinds = map[int]error{
	http.StatusBadRequest:         ErrInvalidRequest,
	http.StatusUnauthorized:       ErrUnauthorized,
	http.StatusForbidden:          ErrForbidden,
	http.StatusNotFound:           ErrNotFound,
	http.StatusTooManyRequests:    ErrRateLimited,
	http.StatusServiceUnavailable: ErrUnavailable,
}

// APIError is an answer of the API outside 2xx, from its error envelope
// {"error": {"code", "message", "details", "fields"}}.
type APIError struct {
	StatusCode int
	Code       string              // e.g. "not_found", "invalid_request", "rate_limited"
	Message    string              // e.g. "Invalid monitor URL"
	Details    string              // e.g. "URL must be valid HTTP/HTTPS"
	Fields     map[string][]string // a 400's messages by field ("url", "escalation.0.channels")
	RetryAfter time.Duration       // from the Retry-After header (429, 503); 0 when absent
	Header     http.Header         // the answer's headers (X-RateLimit-*, ...)
	Method     string              // the request that failed
	Path       string
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "statusapp: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.Details != "" {
		b.WriteString(" (" + e.Details + ")")
	}
	return b.String()
}

// Is makes errors.Is(err, ErrNotFound) and its siblings true for the matching status.
func (e *APIError) Is(target error) bool {
	kind, ok := errorKinds[e.StatusCode]
	return ok && kind == target
}

func newAPIError(method, path string, status int, header http.Header, body []byte) *APIError {
	e := &APIError{
		StatusCode: status,
		Header:     header,
		Method:     method,
		Path:       path,
		RetryAfter: parseRetryAfter(header.Get("Retry-After"), time.Now()),
	}
	var envelope struct {
		Error struct {
			Code    string              `json:"code"`
			Message string              `json:"message"`
			Details string              `json:"details"`
			Fields  map[string][]string `json:"fields"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &envelope) == nil && envelope.Error.Code != "" {
		e.Code = envelope.Error.Code
		e.Message = envelope.Error.Message
		e.Details = envelope.Error.Details
		e.Fields = envelope.Error.Fields
	} else {
		// Not the API's envelope (a proxy's page, say): keep what there is.
		e.Message = http.StatusText(status)
		if len(body) > 200 {
			body = body[:200]
		}
		e.Details = strings.TrimSpace(string(body))
	}
	return e
}

// parseRetryAfter reads seconds ("5") or an HTTP date; 0 when absent or unreadable.
func parseRetryAfter(value string, now time.Time) time.Duration {
	if value == "" {
		return 0
	}
	if seconds, err := strconv.Atoi(value); err == nil {
		if seconds < 0 {
			return 0
		}
		return time.Duration(seconds) * time.Second
	}
	if at, err := http.ParseTime(value); err == nil && at.After(now) {
		return at.Sub(now)
	}
	return 0
}
