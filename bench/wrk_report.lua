-- wrk script for bench/agenda.py: one parseable result line, status counts, client addresses.
--
-- Script argument "many" gives every request its own X-Forwarded-For address (many anonymous
-- clients, as in production); "one" sends them all from 127.0.0.1.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  table.insert(threads, thread)
end

function init(args)
  ok, not_modified, other = 0, 0, 0
  many_clients = args[1] ~= "one"
  counter = 0
  static_request = wrk.format()
end

function request()
  if not many_clients then
    return static_request
  end
  counter = counter + 1
  wrk.headers["X-Forwarded-For"] = string.format(
    "10.%d.%d.%d", tid, math.floor(counter / 256) % 256, counter % 256
  )
  return wrk.format()
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  elseif status == 304 then
    not_modified = not_modified + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local counts = { ok = 0, not_modified = 0, other = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do
      counts[name] = counts[name] + (thread:get(name) or 0)
    end
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "GREENROOM_WRK requests=%d seconds=%.3f rps=%.2f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f"
      .. " status_200=%d status_304=%d status_other=%d errors_connect=%d errors_read=%d"
      .. " errors_write=%d errors_timeout=%d bytes=%d\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    counts.ok, counts.not_modified, counts.other,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.bytes
  ))
end
