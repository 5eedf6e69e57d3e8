/// Which part of its family a sample name is: the suffix after the family name.
enum SampleKind: UInt8, Sendable {
    case plain, total, created, bucket, sum, count, gsum, gcount, info

    var suffix: String {
        switch self {
        case .plain: ""
        case .total: "_total"
        case .created: "_created"
        case .bucket: "_bucket"
        case .sum: "_sum"
        case .count: "_count"
        case .gsum: "_gsum"
        case .gcount: "_gcount"
        case .info: "_info"
        }
    }

    /// The sample names a family of `type` may use, per format.
    static func kinds(for type: MetricType, format: ExpositionFormat) -> [SampleKind] {
        switch (format, type) {
        case (.openMetrics, .counter): [.total, .created]
        case (.openMetrics, .info): [.info]
        case (.openMetrics, .histogram): [.bucket, .sum, .count, .created]
        case (.openMetrics, .gaugeHistogram): [.bucket, .gsum, .gcount]
        case (.openMetrics, .summary): [.plain, .sum, .count, .created]
        case (.prometheusText, .histogram), (.prometheusText, .gaugeHistogram): [.bucket, .sum, .count]
        case (.prometheusText, .summary): [.plain, .sum, .count]
        default: [.plain]
        }
    }
}
