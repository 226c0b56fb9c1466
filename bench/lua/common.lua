-- Shared by the bench/lua/*.lua wrk scripts (loaded with dofile; BENCH_LUA_DIR names this folder).
-- Environment: BENCH_KEYS (key count, default 1000), BENCH_VALUE_SIZE (bytes, default 100),
-- BENCH_DELAY_MS (see below).
bench = {}
bench.keys = tonumber(os.getenv("BENCH_KEYS") or "1000")
bench.value = string.rep("v", tonumber(os.getenv("BENCH_VALUE_SIZE") or "100"))

-- Keys are bench/key-0 .. bench/key-(keys-1), visited in order (each wrk thread from its own
-- offset) so that consecutive requests touch different keys and a short run covers them all.
local thread_count = 0
function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end
local counter = nil
function bench.next_index()
  if counter == nil then
    counter = (thread_index or 0) * 7919
  end
  local i = counter % bench.keys
  counter = counter + 1
  return i
end

-- BENCH_DELAY_MS (unset: none): each connection waits that long before each request, a light,
-- paced load instead of a closed loop at full speed (bench/raft.sh's load during a failover).
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
if delay_ms > 0 then
  function delay()
    return delay_ms
  end
end

-- etcd's JSON gateway takes keys and values as base64 (protobuf bytes fields).
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
function bench.base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = math.floor(n / 262144) % 64
    local c2 = math.floor(n / 4096) % 64
    local c3 = math.floor(n / 64) % 64
    local c4 = n % 64
    out[#out + 1] = alphabet:sub(c1 + 1, c1 + 1) .. alphabet:sub(c2 + 1, c2 + 1)
      .. (b and alphabet:sub(c3 + 1, c3 + 1) or "=") .. (c and alphabet:sub(c4 + 1, c4 + 1) or "=")
  end
  return table.concat(out)
end

-- One machine-readable line for run.sh: requests/s, p50 and p99 in microseconds, error count.
function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("RESULT rps=%.1f p50_us=%d p99_us=%d requests=%d errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.requests, errors))
end
