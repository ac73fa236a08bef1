-- For benchmarks/run.sh: at the end of a wrk run, one line it can parse.
-- Latencies are in microseconds, the duration too.
done = function(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("wrk-report requests=%d duration_us=%d errors_connect=%d" ..
		" errors_read=%d errors_write=%d errors_status=%d errors_timeout=%d" ..
		" p50_us=%d p90_us=%d p99_us=%d max_us=%d\n",
		summary.requests, summary.duration, e.connect, e.read, e.write, e.status,
		e.timeout, latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max))
end
