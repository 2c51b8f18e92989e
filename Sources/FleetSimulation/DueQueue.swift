/// A min-heap of (due time, node index): which simulated node's next pass is due first.
struct DueQueue: Sendable {
    private var items: [(due: Double, node: Int32)] = []

    /// Entries waiting.
    var count: Int { items.count }

    /// The earliest due time, if any.
    var nextDue: Double? { items.first?.due }

    /// Adds node `node` due at `due`.
    mutating func insert(_ node: Int, due: Double) {
        items.append((due, Int32(node)))
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].due < items[parent].due else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Removes and returns the nodes due at or before `now`.
    mutating func popDue(_ now: Double) -> [Int] {
        var due: [Int] = []
        while let first = items.first, first.due <= now {
            due.append(Int(first.node))
            let last = items.removeLast()
            guard !items.isEmpty else { break }
            items[0] = last
            var parent = 0
            while true {
                let left = 2 * parent + 1
                let right = left + 1
                var smallest = parent
                if left < items.count && items[left].due < items[smallest].due { smallest = left }
                if right < items.count && items[right].due < items[smallest].due { smallest = right }
                guard smallest != parent else { break }
                items.swapAt(parent, smallest)
                parent = smallest
            }
        }
        return due
    }
}
