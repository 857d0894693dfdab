-- GET /api/v1/products/{random id} with a bearer token.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA") .. "/?.lua"
local c = require("common")
local hdr = { ["Authorization"] = "Bearer " .. c.token }
request = function()
	local id = math.random(c.min_id, c.min_id + c.products - 1)
	return wrk.format("GET", "/api/v1/products/" .. id, hdr)
end
