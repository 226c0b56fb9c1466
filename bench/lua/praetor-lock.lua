-- Lock round trips on Praetor (Consul's KV lock API), for bench/locks.sh. Run wrk with as many
-- threads as connections (-tN -cN): each thread then drives one connection, in order, with its
-- own session and key, alternating
--   PUT /v1/kv/<key>?acquire=<session>   until it answers `true`, then
--   PUT /v1/kv/<key>?release=<session>   until it answers `true`.
-- A round trip is counted only when a release answers `true` after an acquire that answered
-- `true`; every other answer is counted apart (false, or not 200).
-- Environment: BENCH_SESSIONS (session IDs, space-separated: thread i takes the i-th, modulo),
-- BENCH_LOCK_KEYS (how many keys: thread i takes bench/lock-(i mod that); 1 = every thread
-- contends for one key), BENCH_LOCK_PREFIX (bench/lock-).
local sessions = {}
for id in string.gmatch(os.getenv("BENCH_SESSIONS") or "", "%S+") do
  sessions[#sessions + 1] = id
end
local key_count = tonumber(os.getenv("BENCH_LOCK_KEYS") or "0")
local prefix = os.getenv("BENCH_LOCK_PREFIX") or "bench/lock-"

local threads = {}
function setup(thread)
  local i = #threads
  thread:set("session", sessions[(i % #sessions) + 1])
  thread:set("key", prefix .. ((key_count > 0) and (i % key_count) or i))
  threads[#threads + 1] = thread
end

-- Per thread (one connection each).
holding = false
acquired = 0        -- acquires answered `true`
acquire_false = 0   -- acquires answered `false` (another session holds the key)
released = 0        -- releases answered `true`: the round trips
release_false = 0
bad = 0             -- any answer but 200

function init(args)
  acquire_path = "/v1/kv/" .. key .. "?acquire=" .. session
  release_path = "/v1/kv/" .. key .. "?release=" .. session
end

function request()
  if holding then
    return wrk.format("PUT", release_path, nil, "")
  end
  return wrk.format("PUT", acquire_path, nil, "x")
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    return
  end
  local yes = string.sub(body, 1, 4) == "true"
  if holding then
    if yes then released = released + 1; holding = false else release_false = release_false + 1 end
  else
    if yes then acquired = acquired + 1; holding = true else acquire_false = acquire_false + 1 end
  end
end

-- One machine-readable line for bench/locks.sh: round trips/s (releases answered `true` after an
-- acquire answered `true`), wrk's latency percentiles of single requests (acquire or release),
-- and the answer counts summed over the threads.
function done(summary, latency, requests)
  local sums = { acquired = 0, acquire_false = 0, released = 0, release_false = 0, bad = 0 }
  for _, t in ipairs(threads) do
    for name, _ in pairs(sums) do
      sums[name] = sums[name] + (t:get(name) or 0)
    end
  end
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format(
    "RESULT rtps=%.1f rps=%.1f p50_us=%d p99_us=%d requests=%d errors=%d acquired=%d acquire_false=%d released=%d release_false=%d bad=%d\n",
    sums.released / (summary.duration / 1e6), summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99), summary.requests, errors,
    sums.acquired, sums.acquire_false, sums.released, sums.release_false, sums.bad))
end
