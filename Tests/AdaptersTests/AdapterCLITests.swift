import Adapters
import CLIP
import Foundation
import Index
import Tensor
import XCTest

/// `clipdex index --adapter`, `labels add|remove|list` and `search --adapter` as users run them.
extension EndToEndTests {
    func testIndexLabelsAndSearchThroughAnAdapter() throws {
        let model = Fixtures.path("clip-tiny")
        try makeClips(work + "/clips", perClass: 3, seed: 4)
        let adapter = work + "/order.safetensors", db = work + "/index.sqlite"
        let (s1, _, e1) = try run(binary, ["train", "--model", model, "--data", work + "/clips", "--out", adapter, "--seed", "2", "--json"])
        XCTAssertEqual(s1, 0, e1)
        let (s2, o2, e2) = try run(binary, ["index", "--db", db, "--model", model, "--adapter", adapter, "--fps", "4", work + "/clips", "--json"])
        XCTAssertEqual(s2, 0, e2)
        XCTAssertEqual(try json(o2)["indexed"] as? Int, 12)

        let (s3, o3, e3) = try run(binary, ["labels", "add", "red turning blue", "square growing", "--db", db, "--json"])
        XCTAssertEqual(s3, 0, e3)
        let added = try json(o3)
        XCTAssertEqual(added["labels"] as? Int, 2)
        XCTAssertEqual(added["added"] as? [String], ["red turning blue", "square growing"])
        let store = try IndexStore(path: db, create: false)
        let total = try store.summary().segments
        XCTAssertEqual(added["segments_retagged"] as? Int, total)
        let (_, o4, _) = try run(binary, ["labels", "list", "--db", db, "--json"])
        let list = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(o4.utf8)) as? [[String: Any]])
        XCTAssertEqual(list.map { $0["label"] as? String }, ["red turning blue", "square growing"])
        XCTAssertEqual(list.map { $0["segments"] as? Int ?? 0 }.reduce(0, +), total, "2 labels: each segment keeps its best (≥ 0.5)")

        // search: the adapter's query embedding against the stored segment embeddings; the same without --adapter
        let (s5, o5, e5) = try run(binary, ["search", "square growing", "--db", db, "--adapter", adapter, "--limit", "5", "--json"])
        XCTAssertEqual(s5, 0, e5)
        let hits = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(o5.utf8)) as? [[String: Any]])
        XCTAssertEqual(hits.count, 5)
        let clip = try CLIPModel(directory: model)
        let query = normalized(try Adapter.load(adapter, model: clip).encodeQuery("square growing", tokenizer: try Tokenizer.bundled()))
        for h in hits {
            let e = try store.segmentEmbedding(id: try XCTUnwrap(h["segment"] as? Int64))
            var direct: Float = 0
            for (a, b) in zip(e, query) { direct += a * b }
            XCTAssertEqual(h["score"] as? Double ?? 9, Double(direct), accuracy: 1e-3)
            let tags = try XCTUnwrap(h["tags"] as? [[String: Any]])
            XCTAssertFalse(tags.isEmpty)
            XCTAssertNotNil(tags[0]["label"] as? String)
        }
        let (_, o6, _) = try run(binary, ["search", "square growing", "--db", db, "--limit", "5", "--json"])
        XCTAssertEqual((try JSONSerialization.jsonObject(with: Data(o6.utf8)) as? [[String: Any]])?.map { $0["segment"] as? Int64 },
                       hits.map { $0["segment"] as? Int64 }, "without --adapter, search uses the adapter the index was built with")

        // an adapter of another CLIP is refused, naming the file
        let wrong = work + "/demo.safetensors"
        let demo = Fixtures.root + "/../../Sources/DemoModel/clip-demo"
        let (s7, _, e7) = try run(binary, ["train", "--model", demo, "--data", work + "/clips", "--out", wrong, "--epochs", "1", "--json"])
        XCTAssertEqual(s7, 0, e7)
        let (s8, _, e8) = try run(binary, ["search", "square", "--db", db, "--adapter", wrong])
        XCTAssertNotEqual(s8, 0)
        XCTAssertTrue(e8.contains("demo.safetensors"), e8)
        let (s9, _, e9) = try run(binary, ["index", "--db", db, "--model", model, "--adapter", wrong, work + "/clips"])
        XCTAssertNotEqual(s9, 0)
        XCTAssertTrue(e9.contains("demo.safetensors"), e9)

        let (s10, o10, e10) = try run(binary, ["labels", "remove", "square growing", "--db", db, "--json"])
        XCTAssertEqual(s10, 0, e10)
        XCTAssertEqual(try json(o10)["removed"] as? [String], ["square growing"])
        let (_, o11, _) = try run(binary, ["search", "square growing", "--db", db, "--limit", "50", "--json"])
        let after = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(o11.utf8)) as? [[String: Any]])
        XCTAssertFalse(after.isEmpty)
        for h in after { XCTAssertEqual((h["tags"] as? [[String: Any]])?.map { $0["label"] as? String }, ["red turning blue"]) }
    }
}
