-- POST /api/v1/movements: a one-unit receipt of a random product with a
-- fresh Idempotency-Key: one durable transaction.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA") .. "/?.lua"
local c = require("common")
local n = 0
request = function()
	n = n + 1
	local id = math.random(c.min_id, c.min_id + c.products - 1)
	local body = '{"kind":"receipt","product_id":' .. id ..
	    ',"warehouse_id":' .. c.warehouse .. ',"qty":1,"reference":"bench"}'
	return wrk.format("POST", "/api/v1/movements", {
		["Authorization"] = "Bearer " .. c.token,
		["Content-Type"] = "application/json",
		["Idempotency-Key"] = "bench-" .. c.nonce .. "-" .. n,
	}, body)
end
