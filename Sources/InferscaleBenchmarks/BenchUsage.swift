/// What `inferscale-bench --help` prints, and the names `--only` accepts. Without `--only` every
/// benchmark but the on-request ones runs (`make bench`).
enum BenchUsage {
    /// Run by `make bench` (no `--only`).
    static let everyRun = ["decider", "exposition", "pod-matching", "remote-write", "scrape", "reaction", "cold-start",
                           "simulation", "tune", "calibration"]
    /// Run only when named: they bind thousands of loopback addresses, bootstrap the process's metrics or take minutes.
    static let onRequest = ["fleet", "loop-tick", "scrape-cpu", "soak"]

    static let text = """
    USAGE: inferscale-bench [--only NAME] [--quick] [options of that benchmark]

    Release-build benchmarks; each prints its figures with a baseline measured in the same run.
    Without --only: \(everyRun.joined(separator: ", ")).
    Only by name:   \(onRequest.joined(separator: ", ")).

    OPTIONS
      --only NAME          run one benchmark
      --quick              shorter real-time runs (scrape, reaction, cold-start, fleet, simulation)
      fleet                --fleet-targets N (1000) --scrape-interval S (1) --steps S (12)
                           --hostile-targets K (K whole targets hostile instead of 1 % of the pods)
                           --processes P [--shards S (2P)] [--warm-up SECONDS] [--sharded-only]
                           (inferscale as `inferscale run` processes; the release binary beside this one)
      loop-tick            --loop-targets 1000,10000
      scrape-cpu           --pods N (2000) --rounds R (10) --client lean|ahc (both, back to back)
      soak                 --seconds N --seed S --faults-per-class K
      -h, --help           show this help

    docs/architecture.md lists what each measures and its goal.
    """
}
