package statusapp

import (
	"context"
	"net/url"
	"strconv"
)

// iterPageSize is the page size an Iter asks for when its params set none: the
// largest the API serves, so a walk takes the fewest requests.
const iterPageSize = 100

// Pagination describes one page of a list.
type Pagination struct {
	Page  int `json:"page"`
	Limit int `json:"limit"`
	Total int `json:"total"` // items in the whole list
	Pages int `json:"pages"`
}

// List is one page of a list: {"data": [...], "pagination": {...}}.
type List[T any] struct {
	Data       []T        `json:"data"`
	Pagination Pagination `json:"pagination"`
}

// Iter walks every item of a list, fetching each page only when the previous one is
// used up:
//
//	for it.Next() {
//		item := it.Value()
//	}
//	if err := it.Err(); err != nil { ... }
type Iter[T any] struct {
	ctx   context.Context
	fetch func(ctx context.Context) (items []T, more bool, err error)
	items []T
	value T
	more  bool
	err   error
}

func newIter[T any](ctx context.Context, fetch func(ctx context.Context) ([]T, bool, error)) *Iter[T] {
	return &Iter[T]{ctx: ctx, fetch: fetch, more: true}
}

// Next advances to the next item, fetching a page when needed. It returns false at
// the end of the list or on an error (see Err).
func (it *Iter[T]) Next() bool {
	for len(it.items) == 0 {
		if !it.more || it.err != nil {
			return false
		}
		it.items, it.more, it.err = it.fetch(it.ctx)
		if it.err != nil {
			return false
		}
	}
	it.value, it.items = it.items[0], it.items[1:]
	return true
}

// Value is the current item.
func (it *Iter[T]) Value() T { return it.value }

// Err is the error that stopped the walk, if any.
func (it *Iter[T]) Err() error { return it.err }

// iterPages walks a page-numbered list from page `start` (1 when 0), each page fetched
// by list(ctx, page, limit).
func iterPages[T any](ctx context.Context, start, limit int, list func(ctx context.Context, page, limit int) (*List[T], error)) *Iter[T] {
	if start < 1 {
		start = 1
	}
	if limit < 1 {
		limit = iterPageSize
	}
	page := start
	return newIter(ctx, func(ctx context.Context) ([]T, bool, error) {
		got, err := list(ctx, page, limit)
		if err != nil {
			return nil, false, err
		}
		more := page < got.Pagination.Pages && len(got.Data) > 0
		page++
		return got.Data, more, nil
	})
}

// pageQuery starts a list's query string with its page and limit (when set).
func pageQuery(page, limit int) url.Values {
	q := url.Values{}
	if page > 0 {
		q.Set("page", strconv.Itoa(page))
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	return q
}

// setIf adds a filter that is set.
func setIf(q url.Values, name, value string) {
	if value != "" {
		q.Set(name, value)
	}
}
