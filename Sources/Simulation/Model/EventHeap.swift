/// A binary min-heap of (time, replica, version) events. A replica that changes state pushes
/// a new event with a new version; stale events are skipped when popped.
struct EventHeap {
    struct Event {
        var time: Double
        var replica: Int
        var version: Int
    }

    private var items: [Event] = []

    var isEmpty: Bool { items.isEmpty }
    var first: Event? { items.first }

    mutating func push(_ e: Event) {
        items.append(e)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].time < items[parent].time else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Event? {
        guard !items.isEmpty else { return nil }
        let top = items[0]
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && items[l].time < items[m].time { m = l }
                if r < items.count && items[r].time < items[m].time { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return top
    }
}
