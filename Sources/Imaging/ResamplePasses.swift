/// The two integer passes of the Pillow-compatible resize, on interleaved RGB24 rows.
/// Accumulators start at half a unit (2^21) so that `>> 22` rounds; see `clip8`.

/// Horizontal pass: `rows` rows of `src` (RGB24, `rowBytes` apart) → `axis.window.count` pixels per row.
///   src [rows, axis.source, 3] → dst [rows, axis.window.count, 3]
func horizontalPass(_ axis: ResampleAxis, src: UnsafePointer<UInt8>, rowBytes: Int, rows: Int,
                    dst: UnsafeMutablePointer<UInt8>, dstRowBytes: Int) {
    let half = Int32(1) << (resamplePrecisionBits - 1)
    let width = axis.window.count, taps = axis.taps
    axis.start.withUnsafeBufferPointer { start in
        axis.count.withUnsafeBufferPointer { count in
            axis.weights.withUnsafeBufferPointer { weights in
                for y in 0..<rows {
                    let row = src + y * rowBytes
                    let out = dst + y * dstRowBytes
                    for i in 0..<width {
                        var p = row + Int(start[i]) * 3
                        let k = weights.baseAddress! + i * taps
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
