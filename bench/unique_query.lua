-- Appends a query parameter no request repeats, so no request is served from what a
-- process kept for an earlier one: the list as built from the database every time.
local counter = 0

request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "&request=" .. counter)
end
