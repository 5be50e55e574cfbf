import Foundation
import Tensor

/// How embeddings are stored as BLOBs: little-endian float16 (2 bytes a value) or float32 (4).
/// The element type is read back from the BLOB's length and the model's width, so rows of both
/// kinds can coexist. Vectors are L2-normalised before they are stored.
public enum EmbeddingFormat: String, Sendable, CaseIterable {
    case float16, float32

    public var bytesPerValue: Int { self == .float16 ? 2 : 4 }
}

public enum EmbeddingCodec {
    /// `v` scaled to unit length (unchanged when it is all zeros).
    public static func normalized(_ v: [Float]) -> [Float] {
        var s: Float = 0
        for x in v { s += x * x }
        guard s > 0 else { return v }
        let inv = 1 / s.squareRoot()
        return v.map { $0 * inv }
    }

    /// The BLOB of a vector in the given format.
    public static func encode(_ v: [Float], as format: EmbeddingFormat) -> Data {
        switch format {
        case .float32:
            return v.withUnsafeBufferPointer { Data(buffer: $0) }
        case .float16:
            var bits = [UInt16](repeating: 0, count: v.count)
            for i in v.indices { bits[i] = floatToHalfBits(v[i]) }
            return bits.withUnsafeBufferPointer { Data(buffer: $0) }
        }
    }

    /// The format of a BLOB holding `dim` values, or nil when its length fits neither.
    public static func format(ofBytes count: Int, dim: Int) -> EmbeddingFormat? {
        if count == dim * 2 { return .float16 }
        if count == dim * 4 { return .float32 }
        return nil
    }

    /// Decodes a BLOB of `dim` values into `out` (float32). Returns false when the length is wrong.
    @discardableResult
    public static func decode(_ blob: Data, dim: Int, into out: UnsafeMutablePointer<Float>) -> Bool {
        guard let format = format(ofBytes: blob.count, dim: dim) else { return false }
        blob.withUnsafeBytes { raw in
            switch format {
            case .float32: memcpy(out, raw.baseAddress!, dim * 4)
            case .float16: halfToFloat(raw.baseAddress!, count: dim, into: out)
            }
        }
        return true
    }

    /// Decodes a BLOB of `dim` values into a new array, or nil when its length is wrong.
    public static func decode(_ blob: Data, dim: Int) -> [Float]? {
        var out = [Float](repeating: 0, count: dim)
        let ok = out.withUnsafeMutableBufferPointer { decode(blob, dim: dim, into: $0.baseAddress!) }
        return ok ? out : nil
    }

    /// Writes the BLOB as float16 bits into `out` (converting float32 BLOBs). False when the length is wrong.
    @discardableResult
    public static func decodeHalfBits(_ blob: Data, dim: Int, into out: UnsafeMutablePointer<UInt16>) -> Bool {
        guard let format = format(ofBytes: blob.count, dim: dim) else { return false }
        blob.withUnsafeBytes { raw in
            switch format {
            case .float16: memcpy(out, raw.baseAddress!, dim * 2)
            case .float32:
                for i in 0..<dim { out[i] = floatToHalfBits(raw.loadUnaligned(fromByteOffset: i * 4, as: Float.self)) }
            }
        }
        return true
    }
}
