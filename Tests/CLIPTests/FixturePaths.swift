import Foundation

/// Paths of the reference fixtures copied into Tests/Fixtures.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures").path
    static func path(_ parts: String...) -> String { ([root] + parts).joined(separator: "/") }
}
