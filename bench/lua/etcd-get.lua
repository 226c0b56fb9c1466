-- etcd v3 JSON gateway: POST /v3/kv/range {"key": base64("bench/key-N")}, the equivalent of a KV GET.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local headers = { ["Content-Type"] = "application/json" }
local bodies = {}
for i = 0, bench.keys - 1 do
  bodies[i] = '{"key":"' .. bench.base64("bench/key-" .. i) .. '"}'
end
request = function()
  return wrk.format("POST", "/v3/kv/range", headers, bodies[bench.next_index()])
end
