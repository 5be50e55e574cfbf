import CKernels
import Foundation

/// Element types a safetensors file may declare.
public enum DType: String, Sendable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", f64 = "F64"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    public var size: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }
}

/// One tensor's entry in a safetensors header.
public struct TensorInfo: Sendable {
    public let name: String
    public let dtype: DType
    public let shape: [Int]
    /// Byte range within the data section.
    public let range: Range<Int>
    public var count: Int { shape.reduce(1, *) }
}

/// A safetensors file, memory-mapped and validated: the 8-byte little-endian header
/// length, the JSON header, then raw little-endian data. Offsets, sizes and dtypes
/// are checked before any tensor is touched.
public final class SafeTensors: @unchecked Sendable {
    public let path: String
    public let tensors: [String: TensorInfo]
    public let metadata: [String: String]
    let map: MemoryMap
    let dataStart: Int

    public init(path: String) throws {
        map = try MemoryMap(path: path)
        self.path = path
        guard map.count >= 8 else { throw TensorError.format(path, "file is \(map.count) bytes, shorter than the 8-byte header length") }
        let headerLength = Int(UInt64(littleEndian: map.base.loadUnaligned(as: UInt64.self)))
        guard headerLength > 1, headerLength <= 100_000_000 else {
            throw TensorError.format(path, "header length \(headerLength) is not sane")
        }
        guard 8 + headerLength <= map.count else {
            throw TensorError.format(path, "truncated: header needs \(8 + headerLength) bytes, file has \(map.count)")
        }
        dataStart = 8 + headerLength
        let headerData = Data(bytes: map.base + 8, count: headerLength)
        guard let json = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw TensorError.format(path, "header is not a JSON object")
        }
        var infos: [String: TensorInfo] = [:]
        var meta: [String: String] = [:]
        let dataSize = map.count - dataStart
        for (name, value) in json {
            guard let entry = value as? [String: Any] else { throw TensorError.format(path, "entry '\(name)' is not an object") }
            if name == "__metadata__" {
                for (k, v) in entry { meta[k] = v as? String ?? "\(v)" }
                continue
            }
            infos[name] = try Self.parseEntry(name: name, entry: entry, dataSize: dataSize, path: path)
        }
        tensors = infos
        metadata = meta
    }

    private static func parseEntry(name: String, entry: [String: Any], dataSize: Int, path: String) throws -> TensorInfo {
        guard let dt = entry["dtype"] as? String else { throw TensorError.format(path, "tensor '\(name)' has no dtype") }
        guard let dtype = DType(rawValue: dt) else { throw TensorError.dtype(path, name, dt) }
        guard let shape = (entry["shape"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }),
              shape.allSatisfy({ $0 >= 0 }) else { throw TensorError.format(path, "tensor '\(name)' has no valid shape") }
        guard let offs = (entry["data_offsets"] as? [Any])?.compactMap({ ($0 as? NSNumber)?.intValue }), offs.count == 2,
              offs[0] >= 0, offs[0] <= offs[1] else { throw TensorError.format(path, "tensor '\(name)' has no valid data_offsets") }
        guard offs[1] <= dataSize else {
            throw TensorError.format(path, "truncated: tensor '\(name)' ends at byte \(offs[1]) of a \(dataSize)-byte data section")
        }
        let count = shape.reduce(1, *)
        guard count * dtype.size == offs[1] - offs[0] else {
            throw TensorError.format(path, "tensor '\(name)' holds \(offs[1] - offs[0]) bytes, its shape \(shape) × \(dtype.rawValue) needs \(count * dtype.size)")
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, range: offs[0]..<offs[1])
    }

    /// FNV-1a over the header and a strided sample of the data: cheap to compute at load,
    /// and different for different weights. Used as a model's identity in the index.
    public func fingerprint() -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ p: UnsafeRawPointer, _ n: Int) {
            for i in 0..<n { h = (h ^ UInt64(p.load(fromByteOffset: i, as: UInt8.self))) &* 0x100_0000_01b3 }
        }
        mix(map.base, dataStart)
        let dataCount = map.count - dataStart
        let stride = max(1, dataCount / 65536)
        for i in Swift.stride(from: 0, to: dataCount, by: stride) { mix(map.base + dataStart + i, 1) }
        return String(h, radix: 16)
    }

    public func info(_ name: String) throws -> TensorInfo {
        guard let info = tensors[name] else { throw TensorError.missingTensor(path, name) }
        return info
    }

    /// Raw bytes of a tensor inside the mapping.
    public func bytes(_ info: TensorInfo) -> UnsafeRawPointer { map.base + dataStart + info.range.lowerBound }

    /// A tensor as fp32 weights: in place when stored as F32 (and aligned), converted otherwise.
    /// With `shape`, the stored shape must match exactly.
    public func floats(_ name: String, shape expected: [Int]? = nil) throws -> Weights {
        let info = try info(name)
        if let expected, expected != info.shape {
            throw TensorError.shape(path, name, expected: expected, found: info.shape)
        }
        let src = bytes(info)
        switch info.dtype {
        case .f32 where Int(bitPattern: src) % 4 == 0:
            return Weights(pointer: src.assumingMemoryBound(to: Float.self), shape: info.shape, owner: map)
        case .f32, .f16, .bf16, .f64, .i32, .i64:
            let buffer = FloatBuffer(count: info.count, zeroed: false)
            convertToFloat(src, dtype: info.dtype, count: info.count, into: buffer.pointer)
            return Weights(buffer, shape: info.shape)
        default:
            throw TensorError.dtype(path, name, info.dtype.rawValue)
        }
    }

    /// Integer tensors (token ids and the like) as Int.
    public func ints(_ name: String) throws -> (shape: [Int], values: [Int]) {
        let info = try info(name)
        let src = bytes(info)
        var out = [Int](repeating: 0, count: info.count)
        switch info.dtype {
        case .i64: for i in 0..<info.count { out[i] = Int(src.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)) }
        case .i32: for i in 0..<info.count { out[i] = Int(src.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)) }
        default: throw TensorError.dtype(path, name, info.dtype.rawValue)
        }
        return (info.shape, out)
    }
}

/// Converts little-endian F32/F16/BF16/F64/I32/I64 data to fp32.
public func convertToFloat(_ src: UnsafeRawPointer, dtype: DType, count: Int, into dst: UnsafeMutablePointer<Float>) {
    switch dtype {
    case .f32: for i in 0..<count { dst[i] = src.loadUnaligned(fromByteOffset: i * 4, as: Float.self) }
    case .f16: halfToFloat(src, count: count, into: dst)
    case .bf16:
        for i in 0..<count {
            dst[i] = Float(bitPattern: UInt32(src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) << 16)
        }
    case .f64: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 8, as: Double.self)) }
    case .i32: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)) }
    case .i64: for i in 0..<count { dst[i] = Float(src.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)) }
    default: for i in 0..<count { dst[i] = 0 }
    }
}

/// IEEE half → single, exact for normals, subnormals, infinities and NaN.
@inline(__always)
public func halfBitsToFloat(_ h: UInt16) -> Float {
    let sign = UInt32(h & 0x8000) << 16
    let exp = UInt32(h >> 10) & 0x1F
    let mant = UInt32(h & 0x3FF)
    if exp == 0 {
        if mant == 0 { return Float(bitPattern: sign) }
        let v = Float(mant) * (1.0 / 16_777_216.0)  // mant × 2^-24
        return sign != 0 ? -v : v
    }
    if exp == 31 { return Float(bitPattern: sign | 0x7F80_0000 | (mant << 13)) }
    return Float(bitPattern: sign | ((exp + 112) << 23) | (mant << 13))
}

/// Single → IEEE half, rounding to nearest even.
@inline(__always)
public func floatToHalfBits(_ f: Float) -> UInt16 { Float16(f).bitPattern }

public func halfToFloat(_ src: UnsafeRawPointer, count: Int, into dst: UnsafeMutablePointer<Float>) {
    if Int(bitPattern: src) % 2 == 0 {
        cdx_half_to_float(src.assumingMemoryBound(to: UInt16.self), dst, count)
    } else {
        for i in 0..<count { dst[i] = halfBitsToFloat(src.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)) }
    }
}
