/// The fields of the sample line being parsed, as interned ids; reused from line to line.
struct ParsedLine {
    var nameID: Int32 = -1
    /// Alternating label name and value ids.
    var labels: [Int32] = []
    var value = 0.0
    var timestamp: Double?
    var hasExemplar = false
    var exemplarLabels: [Int32] = []
    var exemplarValue = 0.0
    var exemplarTimestamp: Double?
    var line = 0
    var lineStart = 0

    @inline(__always) var labelCount: Int { labels.count >> 1 }

    /// The value id of the label whose name id is `nameID`.
    @inline(__always) func labelValue(_ nameID: Int32) -> Int32? {
        var index = 0
        while index < labels.count {
            if labels[index] == nameID { return labels[index + 1] }
            index += 2
        }
        return nil
    }
}
