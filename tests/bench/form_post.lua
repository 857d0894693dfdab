-- POST /stock/movements: a stock adjustment form with the session cookie,
-- the CSRF token and a fresh one-time form token; answered with a 303.
package.path = package.path .. ";" .. os.getenv("BENCH_LUA") .. "/?.lua"
local c = require("common")
local n = 0
request = function()
	n = n + 1
	local seq = math.random(1, c.products)
	local token = string.format("%s%048x", c.nonce, n)
	local body = "csrf=" .. c.csrf .. "&form_token=" .. token ..
	    "&kind=adjustment&sku=BENCH-" .. string.format("%07d", seq) ..
	    "&warehouse_id=" .. c.warehouse .. "&qty=1&note=bench+count"
	return wrk.format("POST", "/stock/movements", {
		["Cookie"] = c.cookie,
		["Content-Type"] = "application/x-www-form-urlencoded",
	}, body)
end
