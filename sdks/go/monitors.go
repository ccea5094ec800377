package statusapp

import (
	"context"
	"net/url"
	"time"
)

// MonitorStatus is a monitor's state. Writes take only MonitorPaused and MonitorActive.
type MonitorStatus string

const (
	MonitorPending  MonitorStatus = "PENDING" // not checked yet
	MonitorUp       MonitorStatus = "UP"
	MonitorDegraded MonitorStatus = "DEGRADED" // slower than its degradedThreshold
	MonitorDown     MonitorStatus = "DOWN"
	MonitorPaused   MonitorStatus = "PAUSED"
	MonitorActive   MonitorStatus = "ACTIVE" // written to resume a paused monitor; never read
)

// MonitorType is what a monitor checks.
type MonitorType string

const (
	MonitorHTTP      MonitorType = "http"
	MonitorKeyword   MonitorType = "keyword"
	MonitorTCP       MonitorType = "tcp"
	MonitorDNS       MonitorType = "dns"
	MonitorSSL       MonitorType = "ssl"
	MonitorHeartbeat MonitorType = "heartbeat"
	MonitorPing      MonitorType = "ping"     // ICMP echo
	MonitorPostgres  MonitorType = "postgres" // PostgreSQL
	MonitorMySQL     MonitorType = "mysql"    // MySQL or MariaDB
	MonitorRedis     MonitorType = "redis"
	MonitorGRPC      MonitorType = "grpc" // grpc.health.v1.Health/Check
	MonitorSMTP      MonitorType = "smtp"
)

// PasswordMask is what a monitor's Password reads as when one is set; sent back in an
// update, it keeps the stored password.
const PasswordMask = "••••"

// Monitor is a check StatusApp runs on a schedule (or, for heartbeat, a ping it waits for).
type Monitor struct {
	ID                  string            `json:"id"`
	Name                string            `json:"name"`
	Type                MonitorType       `json:"type"`
	Status              MonitorStatus     `json:"status"`
	URL                 string            `json:"url"` // http, keyword, ssl
	Method              string            `json:"method"`
	Headers             map[string]string `json:"headers"`
	Body                string            `json:"body"`
	ExpectedStatusCodes string            `json:"expectedStatusCodes"`
	FollowRedirects     bool              `json:"followRedirects"`
	Keyword             string            `json:"keyword"`
	KeywordAbsent       bool              `json:"keywordAbsent"`
	JSONPath            string            `json:"jsonPath"`
	JSONExpected        string            `json:"jsonExpected"`
	SSLDegradedDays     int               `json:"sslDegradedDays"`
	SSLDownDays         int               `json:"sslDownDays"`
	Host                string            `json:"host"` // tcp, dns, ping, postgres, mysql, redis, grpc, smtp
	Port                int               `json:"port"`
	RecordType          string            `json:"recordType"` // dns
	ExpectedValues      []string          `json:"expectedValues"`
	Resolver            string            `json:"resolver"`
	Username            string            `json:"username"`  // postgres, mysql, redis
	Password            string            `json:"password"`  // PasswordMask when set, "" when not
	Database            string            `json:"database"`  // postgres, mysql
	TLS                 bool              `json:"tls"`       // postgres, mysql, redis, grpc; smtp: STARTTLS
	Service             string            `json:"service"`   // grpc: "" asks about the whole server
	PingCount           int               `json:"pingCount"` // ping: echo requests per check
	Grace               int               `json:"grace"`     // heartbeat
	PingURL             string            `json:"pingUrl"`   // heartbeat: the URL the job pings
	Interval            int               `json:"interval"`
	Timeout             int               `json:"timeout"`
	Retries             int               `json:"retries"`
	DegradedThreshold   *int              `json:"degradedThreshold"`
	RetryInterval       *int              `json:"retryInterval"`
	AlertChannels       []string          `json:"alertChannels"`
	ReminderInterval    *int              `json:"reminderInterval"`
	Escalation          []EscalationStep  `json:"escalation"`
	DependsOn           []string          `json:"dependsOn"`
	AcknowledgedAt      *time.Time        `json:"acknowledgedAt"`
	AcknowledgedBy      *string           `json:"acknowledgedBy"`
	LastCheck           *time.Time        `json:"lastCheck"`
	ResponseTime        *int              `json:"responseTime"`
	Uptime              *float64          `json:"uptime"`
	LastError           string            `json:"lastError"`
	BadgeURL            string            `json:"badgeUrl"`
	CreatedAt           time.Time         `json:"createdAt"`
	UpdatedAt           time.Time         `json:"updatedAt"`
}

// EscalationStep alerts more channels when a monitor stays DOWN.
type EscalationStep struct {
	AfterMinutes int      `json:"afterMinutes"`
	Channels     []string `json:"channels"` // alert channel ids (ach_...)
}

// MonitorListParams filters GET /api/monitors.
type MonitorListParams struct {
	Status   MonitorStatus // UP, DOWN, DEGRADED, PAUSED, PENDING
	Type     MonitorType
	Category MonitorType // the guide's name for Type
	Search   string
	Page     int
	Limit    int // at most 100
}

func (p *MonitorListParams) query() url.Values {
	if p == nil {
		return nil
	}
	q := pageQuery(p.Page, p.Limit)
	setIf(q, "status", string(p.Status))
	setIf(q, "type", string(p.Type))
	setIf(q, "category", string(p.Category))
	setIf(q, "search", p.Search)
	return q
}

// MonitorCreateParams is a new monitor: Name and Type, then the type's fields.
type MonitorCreateParams struct {
	Name                string            `json:"name"`
	Type                MonitorType       `json:"type"`
	Status              MonitorStatus     `json:"status,omitempty"` // MonitorPaused to create it paused
	URL                 string            `json:"url,omitempty"`
	Method              string            `json:"method,omitempty"`
	Headers             map[string]string `json:"headers,omitempty"`
	Body                string            `json:"body,omitempty"`
	ExpectedStatusCodes string            `json:"expectedStatusCodes,omitempty"`
	FollowRedirects     *bool             `json:"followRedirects,omitempty"`
	Keyword             string            `json:"keyword,omitempty"`
	KeywordAbsent       *bool             `json:"keywordAbsent,omitempty"`
	JSONPath            string            `json:"jsonPath,omitempty"`
	JSONExpected        string            `json:"jsonExpected,omitempty"`
	SSLDegradedDays     *int              `json:"sslDegradedDays,omitempty"`
	SSLDownDays         *int              `json:"sslDownDays,omitempty"`
	Host                string            `json:"host,omitempty"`
	Port                int               `json:"port,omitempty"`
	RecordType          string            `json:"recordType,omitempty"`
	ExpectedValues      []string          `json:"expectedValues,omitempty"`
	Resolver            string            `json:"resolver,omitempty"`
	Username            string            `json:"username,omitempty"`
	Password            string            `json:"password,omitempty"`
	Database            string            `json:"database,omitempty"`
	TLS                 *bool             `json:"tls,omitempty"`
	Service             string            `json:"service,omitempty"`
	PingCount           int               `json:"pingCount,omitempty"` // 1-10; 3 when left out
	Grace               *int              `json:"grace,omitempty"`
	Interval            int               `json:"interval,omitempty"` // seconds
	Timeout             int               `json:"timeout,omitempty"`  // seconds
	Retries             *int              `json:"retries,omitempty"`
	DegradedThreshold   *int              `json:"degradedThreshold,omitempty"` // milliseconds
	RetryInterval       *int              `json:"retryInterval,omitempty"`
	AlertChannels       []string          `json:"alertChannels,omitempty"`
	ReminderInterval    *int              `json:"reminderInterval,omitempty"`
	Escalation          []EscalationStep  `json:"escalation,omitempty"`
	DependsOn           []string          `json:"dependsOn,omitempty"`
}

// MonitorUpdateParams changes the fields that are set and leaves the others as they
// are. A list set to an empty one (statusapp.Ptr([]string{})) empties it.
type MonitorUpdateParams struct {
	Name                *string            `json:"name,omitempty"`
	Type                *MonitorType       `json:"type,omitempty"`
	Status              *MonitorStatus     `json:"status,omitempty"` // MonitorPaused or MonitorActive
	URL                 *string            `json:"url,omitempty"`
	Method              *string            `json:"method,omitempty"`
	Headers             *map[string]string `json:"headers,omitempty"`
	Body                *string            `json:"body,omitempty"`
	ExpectedStatusCodes *string            `json:"expectedStatusCodes,omitempty"`
	FollowRedirects     *bool              `json:"followRedirects,omitempty"`
	Keyword             *string            `json:"keyword,omitempty"`
	KeywordAbsent       *bool              `json:"keywordAbsent,omitempty"`
	JSONPath            *string            `json:"jsonPath,omitempty"`
	JSONExpected        *string            `json:"jsonExpected,omitempty"`
	SSLDegradedDays     *int               `json:"sslDegradedDays,omitempty"`
	SSLDownDays         *int               `json:"sslDownDays,omitempty"`
	Host                *string            `json:"host,omitempty"`
	Port                *int               `json:"port,omitempty"`
	RecordType          *string            `json:"recordType,omitempty"`
	ExpectedValues      *[]string          `json:"expectedValues,omitempty"`
	Resolver            *string            `json:"resolver,omitempty"`
	Username            *string            `json:"username,omitempty"`
	Password            *string            `json:"password,omitempty"` // PasswordMask keeps it, "" removes it
	Database            *string            `json:"database,omitempty"`
	TLS                 *bool              `json:"tls,omitempty"`
	Service             *string            `json:"service,omitempty"`
	PingCount           *int               `json:"pingCount,omitempty"`
	Grace               *int               `json:"grace,omitempty"`
	Interval            *int               `json:"interval,omitempty"`
	Timeout             *int               `json:"timeout,omitempty"`
	Retries             *int               `json:"retries,omitempty"`
	DegradedThreshold   *int               `json:"degradedThreshold,omitempty"`
	RetryInterval       *int               `json:"retryInterval,omitempty"`
	AlertChannels       *[]string          `json:"alertChannels,omitempty"`
	ReminderInterval    *int               `json:"reminderInterval,omitempty"`
	Escalation          *[]EscalationStep  `json:"escalation,omitempty"`
	DependsOn           *[]string          `json:"dependsOn,omitempty"`
}

// CheckResult is one check of a monitor.
type CheckResult struct {
	ScheduledAt   time.Time `json:"scheduledAt"`
	StartedAt     time.Time `json:"startedAt"`
	Status        string    `json:"status"` // UP, DEGRADED, DOWN
	ResponseTime  *int      `json:"responseTime"`
	StatusCode    *int      `json:"statusCode"`
	Error         string    `json:"error"`
	InMaintenance bool      `json:"inMaintenance"`
}

// CheckListParams filters GET /api/monitors/{id}/checks.
type CheckListParams struct {
	Status string // UP, DEGRADED, DOWN
	Page   int
	Limit  int
}

func (p *CheckListParams) query() url.Values {
	if p == nil {
		return nil
	}
	q := pageQuery(p.Page, p.Limit)
	setIf(q, "status", p.Status)
	return q
}

// MonitorUptime is a monitor's uptime over the last day, week, month and quarter.
type MonitorUptime struct {
	MonitorID string        `json:"monitorId"`
	Windows   UptimeWindows `json:"windows"`
}

// UptimeWindows are the windows of a MonitorUptime.
type UptimeWindows struct {
	Last24h UptimeWindow `json:"24h"`
	Last7d  UptimeWindow `json:"7d"`
	Last30d UptimeWindow `json:"30d"`
	Last90d UptimeWindow `json:"90d"`
}

// UptimeWindow is a monitor's record over one window; Uptime is nil without checks.
type UptimeWindow struct {
	Uptime              *float64 `json:"uptime"` // percent
	Checks              int      `json:"checks"`
	Down                int      `json:"down"`
	AverageResponseTime *int     `json:"averageResponseTime"`
	P95ResponseTime     *int     `json:"p95ResponseTime"`
}

// Acknowledgement is the answer to acknowledging a DOWN monitor: its reminders and
// escalation stop until it recovers.
type Acknowledgement struct {
	Monitor AcknowledgedMonitor `json:"monitor"`
}

// AcknowledgedMonitor is the monitor of an Acknowledgement.
type AcknowledgedMonitor struct {
	ID             string        `json:"id"`
	Status         MonitorStatus `json:"status"`
	AcknowledgedAt time.Time     `json:"acknowledgedAt"`
	AcknowledgedBy string        `json:"acknowledgedBy"`
}

// MonitorsService is /api/monitors.
type MonitorsService struct{ client *Client }

// List returns one page of monitors.
func (s *MonitorsService) List(ctx context.Context, params *MonitorListParams) (*List[Monitor], error) {
	var out List[Monitor]
	err := s.client.do(ctx, "GET", "/api/monitors", nil, params.query(), nil, &out)
	return ret(&out, err)
}

// Iter walks every monitor matching params, page by page.
func (s *MonitorsService) Iter(ctx context.Context, params *MonitorListParams) *Iter[Monitor] {
	p := MonitorListParams{}
	if params != nil {
		p = *params
	}
	return iterPages(ctx, p.Page, p.Limit, func(ctx context.Context, page, limit int) (*List[Monitor], error) {
		p.Page, p.Limit = page, limit
		return s.List(ctx, &p)
	})
}

// Get returns one monitor.
func (s *MonitorsService) Get(ctx context.Context, id string) (*Monitor, error) {
	var out Monitor
	err := s.client.do(ctx, "GET", "/api/monitors/{id}", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// Create makes a monitor.
func (s *MonitorsService) Create(ctx context.Context, params *MonitorCreateParams) (*Monitor, error) {
	var out Monitor
	err := s.client.do(ctx, "POST", "/api/monitors", nil, nil, params, &out)
	return ret(&out, err)
}

// Update changes the fields set in params.
func (s *MonitorsService) Update(ctx context.Context, id string, params *MonitorUpdateParams) (*Monitor, error) {
	var out Monitor
	err := s.client.do(ctx, "PUT", "/api/monitors/{id}", pathParams{"id": id}, nil, params, &out)
	return ret(&out, err)
}

// Delete removes a monitor and its history.
func (s *MonitorsService) Delete(ctx context.Context, id string) error {
	return s.client.do(ctx, "DELETE", "/api/monitors/{id}", pathParams{"id": id}, nil, nil, nil)
}

// Pause stops checking a monitor (PUT {"status": "PAUSED"}).
func (s *MonitorsService) Pause(ctx context.Context, id string) (*Monitor, error) {
	return s.Update(ctx, id, &MonitorUpdateParams{Status: Ptr(MonitorPaused)})
}

// Resume checks a paused monitor again (PUT {"status": "ACTIVE"}); it is PENDING
// until its next check.
func (s *MonitorsService) Resume(ctx context.Context, id string) (*Monitor, error) {
	return s.Update(ctx, id, &MonitorUpdateParams{Status: Ptr(MonitorActive)})
}

// Acknowledge a DOWN monitor: its reminders and escalation stop until it recovers.
func (s *MonitorsService) Acknowledge(ctx context.Context, id string) (*Acknowledgement, error) {
	var out Acknowledgement
	err := s.client.do(ctx, "POST", "/api/monitors/{id}/acknowledge", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}

// Checks returns one page of a monitor's check results, newest first.
func (s *MonitorsService) Checks(ctx context.Context, id string, params *CheckListParams) (*List[CheckResult], error) {
	var out List[CheckResult]
	err := s.client.do(ctx, "GET", "/api/monitors/{id}/checks", pathParams{"id": id}, params.query(), nil, &out)
	return ret(&out, err)
}

// Uptime returns a monitor's uptime over 24 hours, 7, 30 and 90 days.
func (s *MonitorsService) Uptime(ctx context.Context, id string) (*MonitorUptime, error) {
	var out MonitorUptime
	err := s.client.do(ctx, "GET", "/api/monitors/{id}/uptime", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}
