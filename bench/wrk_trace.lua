-- wrk script for bench/trace.py: GET the paths listed in a file, in turn, with a bearer token.
-- wrk -t1 -c2 -d8s -s bench/wrk_trace.lua http://127.0.0.1:PORT -- PATHS_FILE TOKEN
local paths, token, i = {}, "", 0

function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  token = args[2]
  i = math.random(#paths)
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Authorization"] = "Bearer " .. token,
                                      ["Accept"] = "application/json"})
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "errors": %d, "rps": %.1f, "p50_ms": %.2f, "p99_ms": %.2f, "mean_ms": %.2f}\n',
    summary.requests, e.connect + e.read + e.write + e.status + e.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.mean / 1000))
end
