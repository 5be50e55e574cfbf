import CLIP
import DemoModel
import Foundation
import Tensor

extension ClipdexConfig {
    /// The model directory to load: `[model] path`, else the bundled demo model.
    public var modelDirectory: String? { model.path ?? DemoModel.directory }

    /// The adapter to index through (`[model] adapter`), if any. Without one, segments live in the
    /// frozen CLIP's space, which answers any words and pictures; an adapter's space answers its
    /// own vocabulary best.
    public var adapterPath: String? { model.adapter }

    /// Whether the bundled demo model stands in for real CLIP weights.
    public var usesDemoModel: Bool { model.path == nil }

    /// The notice logged when the demo model is used.
    public static let demoModelNotice = """
        no [model] path configured: using the bundled demo model, trained on synthetic shapes only, \
        which will not find anything useful in real videos. For real search, download \
        openai/clip-vit-base-patch32 from Hugging Face (config.json and model.safetensors) and set \
        [model] path = "/usr/share/clipdex/models/clip-vit-base-patch32" in the config
        """

    /// Checks what the daemon needs before it starts: every watch folder exists and is readable,
    /// the model directory holds a readable CLIP, the adapter file exists, the database's folder
    /// exists or can be made (the last two can be skipped). Throws the first problem, naming the
    /// key and path.
    public func validate(model checkModel: Bool = true, database checkDatabase: Bool = true) throws {
        guard !watch.isEmpty else {
            throw ConfigError(file: file, key: "[[watch]]", "no folder to watch: add a [[watch]] entry with path = \"/srv/videos\"")
        }
        for (n, root) in watch.enumerated() { try validateFolder(root.path, key: "[[watch]] #\(n + 1) path") }
        if checkModel { try validateModel() }
        if checkModel, let adapter = model.adapter, !FileManager.default.isReadableFile(atPath: adapter) {
            throw ConfigError(file: file, key: "[model] adapter", "\(adapter): not found or not readable (train one with `clipdex train`, or remove the key)")
        }
        if checkDatabase { try validateDatabaseFolder() }
    }

    func validateFolder(_ path: String, key: String) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ConfigError(file: file, key: key, "\(path): no such folder (create it or fix the path)")
        }
        guard isDir.boolValue else { throw ConfigError(file: file, key: key, "\(path): not a folder") }
        guard access(path, R_OK | X_OK) == 0 else {
            throw ConfigError(file: file, key: key, "\(path): not readable by this user (give it read access, e.g. ReadOnlyPaths= in the unit)")
        }
    }

    func validateModel() throws {
        let key = usesDemoModel ? "[model] path (absent: bundled demo model)" : "[model] path"
        guard let dir = modelDirectory else {
            throw ConfigError(file: file, key: key, "no model: the bundled demo model is missing from this build; set [model] path to a Hugging Face CLIP directory")
        }
        do {
            _ = try CLIPConfig.load(directory: dir)
            let weights = (dir as NSString).appendingPathComponent("model.safetensors")
            guard FileManager.default.isReadableFile(atPath: weights) else {
                throw CLIPError.missingFile(weights, "a Hugging Face CLIP directory holds config.json and model.safetensors")
            }
            _ = try SafeTensors(path: weights)
        } catch {
            throw ConfigError(file: file, key: key, "\(dir): not a readable CLIP model: \(error)")
        }
    }

    func validateDatabaseFolder() throws {
        var dir = (store.database as NSString).deletingLastPathComponent
        var isDir: ObjCBool = false
        while !FileManager.default.fileExists(atPath: dir, isDirectory: &isDir) && dir != "/" && !dir.isEmpty {
            dir = (dir as NSString).deletingLastPathComponent
        }
        guard isDir.boolValue, access(dir, W_OK | X_OK) == 0 else {
            throw ConfigError(file: file, key: "[store] database",
                              "\(store.database): its folder cannot be created or written (\(dir) is not a writable folder)")
        }
    }
}
