import CBLAS
import CKernels
import Foundation
import Tensor

/// Unit-length embeddings in one contiguous row-major matrix [count, dim], float16 or float32,
/// scanned exactly for the top-k inner products: blocks of rows are scored (F16C dot products for
/// float16, sgemv for float32) on `Threads.count` threads, each keeping a top-k heap; the heaps are
/// merged. Memory-bound: float16 halves the bytes and so the time.
public final class EmbeddingMatrix: @unchecked Sendable {
    public let dim: Int
    public let format: EmbeddingFormat
    public private(set) var count = 0
    private var capacity: Int
    private var storage: UnsafeMutableRawPointer
    /// Rows scored per block: the block's scores stay in L1/L2.
    static let blockRows = 1024

    public init(dim: Int, format: EmbeddingFormat, capacity: Int = 1024) {
        self.dim = dim
        self.format = format
        self.capacity = max(1, capacity)
        storage = .allocate(byteCount: self.capacity * dim * format.bytesPerValue, alignment: 64)
    }

    deinit { storage.deallocate() }

    private var rowBytes: Int { dim * format.bytesPerValue }

    private func reserve(_ n: Int) {
        guard n > capacity else { return }
        let newCap = max(n, capacity * 2)
        let s = UnsafeMutableRawPointer.allocate(byteCount: newCap * rowBytes, alignment: 64)
        s.copyMemory(from: storage, byteCount: count * rowBytes)
        storage.deallocate()
        storage = s
        capacity = newCap
    }

    /// Appends a row (normalised here).
    public func append(_ v: [Float]) {
        precondition(v.count == dim, "row of \(v.count) values in a matrix of width \(dim)")
        reserve(count + 1)
        let u = EmbeddingCodec.normalized(v)
        let dst = storage + count * rowBytes
        switch format {
        case .float32: u.withUnsafeBytes { dst.copyMemory(from: $0.baseAddress!, byteCount: rowBytes) }
        case .float16:
            let h = dst.assumingMemoryBound(to: UInt16.self)
            for i in 0..<dim { h[i] = floatToHalfBits(u[i]) }
        }
        count += 1
    }

    /// Appends a stored BLOB (already unit length) without a float round trip when formats match.
    /// Returns false (nothing appended) when its length fits neither format.
    @discardableResult
    public func append(blob: Data) -> Bool {
        blob.withUnsafeBytes { append(bytes: $0) }
    }

    /// `append(blob:)` over raw bytes (float16 or float32 values, by length).
    @discardableResult
    public func append(bytes: UnsafeRawBufferPointer) -> Bool {
        guard let source = EmbeddingCodec.format(ofBytes: bytes.count, dim: dim), let base = bytes.baseAddress else { return false }
        reserve(count + 1)
        let dst = storage + count * rowBytes
        switch (source, format) {
        case (.float16, .float16), (.float32, .float32):
            dst.copyMemory(from: base, byteCount: rowBytes)
        case (.float16, .float32):
            halfToFloat(base, count: dim, into: dst.assumingMemoryBound(to: Float.self))
        case (.float32, .float16):
            let h = dst.assumingMemoryBound(to: UInt16.self)
            for i in 0..<dim { h[i] = floatToHalfBits(base.loadUnaligned(fromByteOffset: i * 4, as: Float.self)) }
        }
        count += 1
        return true
    }

    /// Row `i` as floats.
    public func row(_ i: Int) -> [Float] {
        var out = [Float](repeating: 0, count: dim)
        let src = storage + i * rowBytes
        out.withUnsafeMutableBufferPointer { o in
            switch format {
            case .float32: o.baseAddress!.update(from: src.assumingMemoryBound(to: Float.self), count: dim)
            case .float16: halfToFloat(src, count: dim, into: o.baseAddress!)
            }
        }
        return out
    }

    /// The `k` rows with the largest inner product with `query` (normalise it for cosine), best
    /// first, among rows `accept` lets through (all when nil).
    public func top(_ query: [Float], k: Int, accept: ((Int) -> Bool)? = nil) -> [(row: Int, score: Float)] {
        precondition(query.count == dim, "query of \(query.count) values for width \(dim)")
        guard count > 0, k > 0 else { return [] }
        let merged = Locked(TopK(k: k))
        let q = UnsafeMutablePointer<Float>.allocate(capacity: dim)
        defer { q.deallocate() }
        q.update(from: query, count: dim)
        let body: (Int, Int) -> Void = { lo, hi in
            let local = self.scan(q, lo, hi, k: k, accept: accept)
            merged.with { (m: inout TopK) in
                for item in local.heap { m.offer(item.score, item.row) }
            }
        }
        Threads.parallelFor(count, minimum: 16384, body)
        return merged.with { (m: inout TopK) in m.sorted() }.map { (row: $0.row, score: $0.score) }
    }

    /// Top-k over rows lo..<hi, scoring `blockRows` rows at a time.
    private func scan(_ q: UnsafePointer<Float>, _ lo: Int, _ hi: Int, k: Int, accept: ((Int) -> Bool)?) -> TopK {
        var top = TopK(k: k)
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: Self.blockRows)
        defer { scores.deallocate() }
        var start = lo
        while start < hi {
            let n = min(Self.blockRows, hi - start)
            score(q, rows: start, n, into: scores)
            var t = top.threshold
            for j in 0..<n where scores[j] > t {
                if let accept, !accept(start + j) { continue }
                top.offer(scores[j], start + j)
                t = top.threshold
            }
            start += n
        }
        return top
    }

    /// scores[j] = dot(q, row[first + j]) for j < n.
    private func score(_ q: UnsafePointer<Float>, rows first: Int, _ n: Int, into scores: UnsafeMutablePointer<Float>) {
        let base = storage + first * rowBytes
        switch format {
        case .float16:
            cdx_dot_rows_f16(base.assumingMemoryBound(to: UInt16.self), n, Int32(dim), q, scores)
        case .float32:
            cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(dim), 1, base.assumingMemoryBound(to: Float.self),
                        Int32(dim), q, 1, 0, scores, 1)
        }
    }
}
