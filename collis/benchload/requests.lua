-- Replays a request list written by collis/bench_http.py, one request a line:
--   METHOD <tab> PATH <tab> Header: value|Header: value <tab> BODY
-- Usage: wrk -s requests.lua URL -- LIST_FILE THREADS
-- Every request says it came through the TLS proxy (X-Forwarded-Proto: https), as the
-- production settings require. At the end one line starting "BENCH " gives the figures:
-- latency percentiles in microseconds and responses counted by status class; a redirect
-- to the sign-in page counts on its own ("login"), since it means a session failed.

local threads = {}
local started = 0

function setup(thread)
  thread:set("id", started)
  started = started + 1
  table.insert(threads, thread)
end

local requests = {}
local index = 1
s2xx, s3xx, s4xx, s5xx, login = 0, 0, 0, 0, 0

local function parse(line)
  local method, target, header_field, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t?(.*)$")
  local headers = { ["X-Forwarded-Proto"] = "https" }
  for pair in header_field:gmatch("[^|]+") do
    local name, value = pair:match("^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  if body == "" then body = nil end
  return wrk.format(method, target, headers, body)
end

function init(args)
  for line in io.lines(args[1]) do
    if line ~= "" then requests[#requests + 1] = parse(line) end
  end
  if #requests == 0 then error("no requests in " .. args[1]) end
  -- Each thread starts at its own place in the list, so threads do not move in step.
  local count = tonumber(args[2]) or 1
  index = (id * math.floor(#requests / count)) % #requests + 1
end

function request()
  local next_request = requests[index]
  index = index % #requests + 1
  return next_request
end

function response(status, headers, body)
  if status >= 500 then
    s5xx = s5xx + 1
  elseif status >= 400 then
    s4xx = s4xx + 1
  elseif status >= 300 then
    s3xx = s3xx + 1
    local location = headers["Location"] or headers["location"] or ""
    if location:find("/login/", 1, true) then login = login + 1 end
  else
    s2xx = s2xx + 1
  end
end

function done(summary, latency, requests)
  local counts = { s2xx = 0, s3xx = 0, s4xx = 0, s5xx = 0, login = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do
      counts[name] = counts[name] + (thread:get(name) or 0)
    end
  end
  local errors = summary.errors
  io.write(string.format(
    "BENCH requests=%d duration_us=%d p50_us=%d p95_us=%d p99_us=%d max_us=%d " ..
    "connect=%d read=%d write=%d timeout=%d status=%d " ..
    "s2xx=%d s3xx=%d s4xx=%d s5xx=%d login=%d\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    errors.connect, errors.read, errors.write, errors.timeout, errors.status,
    counts.s2xx, counts.s3xx, counts.s4xx, counts.s5xx, counts.login))
end
