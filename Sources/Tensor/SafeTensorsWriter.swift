import Foundation

/// Writes tensors in the safetensors format (F32, F16 or I32), with optional string metadata.
public struct SafeTensorsWriter {
    public enum Storage { case f32, f16 }
    private var entries: [(name: String, dtype: String, shape: [Int], data: Data)] = []
    public var metadata: [String: String] = [:]

    public init() {}

    public mutating func add(_ name: String, shape: [Int], values: [Float], as storage: Storage = .f32) {
        precondition(shape.reduce(1, *) == values.count, "shape \(shape) does not match \(values.count) values for \(name)")
        var data = Data(capacity: values.count * 4)
        switch storage {
        case .f32: values.withUnsafeBytes { data.append(contentsOf: $0) }
        case .f16:
            let halves = values.map { floatToHalfBits($0).littleEndian }
            halves.withUnsafeBytes { data.append(contentsOf: $0) }
        }
        entries.append((name, storage == .f32 ? "F32" : "F16", shape, data))
    }

    public mutating func add(_ name: String, shape: [Int], ints: [Int32]) {
        precondition(shape.reduce(1, *) == ints.count)
        var data = Data()
        ints.withUnsafeBytes { data.append(contentsOf: $0) }
        entries.append((name, "I32", shape, data))
    }

    /// The file's bytes: header length, JSON header padded to 8 bytes, data.
    public func serialized() throws -> Data {
        var header: [String: Any] = [:]
        var offset = 0
        for e in entries {
            header[e.name] = ["dtype": e.dtype, "shape": e.shape, "data_offsets": [offset, offset + e.data.count]]
            offset += e.data.count
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data()
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for e in entries { out.append(e.data) }
        return out
    }

    /// Writes atomically (temporary file, then rename) so a crash never leaves half a file.
    public func write(to path: String) throws {
        let data = try serialized()
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw TensorError.io(path, error.localizedDescription)
        }
    }
}
