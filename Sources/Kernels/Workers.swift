import Dispatch

/// A fixed number of workers that share a loop of independent items.
///
/// Determinism rule of every kernel in this module: an item's result never depends on which worker runs it or on how
/// many workers there are. Items write disjoint outputs, and any reduction across items is done afterwards, in item order,
/// by one thread. So `Workers(1)` and `Workers(8)` give bitwise-identical results; only the wall time changes.
public struct Workers: Sendable, Equatable {
    /// How many items may run at the same time (≥ 1).
    public let count: Int

    public init(_ count: Int) {
        precondition(count >= 1, "Workers needs at least one worker, got \(count)")
        self.count = count
    }

    /// One worker: everything runs on the calling thread.
    public static let serial = Workers(1)

    /// Runs `body(item, worker)` for every item in `0..<items`; `worker` in `0..<count` identifies scratch space that no
    /// other concurrently running item uses. Items are dealt round-robin; returns when all have finished.
    public func forEach(_ items: Int, _ body: (_ item: Int, _ worker: Int) -> Void) {
        if items <= 0 { return }
        let active = Swift.min(count, items)
        if active == 1 {
            for item in 0..<items { body(item, 0) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: active) { worker in
                var item = worker
                while item < items {
                    box.value(item, worker)
                    item += active
                }
            }
        }
    }
}

extension Workers {
    /// Runs `body(range)` over `0..<count` cut into consecutive ranges of `chunk` elements (the last one shorter), for
    /// element-wise loops whose every output depends only on its own inputs, so the cut changes no bit.
    public func forEachRange(_ count: Int, chunk: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
        let chunks = (count + chunk - 1) / chunk
        forEach(chunks) { c, _ in body((c * chunk)..<Swift.min(count, (c + 1) * chunk)) }
    }
}

/// Lets a non-Sendable closure cross into `concurrentPerform`; safe because items write disjoint memory (see `Workers`).
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
