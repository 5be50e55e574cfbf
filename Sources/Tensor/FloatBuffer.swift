/// A fixed-size, 64-byte-aligned float allocation. Activations and converted
/// weights live in these; kernels take their raw pointers, so no copy-on-write
/// or bounds checks happen in inner loops.
public final class FloatBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Float>
    public let count: Int

    public init(count: Int, zeroed: Bool = true) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        if zeroed { pointer.initialize(repeating: 0, count: max(count, 1)) }
    }

    public convenience init(_ values: [Float]) {
        self.init(count: values.count, zeroed: false)
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { pointer.deallocate() }

    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    public subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}

/// A read-only view of float weights with a shape, kept alive by its owner
/// (a `MemoryMap` for in-place F32 data, a `FloatBuffer` for converted data).
public struct Weights: @unchecked Sendable {
    public let pointer: UnsafePointer<Float>
    public let shape: [Int]
    public let owner: AnyObject

    public init(pointer: UnsafePointer<Float>, shape: [Int], owner: AnyObject) {
        self.pointer = pointer
        self.shape = shape
        self.owner = owner
    }

    public init(_ buffer: FloatBuffer, shape: [Int]) {
        self.init(pointer: UnsafePointer(buffer.pointer), shape: shape, owner: buffer)
    }

    public var count: Int { shape.reduce(1, *) }
    /// A copy of the values; the owner is kept alive while copying.
    public var array: [Float] { withExtendedLifetime(owner) { Array(UnsafeBufferPointer(start: pointer, count: count)) } }
    /// One value, read while the owner is kept alive (safe on a temporary `Weights`).
    public subscript(i: Int) -> Float { withExtendedLifetime(owner) { pointer[i] } }
}
