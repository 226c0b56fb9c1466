-- etcd v3 JSON gateway: POST /v3/kv/range {"key": base64("bench/key-N")}, the equivalent of a KV GET.
-- By default a linearizable read (etcd's default: a ReadIndex round through the leader);
-- BENCH_ETCD_SERIALIZABLE=1 adds "serializable": true, served from the member's own store
-- without a Raft round (bench/raft.sh's stale reads).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local headers = { ["Content-Type"] = "application/json" }
local extra = (os.getenv("BENCH_ETCD_SERIALIZABLE") == "1") and ',"serializable":true' or ""
local bodies = {}
for i = 0, bench.keys - 1 do
  bodies[i] = '{"key":"' .. bench.base64("bench/key-" .. i) .. '"' .. extra .. '}'
end
request = function()
  return wrk.format("POST", "/v3/kv/range", headers, bodies[bench.next_index()])
end
