import Adapters
import Config
import Foundation
import Tensor

extension ClipdexConfig {
    /// Refuses an `[model] adapter` trained on another CLIP than `[model] path` (or not an adapter),
    /// naming the key and the file, before anything is loaded: `--check-config` and reloads catch
    /// it, not only the start of ingest.
    func validateAdapter() throws {
        guard let adapter = model.adapter, let dir = modelDirectory else { return }
        do {
            let info = try Adapter.info(at: adapter)
            let identity = try SafeTensors(path: (dir as NSString).appendingPathComponent("model.safetensors")).fingerprint()
            guard info.baseModel == identity else {
                throw ConfigError(file: file, key: "[model] adapter", "\(adapter): trained on the CLIP model with identity "
                    + "\(info.baseModel), but [model] path \(dir) has identity \(identity); use the model it was trained on or train a new adapter")
            }
        } catch let e as ConfigError { throw e } catch {
            throw ConfigError(file: file, key: "[model] adapter", "\(error)")
        }
    }
}
