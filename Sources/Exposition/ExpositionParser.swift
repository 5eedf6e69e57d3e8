/// Parses Prometheus text 0.0.4 and OpenMetrics 1.0 text bodies.
///
/// Keep one parser per scrape target and reuse it: label names and values seen before are interned, so
/// a steady-state scrape decodes no strings and allocates only the per-family result arrays.
///
/// ```swift
/// var parser = ExpositionParser(format: ExpositionFormat(contentType: header) ?? .prometheusText)
/// let metrics = try parser.parse(body)
/// let waiting = metrics[family: "vllm:num_requests_waiting"]?.samples.first?.value
/// ```
public struct ExpositionParser: Sendable {
    /// Bounds that keep a hostile body from costing unbounded memory.
    public struct Limits: Sendable, Hashable {
        /// The most sample lines one body may have.
        public var maxSamples: Int = 1_000_000
        /// The most labels one sample may have.
        public var maxLabelsPerSample: Int = 128
        /// Interned strings kept between parses; past this the table is cleared before the next parse.
        public var maxRetainedStrings: Int = 200_000

        /// The defaults: one million samples, 128 labels per sample, 200,000 retained strings.
        public init() {}
    }

    /// Which grammar and rules apply.
    public var format: ExpositionFormat
    /// The bounds enforced on each body.
    public var limits: Limits

    var interner = StringInterner()
    var leID: Int32 = -1
    var quantileID: Int32 = -1
    var line = ParsedLine()
    var unescapeBuffer: [UInt8] = []
    var families: [FamilyRecord] = []
    /// What parses work out about each family name and the next ones reuse, by name id (`FamilyNameFacts`); its ids
    /// are the interner's, so it is cleared with it.
    var nameFacts: [FamilyNameFacts] = []
    /// The names of the filter `nameFacts` says `kept` for, and the count of filter changes, which dates those answers.
    var factsFilter: Set<String>?
    var filterGeneration = 0
    var familyIndex: [Int32: Int] = [:]
    var current = -1
    var checker = OpenMetricsChecker()
    var sampleCount = 0
    /// The families the parse in progress keeps, or nil for all; the others' help text is checked, not built, and
    /// their sample lines are skipped by name.
    var keeping: FamilyFilter?

    /// A parser for one format.
    public init(format: ExpositionFormat, limits: Limits = Limits()) {
        self.format = format
        self.limits = limits
        seedInterner()
    }

    /// Parses a whole body into families. Throws at the first problem; nothing is returned from a body
    /// with an error.
    public mutating func parse(_ bytes: [UInt8]) throws(ExpositionError) -> ParsedExposition {
        var collector = FamilyCollector()
        // `withUnsafeBytes` is untyped-rethrowing, so the typed error travels out as a `Result`.
        let outcome: Result<Void, ExpositionError> = bytes.withUnsafeBytes { buffer in
            do throws(ExpositionError) { try parse(buffer, sink: &collector); return .success(()) } catch { return .failure(error) }
        }
        try outcome.get()
        return collector.finish()
    }

    /// Parses a whole body into families. Throws at the first problem.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer) throws(ExpositionError) -> ParsedExposition {
        var collector = FamilyCollector()
        try parse(buffer, sink: &collector)
        return collector.finish()
    }

    /// Parses a whole body into the families `filter` keeps: exactly what a full parse gives for them. The other
    /// families are not built (no samples, no help text): their metadata lines are checked as in a full parse,
    /// and each of their sample lines is read only up to its metric name, which files it under its family as a
    /// full parse would, then skipped to the next line. So this throws where ``parse(_:)-([UInt8])`` throws,
    /// except for an error inside the labels, value or timestamp of a sample of a family not kept.
    public mutating func parse(_ bytes: [UInt8], keeping filter: FamilyFilter) throws(ExpositionError) -> ParsedExposition {
        let outcome: Result<ParsedExposition, ExpositionError> = bytes.withUnsafeBytes { buffer in
            do throws(ExpositionError) { return .success(try parse(buffer, keeping: filter)) } catch { return .failure(error) }
        }
        return try outcome.get()
    }

    /// Parses a whole body into the families `filter` keeps (see ``parse(_:keeping:)-([UInt8],_)``).
    public mutating func parse(_ buffer: UnsafeRawBufferPointer, keeping filter: FamilyFilter) throws(ExpositionError) -> ParsedExposition {
        var collector = FamilyCollector()
        // The scraper passes the same few filters again and again; equal sets that share storage compare at once.
        if factsFilter != filter.names {
            factsFilter = filter.names
            filterGeneration += 1
        }
        keeping = filter
        defer { keeping = nil }
        try parse(buffer, sink: &collector)
        return collector.finish()
    }

    /// Parses a UTF-8 string (convenient in tests and tools).
    public mutating func parse(_ text: String) throws(ExpositionError) -> ParsedExposition {
        try parse(Array(text.utf8))
    }

    /// Parses a body, handing families and samples to `visitor` as they are read. If this throws, the
    /// visitor has seen part of an invalid body and must discard what it gathered.
    public mutating func parse<Visitor: ExpositionVisitor>(
        _ buffer: UnsafeRawBufferPointer, into visitor: inout Visitor
    ) throws(ExpositionError) {
        var sink = VisitorSink(visitor: visitor)
        defer { visitor = sink.visitor }
        try parse(buffer, sink: &sink)
    }

    /// The same as the public visitor entry, for the internal sinks that read interned ids directly.
    mutating func parse<Sink: SampleSink>(_ buffer: UnsafeRawBufferPointer, sink: inout Sink) throws(ExpositionError) {
        reset()
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), buffer.count > 0 else {
            if format == .openMetrics {
                throw ExpositionError(.endOfFile, "the body is empty; OpenMetrics requires a final \"# EOF\" line", line: 1, column: 1)
            }
            return
        }
        var cursor = Cursor(base: base, count: buffer.count)
        try parseBody(&cursor, into: &sink)
    }

    private mutating func seedInterner() {
        interner.removeAll()
        // Everything that caches interned ids must forget them with the table.
        line = ParsedLine()
        checker = OpenMetricsChecker()
        nameFacts.removeAll()
        leID = interner.intern("le")
        quantileID = interner.intern("quantile")
    }

    private mutating func reset() {
        if interner.count > limits.maxRetainedStrings { seedInterner() }
        families.removeAll(keepingCapacity: true)
        familyIndex.removeAll(keepingCapacity: true)
        current = -1
        sampleCount = 0
    }
}
