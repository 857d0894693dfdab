#!/usr/bin/python3
"""make bench-cluster: read throughput through 1, 2 and 3 app hosts.

Brings up tests/cluster.sh in var/bench-cluster (3 backroomd hosts in
network namespaces, a MariaDB primary and 2 replicas) with each host's
CPU capped (HOST_CPU percent of one core, cgroup v1 cpu quota), so that
the app tier, not the machine's 2 cores, is the limit.  Seeds products as
make bench does, then for 1, 2 and 3 hosts in nginx's upstream runs
api_read and page_list with wrk (bench.py's workloads; median of the
rounds), and measures how far the replicas trail the primary under the
api_write workload: the time until a replica has applied the primary's
newest GTID (MASTER_GTID_WAIT), sampled while the writes run.

  bench_cluster.py [--rounds N] [--seconds S] [--products N] [--cpu PCT]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

ROOT = bench.ROOT
PREFIX = os.path.join(ROOT, "var/bench-cluster")
HTTPS_PORT = 9843
HOSTS = 3
REPLICAS = 2
WORKERS = 4


def cluster_env(cpu):
    return dict(os.environ, HTTPS_PORT=str(HTTPS_PORT), HTTP_PORT="9480",
                DB_PORT=str(HTTPS_PORT + 1), WORKERS=str(WORKERS),
                HOSTS=str(HOSTS), REPLICAS=str(REPLICAS), HOST_CPU=str(cpu),
                BACKROOMD="build/backroomd",
                BACKROOMD_EXTRA="max_requests = 0\nslow_request_ms = 10000\n"
                "login_addr_max_failures = 100000\n"
                "queue_deadline_ms = 10000\n",
                LOGIN_RATE="60000r/m", LOGIN_BURST="5000",
                MYSQL_BUFFER_POOL="1G")


def cluster(cmd, env, **kw):
    return bench.sh("sh", "tests/cluster.sh", cmd, PREFIX, env=env,
                    stdout=subprocess.DEVNULL, **kw)


def replica_sql(n, stmt):
    return bench.sh("mariadb", "-S", os.path.join(PREFIX, "replica%d" % n,
                                                  "r.sock"),
                    "-u", "root", "-N", "-B", "-e", stmt,
                    capture_output=True, text=True).stdout.strip()


def catch_up(timeout=600):
    pos = bench.sql("SELECT @@gtid_binlog_pos")
    for n in range(1, REPLICAS + 1):
        t0 = time.monotonic()
        got = replica_sql(n, "SELECT MASTER_GTID_WAIT('%s', %d)" %
                          (pos, timeout))
        if got != "0":
            raise RuntimeError("replica %d did not catch up" % n)
        print("  replica %d caught up in %.1f s" % (n, time.monotonic() - t0),
              flush=True)


class LagProbe(threading.Thread):
    """Every 0.2 s: the primary's newest GTID, and how long each replica
    takes to have applied it (ms)."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.samples = []

    def run(self):
        while not self.stop.is_set():
            pos = bench.sql("SELECT @@gtid_binlog_pos")
            t0 = time.monotonic()
            for n in range(1, REPLICAS + 1):
                replica_sql(n, "SELECT MASTER_GTID_WAIT('%s', 10)" % pos)
            self.samples.append((time.monotonic() - t0) * 1000 / REPLICAS)
            time.sleep(0.2)


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))] if v else 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--products", type=int, default=50000)
    ap.add_argument("--cpu", type=int, default=20,
                    help="each app host's CPU share, percent of one core")
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    bench.PREFIX = PREFIX
    bench.HTTPS_PORT = HTTPS_PORT
    bench.BASE = "https://127.0.0.1:%d" % HTTPS_PORT
    bench.CERT = os.path.join(PREFIX, "tls/cert.pem")
    bench.CONF = os.path.join(PREFIX, "backroomd.conf")
    env = cluster_env(a.cpu)
    os.makedirs(PREFIX, exist_ok=True)
    cluster("start", env)
    try:
        bench.seed(a.products)
        catch_up()
        creds, wids = bench.setup_ids()
        rows = []
        for n in range(1, HOSTS + 1):
            cluster("point", dict(env, UPSTREAM=" ".join(
                str(i) for i in range(1, n + 1))))
            time.sleep(1)
            for name in ("api_read", "page_list"):
                bench.run_workload(name, 2, creds, a.products, wids)  # warm
                runs = [bench.run_workload(name, a.seconds, creds,
                                           a.products, wids)
                        for _ in range(a.rounds)]
                r = {"hosts": n, "workload": name,
                     "rps": statistics.median(x["rps"] for x in runs),
                     "p99_ms": statistics.median(x["p99_ms"] for x in runs),
                     "errors": sum(x["errors"] + x["non_2xx_3xx"]
                                   for x in runs),
                     "cpu_pct": runs[-1]["cpu_pct"]}
                rows.append(r)
                print("  %d host%s %-10s %8.0f req/s  p99 %6.2f ms  "
                      "errors %d  cpu %s" % (n, "s" if n > 1 else " ", name,
                                            r["rps"], r["p99_ms"],
                                            r["errors"], r["cpu_pct"]),
                      flush=True)
        # Replica lag under writes, through all hosts.
        probe = LagProbe()
        probe.start()
        w = bench.run_workload("api_write", a.seconds, creds, a.products,
                               wids)
        probe.stop.set()
        probe.join()
        lag = {"writes_per_s": w["rps"], "samples": len(probe.samples),
               "p50_ms": round(pct(probe.samples, 50), 1),
               "p99_ms": round(pct(probe.samples, 99), 1),
               "max_ms": round(max(probe.samples or [0]), 1)}
        print("  replica lag under api_write (%.0f writes/s): p50 %.1f ms  "
              "p99 %.1f ms  max %.1f ms  (%d samples)" % (
                  w["rps"], lag["p50_ms"], lag["p99_ms"], lag["max_ms"],
                  lag["samples"]), flush=True)
        print()
        print("| workload | 1 host | 2 hosts | 3 hosts | 2/1 | 3/1 |")
        print("|---|---:|---:|---:|---:|---:|")
        ok = True
        for name in ("api_read", "page_list"):
            v = {r["hosts"]: r["rps"] for r in rows if r["workload"] == name}
            print("| %s | %.0f | %.0f | %.0f | %.2f | %.2f |" % (
                name, v[1], v[2], v[3], v[2] / v[1], v[3] / v[1]))
            ok = ok and v[2] / v[1] >= 1.8
        result = {"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "host_cpu_pct": a.cpu, "workers_per_host": WORKERS,
                  "products": a.products, "rounds": a.rounds,
                  "seconds": a.seconds, "runs": rows, "replica_lag": lag}
        with open(os.path.join(PREFIX, "results.json"), "w") as f:
            json.dump(result, f, indent=2)
        print("results: var/bench-cluster/results.json")
        errors = sum(r["errors"] for r in rows) + w["errors"]
        if errors:
            print("bench-cluster: %d errors or non-2xx answers" % errors)
            return 1
        print("bench-cluster: 1 -> 2 hosts %s 1.8x" % ("reaches" if ok else
                                                       "does NOT reach"))
        return 0 if ok else 1
    finally:
        if not a.keep:
            cluster("stop", env, check=False)


if __name__ == "__main__":
    sys.exit(main())
