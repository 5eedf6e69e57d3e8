/// One replica's KV-cache blocks with automatic prefix caching, as vLLM V1's block pool keeps
/// them (vllm/v1/core/block_pool.py, kv_cache_manager.py):
///
/// - A full block of a prompt gets its content's hash (`PrefixBlockHashes`) once it has been
///   scheduled, and stays findable by it until the block is reused for other tokens.
/// - A new request (or a preempted one coming back) first looks up its prompt's leading
///   blocks: the hits are shared, not computed; at least one token is always computed, for
///   the logits.
/// - Blocks no running request holds are free, cached or not. New tokens take free blocks in
///   the order they were freed (the free queue), and taking a cached one evicts it, so cached
///   blocks live until the KV cache runs short. A finished request's blocks join the queue last
///   block first, so a shared system prompt outlives the questions behind it.
///
/// Blocks that no hash names (the prompt's own tokens, output, a partial last block) are
/// counted, not tracked one by one: nothing can hit them, and without prefix content a pool is
/// a counter, as fast as before.
struct KVBlockPool {
    let total: Int
    /// Blocks no running request holds: never used, freed, and cached ones (`evictable`).
    private(set) var free: Int
    /// Of the free blocks, those that still hold a cached prompt block.
    private(set) var evictable = 0

    private struct Cached {
        /// Running requests that hold the block.
        var holders: Int32
        /// Bumped when the block leaves the free queue, so its old queue entry reads stale.
        var stamp: UInt32
    }
    private var cached: [UInt64: Cached] = [:]

    /// The free queue: `count` > 0 is a run of that many uncached blocks; 0 is the cached block
    /// `hash`, still in the queue if its stamp matches.
    private struct Entry {
        var count: Int
        var hash: UInt64
        var stamp: UInt32
    }
    private var queue: [Entry]
    private var head = 0

    init(blocks: Int) {
        total = blocks
        free = blocks
        queue = [Entry(count: blocks, hash: 0, stamp: 0)]
    }

    /// Blocks held by running requests.
    var used: Int { total - free }

    /// The leading blocks of `hashes`, at most `limit` of them, that are cached; `idle` of them
    /// are free (a hit takes them out of the free queue, so they count against what is free).
    func lookup(_ hashes: [UInt64], limit: Int) -> (blocks: Int, idle: Int) {
        var found = 0, idle = 0
        while found < min(limit, hashes.count), let c = cached[hashes[found]] {
            if c.holders == 0 { idle += 1 }
            found += 1
        }
        return (found, idle)
    }

    /// A request takes hold of the cached blocks `hashes` (found by `lookup`).
    mutating func acquire(_ hashes: ArraySlice<UInt64>) {
        for h in hashes {
            guard var c = cached[h] else { preconditionFailure("acquire of a block lookup did not find") }
            if c.holders == 0 {
                c.stamp &+= 1
                free -= 1
                evictable -= 1
            }
            c.holders += 1
            cached[h] = c
        }
    }

    /// Takes `n` free blocks for new tokens, the longest free first; a cached block taken is
    /// evicted. The caller has checked that `n` are free.
    mutating func allocate(_ n: Int) {
        guard n > 0 else { return }
        free -= n
        var left = n
        while left > 0 {
            precondition(head < queue.count, "the free queue ran dry with \(left) blocks to take")
            if queue[head].count > 0 {
                let take = min(left, queue[head].count)
                queue[head].count -= take
                left -= take
                if queue[head].count == 0 { head += 1 }
            } else {
                let e = queue[head]
                head += 1
                if let c = cached[e.hash], c.holders == 0, c.stamp == e.stamp {
                    cached[e.hash] = nil
                    evictable -= 1
                    left -= 1
                }
            }
        }
        compact()
    }

    /// A block a request holds has just been scheduled with the prompt content `hash`: it is
    /// cached from now on. False when another request's block already caches that content (two
    /// requests computed it at once); this one then stays the request's own.
    mutating func register(_ hash: UInt64) -> Bool {
        guard cached[hash] == nil else { return false }
        cached[hash] = Cached(holders: 1, stamp: 0)
        return true
    }

    /// A request lets go of its blocks: `own` uncached ones and its hold on the cached `hashes`
    /// (its prompt's leading blocks), in vLLM's order: its last blocks first.
    mutating func release(own: Int, cached hashes: ArraySlice<UInt64>) {
        if own > 0 {
            free += own
            if head < queue.count, queue[queue.count - 1].count > 0 {
                queue[queue.count - 1].count += own
            } else {
                queue.append(Entry(count: own, hash: 0, stamp: 0))
            }
        }
        for h in hashes.reversed() {
            guard var c = cached[h] else { preconditionFailure("release of a block that is not cached") }
            c.holders -= 1
            if c.holders == 0 {
                c.stamp &+= 1
                queue.append(Entry(count: 0, hash: h, stamp: c.stamp))
                free += 1
                evictable += 1
            }
            cached[h] = c
        }
    }

    /// Drops the queue entries already taken, once they are most of it.
    private mutating func compact() {
        guard head >= 1024, head * 2 >= queue.count else { return }
        queue.removeFirst(head)
        head = 0
    }
}
