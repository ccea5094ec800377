'use strict';

// Pages of 100 (the API's most) unless the caller picks a size: fewer requests for the same walk.
const ITERATE_LIMIT = 100;

/** Every item of a page-numbered list (`{data, pagination: {page, pages}}`), fetching each page when needed. */
async function* everyPage(list, params = {}) {
  let page = params.page ?? 1;
  const limit = params.limit ?? ITERATE_LIMIT;
  for (;;) {
    const { data, pagination } = await list({ ...params, page, limit });
    yield* data;
    if (data.length === 0 || page >= pagination.pages) return;
    page += 1;
  }
}

/** Every item of a cursor-paginated list (`{data, pagination: {nextCursor}}`), following nextCursor until null. */
async function* everyCursor(list, params = {}) {
  let cursor = params.cursor;
  const limit = params.limit ?? ITERATE_LIMIT;
  do {
    const { data, pagination } = await list({ ...params, cursor, limit });
    yield* data;
    cursor = pagination.nextCursor;
  } while (cursor);
}

module.exports = { everyPage, everyCursor };
