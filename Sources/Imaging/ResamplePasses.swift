/// The two integer passes of the Pillow-compatible resize, on interleaved RGB24 rows.
/// Accumulators start at half a unit (2^21) so that `>> 22` rounds; see `clip8`.

/// Horizontal pass: `rows` rows of `src` (RGB24, `rowBytes` apart) → `axis.window.count` pixels per row.
///   src [rows, axis.source, 3] → dst [rows, axis.window.count, 3]
/// Rows go in pairs so that each weight load and loop step serves six accumulators.
func horizontalPass(_ axis: ResampleAxis, src: UnsafePointer<UInt8>, rowBytes: Int, rows: Int,
                    dst: UnsafeMutablePointer<UInt8>, dstRowBytes: Int) {
    axis.start.withUnsafeBufferPointer { start in
        axis.count.withUnsafeBufferPointer { count in
            axis.weights.withUnsafeBufferPointer { weights in
                let taps = HorizontalTaps(start: start.baseAddress!, count: count.baseAddress!,
                                          weights: weights.baseAddress!, stride: axis.taps, width: axis.window.count)
                var y = 0
                while y + 1 < rows {
                    taps.resampleRowPair(src + y * rowBytes, src + (y + 1) * rowBytes,
                                         into: dst + y * dstRowBytes, dst + (y + 1) * dstRowBytes)
                    y += 2
                }
                if y < rows { taps.resampleRow(src + y * rowBytes, into: dst + y * dstRowBytes) }
            }
        }
    }
}

/// Raw views of a horizontal axis's taps for the inner loops.
private struct HorizontalTaps {
    let start: UnsafePointer<Int32>
    let count: UnsafePointer<Int32>
    let weights: UnsafePointer<Int32>
    let stride: Int
    let width: Int

    /// Two rows at once: same taps, six independent accumulators.
    @inline(__always)
    func resampleRowPair(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>,
                         into outA: UnsafeMutablePointer<UInt8>, _ outB: UnsafeMutablePointer<UInt8>) {
        let half = Int32(1) << (resamplePrecisionBits - 1)
        for i in 0..<width {
            let first = Int(start[i]) * 3
            var p = a + first, q = b + first
            let k = weights + i * stride
            var r0 = half, g0 = half, b0 = half, r1 = half, g1 = half, b1 = half
            for t in 0..<Int(count[i]) {
                let w = k[t]
                r0 &+= Int32(p[0]) &* w
                g0 &+= Int32(p[1]) &* w
                b0 &+= Int32(p[2]) &* w
                r1 &+= Int32(q[0]) &* w
                g1 &+= Int32(q[1]) &* w
                b1 &+= Int32(q[2]) &* w
                p += 3
                q += 3
            }
            outA[i * 3] = clip8(r0)
            outA[i * 3 + 1] = clip8(g0)
            outA[i * 3 + 2] = clip8(b0)
            outB[i * 3] = clip8(r1)
            outB[i * 3 + 1] = clip8(g1)
            outB[i * 3 + 2] = clip8(b1)
        }
    }

    /// One row.
    func resampleRow(_ row: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<UInt8>) {
        let half = Int32(1) << (resamplePrecisionBits - 1)
        for i in 0..<width {
            var p = row + Int(start[i]) * 3
            let k = weights + i * stride
            var r = half, g = half, b = half
            for t in 0..<Int(count[i]) {
                let w = k[t]
                r &+= Int32(p[0]) &* w
                g &+= Int32(p[1]) &* w
                b &+= Int32(p[2]) &* w
                p += 3
            }
            out[i * 3] = clip8(r)
            out[i * 3 + 1] = clip8(g)
            out[i * 3 + 2] = clip8(b)
        }
    }
}

/// Vertical pass: for each output row of `axis.window`, a weighted sum of source rows.
/// `src` holds source rows from `firstRow` on (the intermediate image starts at the first needed
/// row); each row is `rowLength` bytes of interleaved samples (channels are independent here).
///   src [rows needed, rowLength] → dst [axis.window.count, rowLength]
func verticalPass(_ axis: ResampleAxis, src: UnsafePointer<UInt8>, rowBytes: Int, firstRow: Int,
                  rowLength: Int, dst: UnsafeMutablePointer<UInt8>, dstRowBytes: Int) {
    let half = Int32(1) << (resamplePrecisionBits - 1)
    let taps = axis.taps
    withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(1, rowLength)) { accBuffer in
        let acc = accBuffer.baseAddress!
        axis.start.withUnsafeBufferPointer { start in
            axis.count.withUnsafeBufferPointer { count in
                axis.weights.withUnsafeBufferPointer { weights in
                    for j in 0..<axis.window.count {
                        let k = weights.baseAddress! + j * taps
                        let first = Int(start[j]) - firstRow
                        acc.update(repeating: half, count: rowLength)
                        for t in 0..<Int(count[j]) {
                            let w = k[t]
                            let line = src + (first + t) * rowBytes
                            for x in 0..<rowLength { acc[x] &+= Int32(line[x]) &* w }
                        }
                        let out = dst + j * dstRowBytes
                        for x in 0..<rowLength { out[x] = clip8(acc[x]) }
                    }
                }
            }
        }
    }
}
