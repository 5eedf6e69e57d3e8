/// Every metric inferscale exports about itself, in one place: `Telemetry` records them,
/// docs/metrics.md lists them, and a test checks that the Grafana dashboards and alert rules
/// use only these names.
public enum MetricCatalog {
    /// One exported metric.
    public struct Entry: Sendable, Equatable {
        /// The name as exported (counters end in `_total`; timers are histograms in seconds).
        public var name: String
        /// counter, gauge or summary.
        public var type: String
        /// Label names besides the target's.
        public var labels: [String]
        public var help: String
    }

    public static let entries: [Entry] = [
        .init(name: "inferscale_desired_replicas", type: "gauge", labels: ["target"], help: "Replicas the policy wants (after guards and bounds; -1 before the first decision)."),
        .init(name: "inferscale_actual_replicas", type: "gauge", labels: ["target"], help: "Replicas requested on the target's scale subresource."),
        .init(name: "inferscale_ready_replicas", type: "gauge", labels: ["target"], help: "Ready pods of the target."),
        .init(name: "inferscale_panic_mode", type: "gauge", labels: ["target"], help: "1 while the target's decider is in panic mode."),
        .init(name: "inferscale_excess_burst_capacity", type: "gauge", labels: ["target"], help: "Spare capacity in requests beyond the target burst capacity; negative keeps the activator in the path."),
        .init(name: "inferscale_metric_stable_value", type: "gauge", labels: ["target", "metric"], help: "Stable-window average of a policy metric (revision total, or pod mean for utilisations)."),
        .init(name: "inferscale_metric_panic_value", type: "gauge", labels: ["target", "metric"], help: "Panic-window average of a policy metric."),
        .init(name: "inferscale_metric_target_value", type: "gauge", labels: ["target", "metric"], help: "Per-pod target of a policy metric."),
        .init(name: "inferscale_target_gpu_memory_used_ratio", type: "gauge", labels: ["target", "stat"], help: "GPU memory use (0–1) of the target's ready pods from the GPU agent or dcgm-exporter: stat=max is the highest GPU's (the gpu-memory-utilization signal), stat=mean the mean over their GPUs; set with each decision while readings are fresh."),
        .init(name: "inferscale_gpu_exporters", type: "gauge", labels: ["kind"], help: "Node GPU exporters found and scraped each round, by kind (agent, dcgm-exporter)."),
        .init(name: "inferscale_gpu_exporter_scrape_failures_total", type: "counter", labels: ["kind", "reason"], help: "Scrapes of a node GPU exporter that failed, by kind and reason; that node's pods have no GPU reading (missing, never zero) until it answers."),
        .init(name: "inferscale_decisions_total", type: "counter", labels: ["target", "reason"], help: "Decisions by the last step that shaped them (stable, panic, rate-limit, guard:…, bounds, no-data)."),
        .init(name: "inferscale_scale_patches_total", type: "counter", labels: ["target", "outcome"], help: "Scale changes by outcome: success, error, follower (not leader), dry-run, paused."),
        .init(name: "inferscale_replica_conflicts_total", type: "counter", labels: ["target"], help: "Changes of a target's replicas that inferscale did not make (another writer); repeated ones make it leave the target alone."),
        .init(name: "inferscale_target_control", type: "gauge", labels: ["target", "state"], help: "1 for the target's current state: owned, paused (inferscale.dev/paused) or skipped (not handed to inferscale; /debug/targets says why)."),
        .init(name: "inferscale_scrape_duration_seconds", type: "histogram", labels: ["target"], help: "Seconds one scrape of a target's pods took."),
        .init(name: "inferscale_scrape_failures_total", type: "counter", labels: ["target", "reason"], help: "Pod scrapes that failed, by reason (timeout, queue-timeout, connect, status, too-large, too-many-samples, malformed, discovery)."),
        .init(name: "inferscale_scrapes_skipped_total", type: "counter", labels: ["target"], help: "Scrape rounds that skipped a target because its previous scrape was still in flight (that second is no data, not zero)."),
        .init(name: "inferscale_scrape_round_duration_seconds", type: "histogram", labels: [], help: "Seconds from the start of a scrape round until its last target's scrape ended."),
        .init(name: "inferscale_scrape_round_answered_seconds", type: "histogram", labels: [], help: "Seconds from the start of a scrape round until the last target whose pods all answered was recorded (the wait of healthy targets; failing pods left out)."),
        .init(name: "inferscale_scrape_round_overruns_total", type: "counter", labels: [], help: "Scrape rounds that started while an earlier round still had scrapes in flight."),
        .init(name: "inferscale_tick_duration_seconds", type: "histogram", labels: [], help: "Seconds one decide tick over all targets took (scraping is timed apart)."),
        .init(name: "inferscale_tick_overruns_total", type: "counter", labels: [], help: "Scrape rounds or decide ticks that could not start on time because the loop's previous pass ran past them; they are skipped, not caught up."),
        .init(name: "inferscale_rule_reloads_total", type: "counter", labels: ["outcome"], help: "Rule reloads: applied or rejected (the last good rules stay)."),
        .init(name: "inferscale_push_rejected_total", type: "counter", labels: ["endpoint", "reason"], help: "Pushed load refused, by endpoint (push, activator) and reason (missing-token, wrong-token, no-token-configured, rate-limited, over-ceiling, invalid)."),
        .init(name: "inferscale_leader", type: "gauge", labels: [], help: "1 while this instance holds the leader lease."),
        .init(name: "inferscale_shards_held", type: "gauge", labels: [], help: "Shards this instance holds (--shards above 1); summed over instances, the shard count."),
        .init(name: "inferscale_shards", type: "gauge", labels: [], help: "The shard count this instance runs with (--shards, when above 1)."),
        .init(name: "inferscale_remote_write_queue_length", type: "gauge", labels: [], help: "Samples waiting in the remote-write queue."),
        .init(name: "inferscale_remote_write_samples_sent_total", type: "counter", labels: [], help: "Samples the remote-write receiver accepted."),
        .init(name: "inferscale_remote_write_samples_retried_total", type: "counter", labels: [], help: "Samples sent again after a retryable failure."),
        .init(name: "inferscale_remote_write_samples_failed_total", type: "counter", labels: [], help: "Samples the receiver refused for good (4xx other than 429)."),
        .init(name: "inferscale_remote_write_samples_dropped_total", type: "counter", labels: [], help: "Samples dropped because the queue was full."),
    ]

    /// Names a query may use: the entries plus the series summaries and histograms add.
    public static var exportedSeriesNames: Set<String> {
        var names: Set<String> = []
        for e in entries {
            names.insert(e.name)
            if e.type == "summary" || e.type == "histogram" {
                names.formUnion([e.name + "_sum", e.name + "_count", e.name + "_bucket"])
            }
        }
        return names
    }
}
