import Foundation
import Tensor
import XCTest

/// The safetensors reader: round trips, dtype conversion, and an error naming the file and
/// tensor for every kind of damage.
final class SafeTensorsTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "clipdex-st-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// Builds a file from a raw JSON header and data bytes.
    func rawFile(_ header: String, _ data: [UInt8], name: String = "t.safetensors") -> String {
        var bytes = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(Data(header.utf8)); bytes.append(contentsOf: data)
        let path = dir + "/" + name
        FileManager.default.createFile(atPath: path, contents: bytes)
        return path
    }

    func testRoundTripF32AndF16WithMetadata() throws {
        var w = SafeTensorsWriter()
        w.add("a", shape: [2, 3], values: [1, -2, 3.5, 0, 1e-3, 65504])
        w.add("h", shape: [3], values: [0.5, -1.25, 3], as: .f16)
        w.add("ids", shape: [2], ints: [7, 49407])
        w.metadata = ["method": "test"]
        let path = dir + "/rt.safetensors"
        try w.write(to: path)
        let st = try SafeTensors(path: path)
        XCTAssertEqual(try st.floats("a", shape: [2, 3]).array, [1, -2, 3.5, 0, 1e-3, 65504])
        XCTAssertEqual(try st.floats("h").array, [0.5, -1.25, 3])
        XCTAssertEqual(try st.ints("ids").values, [7, 49407])
        XCTAssertEqual(st.metadata["method"], "test")
    }

    func testHalfAndBFloat16Conversion() throws {
        // f16: 1.0 = 0x3C00, -2.0 = 0xC000, smallest subnormal 0x0001 = 2^-24, inf 0x7C00
        let f16: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x7C00]
        // bf16: 1.0 = 0x3F80, -0.5 = 0xBF00
        let bf16: [UInt16] = [0x3F80, 0xBF00]
        var data: [UInt8] = []
        for v in f16 + bf16 { data += [UInt8(v & 0xFF), UInt8(v >> 8)] }
        let header = #"{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[8,12]}}"#
        let st = try SafeTensors(path: rawFile(header, data))
        XCTAssertEqual(try st.floats("h").array, [1, -2, Float(pow(2.0, -24.0)), .infinity])
        XCTAssertEqual(try st.floats("b").array, [1, -0.5])
    }

    func testErrorsNameFileAndTensor() throws {
        let ok = #"{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let st = try SafeTensors(path: rawFile(ok, [UInt8](repeating: 0, count: 8)))
        XCTAssertThrowsError(try st.floats("y")) { XCTAssertTrue("\($0)".contains("'y' is missing") && "\($0)".contains("t.safetensors")) }
        XCTAssertThrowsError(try st.floats("x", shape: [3])) { XCTAssertTrue("\($0)".contains("shape [2], expected [3]")) }

        let truncated = rawFile(ok, [0, 0, 0], name: "trunc.safetensors")
        XCTAssertThrowsError(try SafeTensors(path: truncated)) { XCTAssertTrue("\($0)".contains("trunc.safetensors") && "\($0)".contains("truncated")) }

        let badType = rawFile(#"{"x":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8), name: "q.safetensors")
        XCTAssertThrowsError(try SafeTensors(path: badType)) { XCTAssertTrue("\($0)".contains("unsupported dtype Q4")) }

        let badSize = rawFile(#"{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8), name: "s.safetensors")
        XCTAssertThrowsError(try SafeTensors(path: badSize)) { XCTAssertTrue("\($0)".contains("needs 12")) }

        let notJSON = rawFile("hello", [], name: "n.safetensors")
        XCTAssertThrowsError(try SafeTensors(path: notJSON)) { XCTAssertTrue("\($0)".contains("not a JSON object")) }

        let path = dir + "/huge.safetensors"
        FileManager.default.createFile(atPath: path, contents: Data([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x7B]))
        XCTAssertThrowsError(try SafeTensors(path: path)) { XCTAssertTrue("\($0)".contains("not sane")) }

        XCTAssertThrowsError(try SafeTensors(path: dir + "/absent.safetensors")) { XCTAssertTrue("\($0)".contains("absent.safetensors")) }
    }
}
