/// Maps byte strings to small ids and shared `String`s, so a label name or value that repeats across
/// samples (and across scrapes, when the parser is reused) is decoded and allocated only once.
struct StringInterner {
    private(set) var strings: [String] = []
    /// The bytes of every interned string back to back, so comparisons read plain memory.
    private var arena: [UInt8] = []
    private var offsets: [Int] = []
    private var lengths: [Int] = []
    /// Whether a string has no '"', '\\' or newline, so its bytes read the same escaped or not.
    private var plain: [Bool] = []
    private var hashes: [UInt64] = []
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: -1, count: size)
        mask = size - 1
    }

    var count: Int { strings.count }

    @inline(__always) subscript(id: Int32) -> String { strings[Int(id)] }

    /// A 64-bit hash of the bytes, eight at a time; it only needs to spread keys over the table.
    @inline(__always)
    static func hash(_ start: UnsafePointer<UInt8>?, _ count: Int) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: count)
        guard let start, count > 0 else { return h }
        let raw = UnsafeRawPointer(start)
        var offset = 0
        while offset + 8 <= count {
            let word = raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
            h = (h ^ word) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(start[offset]) << shift
                shift += 8
                offset += 1
            }
            h = (h ^ tail) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
        }
        h = (h ^ (h >> 29)) &* 0xC4CE_B9FE_1A85_EC53
        return h ^ (h >> 32)
    }

    /// The id of the bytes, or `nil` when they are not interned yet.
    func lookup(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32? {
        let h = Self.hash(start, count)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[slot]
            if id < 0 { return nil }
            if hashes[Int(id)] == h, lengths[Int(id)] == count, equals(Int(id), start, count) { return id }
            slot = (slot + 1) & mask
        }
    }

    /// The id of the bytes, adding them when new. Returns `nil` when new bytes are not valid UTF-8.
    mutating func intern(_ start: UnsafePointer<UInt8>?, _ count: Int) -> Int32? {
        let h = Self.hash(start, count)
        var slot = Int(truncatingIfNeeded: h) & mask
        while true {
            let id = slots[slot]
            if id < 0 { break }
            if hashes[Int(id)] == h, lengths[Int(id)] == count, equals(Int(id), start, count) { return id }
            slot = (slot + 1) & mask
        }
        guard let string = String(validating: UnsafeBufferPointer(start: start, count: count), as: UTF8.self) else {
            return nil
        }
        let id = Int32(strings.count)
        strings.append(string)
        offsets.append(arena.count)
        arena.append(contentsOf: UnsafeBufferPointer(start: start, count: count))
        lengths.append(count)
        var isPlain = true
        if let start {
            for index in 0..<count where start[index] == 0x22 || start[index] == 0x5C || start[index] == 0x0A {
                isPlain = false
                break
            }
        }
        plain.append(isPlain)
        hashes.append(h)
        slots[slot] = id
        if strings.count * 2 > slots.count { grow() }
        return id
    }

    /// Interns a Swift string (used for names the parser derives, such as `family_total`).
    mutating func intern(_ string: String) -> Int32 {
        var copy = string
        return copy.withUTF8 { buffer in
            // A String is valid UTF-8, so interning cannot fail here.
            intern(buffer.baseAddress, buffer.count) ?? -1
        }
    }

    func lookup(_ string: String) -> Int32? {
        var copy = string
        return copy.withUTF8 { buffer in
            lookup(buffer.baseAddress, buffer.count)
        }
    }

    mutating func removeAll() {
        strings.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        offsets.removeAll(keepingCapacity: true)
        lengths.removeAll(keepingCapacity: true)
        plain.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        for index in slots.indices { slots[index] = -1 }
    }

    /// The byte length of string `id` when it is a plain string (no quote, backslash or newline), else `nil`.
    @inline(__always)
    func plainLength(_ id: Int32) -> Int? {
        guard id >= 0, Int(id) < lengths.count, plain[Int(id)] else { return nil }
        return lengths[Int(id)]
    }

    /// The length of string `id` when the `available` bytes at `start` begin with it and go on past it, else nil.
    @inline(__always)
    func prefixLength(_ id: Int32, _ start: UnsafePointer<UInt8>, _ available: Int) -> Int? {
        guard id >= 0, Int(id) < lengths.count else { return nil }
        let length = lengths[Int(id)]
        return length > 0 && length < available && equals(Int(id), start, length) ? length : nil
    }

    /// Whether string `id` has exactly these bytes.
    @inline(__always)
    func matches(_ id: Int32, _ start: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
        id >= 0 && Int(id) < lengths.count && lengths[Int(id)] == count && equals(Int(id), start, count)
    }

    @inline(__always)
    private func equals(_ id: Int, _ start: UnsafePointer<UInt8>?, _ count: Int) -> Bool {
        guard let start, count > 0 else { return true }
        return arena.withUnsafeBufferPointer { stored -> Bool in
            guard let base = stored.baseAddress else { return false }
            let left = UnsafeRawPointer(base + offsets[id])
            let right = UnsafeRawPointer(start)
            var index = 0
            while index + 8 <= count {
                if left.loadUnaligned(fromByteOffset: index, as: UInt64.self) != right.loadUnaligned(fromByteOffset: index, as: UInt64.self) {
                    return false
                }
                index += 8
            }
            while index < count {
                if left.load(fromByteOffset: index, as: UInt8.self) != right.load(fromByteOffset: index, as: UInt8.self) { return false }
                index += 1
            }
            return true
        }
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = Array(repeating: -1, count: size)
        mask = size - 1
        for id in hashes.indices {
            var slot = Int(truncatingIfNeeded: hashes[id]) & mask
            while slots[slot] >= 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(id)
        }
    }
}
