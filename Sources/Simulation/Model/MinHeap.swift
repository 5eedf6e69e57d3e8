/// A binary min-heap of values ordered by a `Double` key (a time, or a decode progress). Keys
/// and values are kept in separate arrays so sifting compares contiguous doubles.
struct MinHeap<Value> {
    private var keys: [Double] = []
    private var values: [Value] = []

    var count: Int { keys.count }
    var isEmpty: Bool { keys.isEmpty }
    /// The smallest key and its value.
    var first: (key: Double, value: Value)? { keys.isEmpty ? nil : (keys[0], values[0]) }
    var minKey: Double? { keys.first }

    mutating func push(_ key: Double, _ value: Value) {
        keys.append(key)
        values.append(value)
        var i = keys.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard keys[i] < keys[parent] else { break }
            keys.swapAt(i, parent)
            values.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the smallest key and its value; the heap must not be empty.
    @discardableResult
    mutating func pop() -> (key: Double, value: Value) {
        let top = (keys[0], values[0])
        let lastKey = keys.removeLast(), lastValue = values.removeLast()
        if !keys.isEmpty {
            keys[0] = lastKey
            values[0] = lastValue
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < keys.count && keys[l] < keys[m] { m = l }
                if r < keys.count && keys[r] < keys[m] { m = r }
                if m == i { break }
                keys.swapAt(i, m)
                values.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}

extension MinHeap: Sendable where Value: Sendable {}
