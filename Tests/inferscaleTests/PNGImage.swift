import Foundation

/// Just enough of PNG to look at a browser's screenshot: 8-bit RGB or RGBA, not interlaced,
/// inflated by a small DEFLATE decoder (RFC 1950/1951), so the test needs no image library.
struct PNGImage {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    var width: Int
    var height: Int
    /// Red, green, blue per pixel, row by row.
    var rgb: [UInt8]

    init(_ data: [UInt8]) throws {
        guard data.count > 8, data[0..<8] == [137, 80, 78, 71, 13, 10, 26, 10] else { throw Failure(description: "not a PNG") }
        var at = 8
        var idat: [UInt8] = []
        var header: [UInt8] = []
        func be32(_ i: Int) -> Int { Int(data[i]) << 24 | Int(data[i + 1]) << 16 | Int(data[i + 2]) << 8 | Int(data[i + 3]) }
        while at + 8 <= data.count {
            let length = be32(at)
            let type = String(decoding: data[(at + 4)..<(at + 8)], as: UTF8.self)
            guard at + 12 + length <= data.count else { throw Failure(description: "truncated \(type) chunk") }
            let body = Array(data[(at + 8)..<(at + 8 + length)])
            if type == "IHDR" { header = body }
            if type == "IDAT" { idat += body }
            at += 12 + length
            if type == "IEND" { break }
        }
        guard header.count == 13 else { throw Failure(description: "no IHDR") }
        width = Int(header[0]) << 24 | Int(header[1]) << 16 | Int(header[2]) << 8 | Int(header[3])
        height = Int(header[4]) << 24 | Int(header[5]) << 16 | Int(header[6]) << 8 | Int(header[7])
        let channels: Int
        switch (header[8], header[9], header[12]) {
        case (8, 2, 0): channels = 3
        case (8, 6, 0): channels = 4
        default: throw Failure(description: "unsupported PNG: depth \(header[8]), colour type \(header[9]), interlace \(header[12])")
        }
        guard idat.count > 2 else { throw Failure(description: "no image data") }
        let raw = try Inflater.inflate(Array(idat[2...]))
        let stride = width * channels
        guard raw.count >= height * (stride + 1) else { throw Failure(description: "\(raw.count) bytes for \(height) rows of \(stride)") }
        var previous = [UInt8](repeating: 0, count: stride)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(width * height * 3)
        for row in 0..<height {
            let start = row * (stride + 1)
            let filter = raw[start]
            var line = Array(raw[(start + 1)...(start + stride)])
            for i in 0..<stride {
                let a = i >= channels ? Int(line[i - channels]) : 0
                let b = Int(previous[i])
                let c = i >= channels ? Int(previous[i - channels]) : 0
                let predictor: Int
                switch filter {
                case 0: predictor = 0
                case 1: predictor = a
                case 2: predictor = b
                case 3: predictor = (a + b) / 2
                case 4:
                    let p = a + b - c, pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                default: throw Failure(description: "filter \(filter) in row \(row)")
                }
                line[i] = UInt8(truncatingIfNeeded: Int(line[i]) + predictor)
            }
            for x in 0..<width { pixels += line[(x * channels)..<(x * channels + 3)] }
            previous = line
        }
        rgb = pixels
    }

    /// The share of pixels that differ from the most common colour (the background), and how
    /// many colours occur at all.
    func coverage() -> (nonBackground: Double, colours: Int) {
        var counts: [UInt32: Int] = [:]
        for i in Swift.stride(from: 0, to: rgb.count, by: 3) {
            counts[UInt32(rgb[i]) << 16 | UInt32(rgb[i + 1]) << 8 | UInt32(rgb[i + 2]), default: 0] += 1
        }
        let background = counts.values.max() ?? 0
        let total = max(1, rgb.count / 3)
        return (Double(total - background) / Double(total), counts.count)
    }
}

/// DEFLATE decoding (RFC 1951), written for clarity over speed: canonical Huffman codes
/// decoded bit by bit, as zlib's reference decoder `puff` does.
enum Inflater {
    struct Bits {
        let bytes: [UInt8]
        var position = 0
        var bit = 0

        mutating func take(_ n: Int) throws -> Int {
            var v = 0
            for i in 0..<n {
                guard position < bytes.count else { throw PNGImage.Failure(description: "deflate stream ends early") }
                v |= (Int(bytes[position]) >> bit & 1) << i
                bit += 1
                if bit == 8 {
                    bit = 0
                    position += 1
                }
            }
            return v
        }
    }

    struct Huffman {
        var counts = [Int](repeating: 0, count: 16)
        var symbols: [Int] = []

        init(lengths: [Int]) {
            for l in lengths { counts[l] += 1 }
            counts[0] = 0
            for length in 1..<16 { for (symbol, l) in lengths.enumerated() where l == length { symbols.append(symbol) } }
        }

        func decode(_ bits: inout Bits) throws -> Int {
            var code = 0, first = 0, index = 0
            for length in 1..<16 {
                code |= try bits.take(1)
                let count = counts[length]
                if code - first < count { return symbols[index + code - first] }
                index += count
                first = (first + count) << 1
                code <<= 1
            }
            throw PNGImage.Failure(description: "bad Huffman code")
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073,
                               4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]
    static let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    static func inflate(_ data: [UInt8]) throws -> [UInt8] {
        var bits = Bits(bytes: data)
        var out: [UInt8] = []
        var last = 0
        while last == 0 {
            last = try bits.take(1)
            switch try bits.take(2) {
            case 0:
                if bits.bit != 0 {
                    bits.bit = 0
                    bits.position += 1
                }
                guard bits.position + 4 <= data.count else { throw PNGImage.Failure(description: "stored block header cut") }
                let length = Int(data[bits.position]) | Int(data[bits.position + 1]) << 8
                bits.position += 4
                guard bits.position + length <= data.count else { throw PNGImage.Failure(description: "stored block cut") }
                out += data[bits.position..<(bits.position + length)]
                bits.position += length
            case 1:
                let lit = Huffman(lengths: (0..<288).map { $0 < 144 ? 8 : $0 < 256 ? 9 : $0 < 280 ? 7 : 8 })
                try codes(&bits, lit, Huffman(lengths: Array(repeating: 5, count: 30)), into: &out)
            case 2:
                let nlen = try bits.take(5) + 257, ndist = try bits.take(5) + 1, ncode = try bits.take(4) + 4
                var lengths = [Int](repeating: 0, count: 19)
                for i in 0..<ncode { lengths[order[i]] = try bits.take(3) }
                let lencode = Huffman(lengths: lengths)
                var all: [Int] = []
                while all.count < nlen + ndist {
                    let symbol = try lencode.decode(&bits)
                    switch symbol {
                    case 0..<16: all.append(symbol)
                    case 16:
                        guard let previous = all.last else { throw PNGImage.Failure(description: "repeat with no length") }
                        all += Array(repeating: previous, count: 3 + (try bits.take(2)))
                    case 17: all += Array(repeating: 0, count: 3 + (try bits.take(3)))
                    default: all += Array(repeating: 0, count: 11 + (try bits.take(7)))
                    }
                }
                try codes(&bits, Huffman(lengths: Array(all[0..<nlen])), Huffman(lengths: Array(all[nlen..<(nlen + ndist)])), into: &out)
            default: throw PNGImage.Failure(description: "invalid block type")
            }
        }
        return out
    }

    static func codes(_ bits: inout Bits, _ lit: Huffman, _ dist: Huffman, into out: inout [UInt8]) throws {
        while true {
            let symbol = try lit.decode(&bits)
            if symbol < 256 {
                out.append(UInt8(symbol))
            } else if symbol == 256 {
                return
            } else {
                let s = symbol - 257
                guard s < 29 else { throw PNGImage.Failure(description: "bad length symbol") }
                let length = lengthBase[s] + (try bits.take(lengthExtra[s]))
                let d = try dist.decode(&bits)
                guard d < 30 else { throw PNGImage.Failure(description: "bad distance symbol") }
                let distance = distanceBase[d] + (try bits.take(distanceExtra[d]))
                guard distance <= out.count else { throw PNGImage.Failure(description: "distance too far back") }
                let from = out.count - distance
                for i in 0..<length { out.append(out[from + i]) }
            }
        }
    }
}
