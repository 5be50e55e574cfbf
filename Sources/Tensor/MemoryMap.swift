import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A read-only memory mapping of a whole file. Weights are read in place from it,
/// so loading a model costs page faults, not copies.
public final class MemoryMap: @unchecked Sendable {
    public let path: String
    public let base: UnsafeRawPointer
    public let count: Int

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw TensorError.io(path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw TensorError.io(path, String(cString: strerror(errno))) }
        count = Int(st.st_size)
        guard count > 0 else { throw TensorError.format(path, "the file is empty") }
        guard let p = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw TensorError.io(path, "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), count) }
}

/// Errors of the numeric core; each names the file (and tensor) concerned.
public enum TensorError: Error, CustomStringConvertible, Equatable {
    case io(String, String)
    case format(String, String)
    case missingTensor(String, String)
    case shape(String, String, expected: [Int], found: [Int])
    case dtype(String, String, String)

    public var description: String {
        switch self {
        case let .io(file, why): return "\(file): cannot read: \(why)"
        case let .format(file, why): return "\(file): not a valid safetensors file: \(why)"
        case let .missingTensor(file, name): return "\(file): tensor '\(name)' is missing"
        case let .shape(file, name, e, f): return "\(file): tensor '\(name)' has shape \(f), expected \(e)"
        case let .dtype(file, name, d): return "\(file): tensor '\(name)' has unsupported dtype \(d) (supported: F32, F16, BF16)"
        }
    }
}
