package statusapp

import (
	"context"
	"encoding/json"
	"net/url"
	"time"
)

// Event is something that happened, exactly as webhook receivers got it: the guide's
// payload plus its id. A webhook handler can decode a delivery's body into it.
type Event struct {
	ID        string    `json:"id"`    // evt_...; the webhook-id header of its deliveries
	Event     string    `json:"event"` // monitor.down, monitor.up, incident.created, incident.updated, incident.resolved, webhook.test
	Timestamp time.Time `json:"timestamp"`
	// Monitor is set for monitor.* events.
	Monitor *EventMonitor `json:"monitor,omitempty"`
	// Incident is the incident as GET /api/incidents/{id} returns it for incident.*
	// events; for monitor.* events only its ID and Status (ACTIVE or RESOLVED), or nil.
	Incident *Incident `json:"incident,omitempty"`
	// Raw is the whole body as sent.
	Raw json.RawMessage `json:"-"`
}

// EventMonitor is the monitor of a monitor.* event.
type EventMonitor struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Status    MonitorStatus `json:"status"`
	LastCheck *time.Time    `json:"lastCheck"`
}

// UnmarshalJSON decodes an event and keeps its bytes in Raw.
func (e *Event) UnmarshalJSON(data []byte) error {
	type plain Event
	if err := json.Unmarshal(data, (*plain)(e)); err != nil {
		return err
	}
	e.Raw = append(json.RawMessage(nil), data...)
	return nil
}

// EventList is one page of events. Events are paged by cursor: pass
// Pagination.NextCursor as EventListParams.Cursor for the next (older) page.
type EventList struct {
	Data       []Event         `json:"data"`
	Pagination EventPagination `json:"pagination"`
}

// EventPagination describes a page of events; NextCursor is nil on the last page.
type EventPagination struct {
	Limit      int     `json:"limit"`
	NextCursor *string `json:"nextCursor"`
}

// EventListParams filters GET /api/events.
type EventListParams struct {
	Type   string // one event type
	Cursor string // a previous page's NextCursor; empty for the newest page
	Limit  int
}

func (p *EventListParams) query() url.Values {
	if p == nil {
		return nil
	}
	q := pageQuery(0, p.Limit)
	setIf(q, "type", p.Type)
	setIf(q, "cursor", p.Cursor)
	return q
}

// EventsService is /api/events (any key).
type EventsService struct{ client *Client }

// List returns one page of events, newest first (test events left out).
func (s *EventsService) List(ctx context.Context, params *EventListParams) (*EventList, error) {
	var out EventList
	err := s.client.do(ctx, "GET", "/api/events", nil, params.query(), nil, &out)
	return ret(&out, err)
}

// Iter walks the events matching params, newest first, following the cursors; events
// published meanwhile never shift the walk.
func (s *EventsService) Iter(ctx context.Context, params *EventListParams) *Iter[Event] {
	p := EventListParams{}
	if params != nil {
		p = *params
	}
	if p.Limit < 1 {
		p.Limit = iterPageSize
	}
	return newIter(ctx, func(ctx context.Context) ([]Event, bool, error) {
		got, err := s.List(ctx, &p)
		if err != nil {
			return nil, false, err
		}
		if got.Pagination.NextCursor == nil {
			return got.Data, false, nil
		}
		p.Cursor = *got.Pagination.NextCursor
		return got.Data, true, nil
	})
}

// Get returns one event (a test event too, by its id).
func (s *EventsService) Get(ctx context.Context, id string) (*Event, error) {
	var out Event
	err := s.client.do(ctx, "GET", "/api/events/{id}", pathParams{"id": id}, nil, nil, &out)
	return ret(&out, err)
}
