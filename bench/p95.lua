-- wrk prints the 50th, 75th, 90th and 99th percentiles; bench/run.py also reads the 95th from this line
done = function(summary, latency, requests)
  io.write(string.format("P95_US %d\n", latency:percentile(95.0)))
end
