-- GET /api/v1/products/{id} with If-None-Match: its current tag -> 304.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA") .. "/?.lua"
local c = require("common")
local hdr = { ["Authorization"] = "Bearer " .. c.token,
	["If-None-Match"] = os.getenv("BENCH_ETAG") }
request = function()
	return wrk.format("GET", "/api/v1/products/" .. c.min_id, hdr)
end
