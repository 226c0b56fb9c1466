-- etcd v3 JSON gateway: POST /v3/kv/put {"key","value"} (base64), the equivalent of a KV PUT.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local headers = { ["Content-Type"] = "application/json" }
local value = bench.base64(bench.value)
local bodies = {}
for i = 0, bench.keys - 1 do
  bodies[i] = '{"key":"' .. bench.base64("bench/key-" .. i) .. '","value":"' .. value .. '"}'
end
request = function()
  return wrk.format("POST", "/v3/kv/put", headers, bodies[bench.next_index()])
end
